// The composer: accounts, main text and per-account variants (each with its first comment where the
// platform posts one), live counts and compliance findings (from the server, which counts with each
// platform connector's own rule), previews, media upload.
(function () {
  "use strict";

  var form = document.getElementById("composer");
  if (!form) return;
  var data = form.dataset;
  var activeTab = "main";
  var lastResult = null;
  var timer = null;
  var seq = 0;

  function $(sel, root) { return (root || form).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || form).querySelectorAll(sel)); }
  function csrf() { var i = $("input[name=csrfmiddlewaretoken]"); return i ? i.value : ""; }

  var mainText = $("#id_text");

  function selectedAccounts() {
    return $all("input[name=accounts]:checked").map(function (input) {
      return { id: input.value, platform: input.dataset.platform };
    });
  }
  function customInput(id) { return $("input[name=custom_" + id + "]"); }
  function variantText(id) { return $("textarea[name=variant_" + id + "]"); }
  function isCustom(id) { var c = customInput(id); return !!(c && c.value === "1"); }
  function effectiveText(id) { return isCustom(id) ? variantText(id).value : mainText.value; }
  // The first comment's field exists only for accounts whose platform posts one.
  function firstCommentInput(id) { return $("textarea[name=first_comment_" + id + "]"); }
  function firstComment(id) { var area = firstCommentInput(id); return area ? area.value : ""; }
  function inFirstComment(f) { return f.field === "first_comment"; }
  function inText(f) { return !inFirstComment(f); }

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // --- highlights: a backdrop behind the textarea repeats its text with <mark>s on the findings' spans
  function paint(editorKey, text, findings) {
    var editor = $("[data-editor='" + editorKey + "']");
    if (!editor) return;
    var spans = (findings || []).filter(function (f) {
      return f.start_utf16 !== null && f.start_utf16 !== undefined && f.end_utf16 > f.start_utf16;
    }).sort(function (a, b) { return a.start_utf16 - b.start_utf16; });
    var html = "";
    var at = 0;
    spans.forEach(function (f) {
      if (f.start_utf16 < at) return; // overlapping spans: the first one wins
      html += escapeHtml(text.slice(at, f.start_utf16));
      html += '<mark class="hl-' + f.severity + '">' + escapeHtml(text.slice(f.start_utf16, f.end_utf16)) + "</mark>";
      at = f.end_utf16;
    });
    html += escapeHtml(text.slice(at)) + "\n";
    $(".editor-highlights", editor).innerHTML = html;
    syncScroll(editor);
  }
  function syncScroll(editor) {
    var area = $("textarea", editor);
    $(".editor-backdrop", editor).scrollTop = area.scrollTop;
  }
  $all(".editor textarea").forEach(function (area) {
    area.addEventListener("scroll", function () { syncScroll(area.closest(".editor")); });
  });

  // --- tabs, chips, previews
  function renderTabs() {
    var chosen = selectedAccounts().map(function (a) { return a.id; });
    $all(".variant-tab").forEach(function (tab) {
      var key = tab.dataset.tab;
      if (key === "main") return;
      tab.hidden = chosen.indexOf(key) === -1;
      tab.classList.toggle("is-custom", isCustom(key));
    });
    if (activeTab !== "main" && chosen.indexOf(activeTab) === -1) activeTab = "main";
    $all(".variant-tab").forEach(function (tab) { tab.classList.toggle("is-active", tab.dataset.tab === activeTab); });
    $("[data-editor='main']").hidden = activeTab !== "main";
    $all("[data-variant]").forEach(function (box) {
      var key = box.dataset.variant;
      box.hidden = key !== activeTab;
      box.classList.toggle("is-custom", isCustom(key));
    });
    $all("[data-count]").forEach(function (pill) { pill.hidden = chosen.indexOf(pill.dataset.count) === -1; });
    $all(".acct-chip").forEach(function (chip) { chip.classList.toggle("is-checked", $("input", chip).checked); });
    var hint = $("[data-first-comment-hint]");
    if (hint) {
      hint.hidden = activeTab !== "main" || !$all("input[name=accounts]:checked").some(function (input) {
        return input.hasAttribute("data-first-comment");
      });
    }
  }

  function renderPreviews() {
    var chosen = selectedAccounts().map(function (a) { return a.id; });
    var media = $all("input[name=media]:checked").map(function (input) {
      var img = input.parentNode.querySelector("img");
      return img ? img.getAttribute("src") : null;
    });
    $all("[data-preview]").forEach(function (card) {
      var id = card.dataset.preview;
      card.hidden = chosen.indexOf(id) === -1;
      if (card.hidden) return;
      $("[data-preview-text]", card).innerHTML = escapeHtml(effectiveText(id)).replace(/\n/g, "<br>");
      var comment = $("[data-preview-first-comment]", card);
      if (comment) {
        var said = firstComment(id);
        comment.hidden = !said.trim();
        $("[data-preview-first-comment-text]", comment).innerHTML = escapeHtml(said).replace(/\n/g, "<br>");
      }
      var mediaBox = $("[data-preview-media]", card);  // phone previews draw their own (composer_platforms.js)
      if (mediaBox) {
        mediaBox.innerHTML = media.map(function (src) {
          return src ? '<img src="' + src + '" alt="">' : '<span class="pv-media-ph">▶</span>';
        }).join("");
      }
    });
    var empty = $("[data-preview-empty]");
    if (empty) empty.hidden = chosen.length > 0;
  }

  // --- the server's check
  function renderFindings() {
    var list = $(".findings");
    list.innerHTML = "";
    if (!lastResult) return;
    var findings = lastResult.main;
    if (activeTab !== "main") {
      var variant = lastResult.variants.filter(function (v) { return String(v.account) === activeTab; })[0];
      findings = variant ? variant.findings : [];
    }
    if (!findings.length) {
      var ok = document.createElement("li");
      ok.className = "finding finding-ok";
      ok.textContent = data.labelNoFindings;
      list.appendChild(ok);
    }
    var labels = { blocking: data.labelBlocking, warning: data.labelWarning, info: data.labelInfo };
    findings.forEach(function (f) {
      var li = document.createElement("li");
      li.className = "finding finding-" + f.severity;
      li.setAttribute("data-testid", "finding");
      li.setAttribute("data-rule", f.rule);
      var badge = document.createElement("span");
      badge.className = "finding-badge";
      badge.textContent = labels[f.severity] || f.severity;
      var message = document.createElement("span");
      message.className = "finding-message";
      message.textContent = f.message;
      li.appendChild(badge);
      li.appendChild(message);
      if (inFirstComment(f) || f.platform) {
        var where = document.createElement("span");
        where.className = "finding-where";
        where.textContent = inFirstComment(f) ? data.labelFirstComment : f.platform;
        li.appendChild(where);
      }
      if (inFirstComment(f)) li.setAttribute("data-field", "first_comment");
      if (f.start_utf16 !== null && f.start_utf16 !== undefined) {
        li.classList.add("has-span");
        li.addEventListener("click", function () {
          var area = activeTab === "main" ? mainText : variantText(activeTab);
          if (inFirstComment(f)) area = firstCommentInput(activeTab) || area;
          area.focus();
          area.setSelectionRange(f.start_utf16, f.end_utf16);
        });
      }
      list.appendChild(li);
    });
    var warnings = lastResult.main.concat.apply(lastResult.main, lastResult.variants.map(function (v) { return v.findings; }))
      .some(function (f) { return f.severity === "warning"; });
    var override = $("[data-override]");
    var box = $("#id_override_warnings");
    override.hidden = !(warnings || box.checked || override.classList.contains("has-error"));
  }

  function renderCounts() {
    if (!lastResult) return;
    lastResult.variants.forEach(function (v) {
      var pill = $("[data-count='" + v.account + "']");
      if (!pill) return;
      var text = String(v.count) + (v.limit ? " / " + v.limit : "");
      if (v.byte_limit) text += " · " + v.bytes + " / " + v.byte_limit + " B";
      $(".count-value", pill).textContent = text;
      pill.title = v.unit;
      pill.classList.toggle("is-over", !!v.over);
      pill.classList.toggle("is-blocking", !!v.blocking);
      var tab = $(".variant-tab[data-tab='" + v.account + "']");
      if (tab) tab.classList.toggle("is-blocking", !!v.blocking);
      var counter = $("[data-first-comment-count='" + v.account + "']");
      if (counter && v.first_comment) {
        var c = v.first_comment;
        counter.textContent = String(c.count) + (c.limit ? " / " + c.limit : "");
        counter.title = c.unit;
        counter.classList.toggle("is-over", !!c.over);
        counter.closest(".first-comment").classList.toggle("is-blocking", !!c.blocking);
      }
    });
  }

  function paintAll() {
    if (!lastResult) return;
    paint("main", mainText.value, lastResult.main);
    lastResult.variants.forEach(function (v) {
      var area = variantText(v.account);
      if (area) paint(String(v.account), area.value, v.findings.filter(inText));
      var comment = firstCommentInput(v.account);
      if (comment) paint("fc-" + v.account, comment.value, v.findings.filter(inFirstComment));
    });
  }

  function check() {
    var chosen = selectedAccounts();
    var body = {
      text: mainText.value,
      is_paid_or_kol: $("#id_is_paid_or_kol").checked,
      media: $all("input[name=media]:checked").map(function (i) { return i.value; }),
      variants: chosen.map(function (a) {
        return {
          account: a.id,
          custom: isCustom(a.id),
          text: isCustom(a.id) ? variantText(a.id).value : "",
          first_comment: firstComment(a.id),
        };
      }),
    };
    var mine = ++seq;
    form.classList.add("is-checking");
    fetch(data.checkUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(body),
    }).then(function (r) { return r.json(); }).then(function (result) {
      if (mine !== seq || !result.variants) return;
      lastResult = result;
      form.classList.remove("is-checking");
      renderCounts();
      renderFindings();
      paintAll();
    }).catch(function () { form.classList.remove("is-checking"); });
  }
  function scheduleCheck() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 220);
  }

  function syncFollowers() {
    $all("[data-variant]").forEach(function (box) {
      var id = box.dataset.variant;
      if (!isCustom(id)) variantText(id).value = mainText.value;
    });
  }

  function refresh() {
    syncFollowers();
    renderTabs();
    renderPreviews();
    paintAll();
    scheduleCheck();
    form.dispatchEvent(new CustomEvent("composer:refresh"));  // composer_platforms.js redraws its parts
  }

  mainText.addEventListener("input", refresh);
  $all("[data-variant] textarea[name^=variant_]").forEach(function (area) {
    area.addEventListener("input", function () {
      var id = area.closest("[data-variant]").dataset.variant;
      customInput(id).value = area.value === mainText.value ? "" : "1";
      refresh();
    });
  });
  $all("textarea[name^=first_comment_]").forEach(function (area) {
    area.addEventListener("input", refresh);
  });
  $all("[data-reset-variant]").forEach(function (button) {
    button.addEventListener("click", function () {
      customInput(button.dataset.resetVariant).value = "";
      refresh();
    });
  });
  $all(".variant-tab").forEach(function (tab) {
    tab.addEventListener("click", function () {
      activeTab = tab.dataset.tab;
      renderTabs();
      renderFindings();
    });
  });
  form.addEventListener("change", function (event) {
    var name = event.target.name;
    if (name === "accounts" || name === "media" || name === "is_paid_or_kol") refresh();
  });

  // --- media upload through the REST API (the same checks: type, size, platforms)
  var upload = $("[data-upload]");
  if (upload) {
    upload.addEventListener("change", function () {
      var file = upload.files[0];
      if (!file) return;
      var error = $("[data-upload-error]");
      error.hidden = true;
      var body = new FormData();
      body.append("file", file);
      selectedAccounts().forEach(function (a) { body.append("accounts", a.id); });
      fetch(data.mediaUrl, {
        method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf() }, body: body,
      }).then(function (r) {
        return r.json().then(function (payload) { return { ok: r.ok, payload: payload }; });
      }).then(function (res) {
        upload.value = "";
        if (!res.ok) {
          error.textContent = (res.payload.error && res.payload.error.message) || data.labelUploadFailed;
          error.hidden = false;
          return;
        }
        var m = res.payload;
        var tile = document.createElement("label");
        tile.className = "media-tile";
        tile.title = m.original_name;
        tile.draggable = true;
        tile.setAttribute("data-media-tile", "");
        tile.setAttribute("data-kind", m.kind);
        tile.setAttribute("data-url", m.url || "");
        tile.setAttribute("data-testid", "media-tile-" + m.id);
        tile.innerHTML = '<input type="checkbox" name="media" value="' + m.id + '" checked>' +
          '<span class="media-order" data-media-order aria-hidden="true"></span>' +
          (m.thumbnail_url ? '<img src="' + m.thumbnail_url + '" alt="">' : '<span class="media-ph">' + escapeHtml(m.kind) + "</span>") +
          '<span class="media-name">' + escapeHtml(m.original_name.slice(0, 22)) + "</span>" +
          '<input type="text" class="media-alt" name="alt_text_' + m.id + '" maxlength="1000" value="' +
          escapeHtml(m.alt_text || "") + '" placeholder="' + escapeHtml(data.labelAltText || "") + '">';
        var grid = $("[data-media-grid]");
        var empty = $("[data-media-empty]");
        if (empty) empty.remove();
        // After the files already chosen (their order is the post's; the first image is the cover).
        var chosenTiles = $all("[data-media-tile]", grid).filter(function (t) { return $("input[name=media]", t).checked; });
        var after = chosenTiles[chosenTiles.length - 1];
        grid.insertBefore(tile, after ? after.nextSibling : grid.firstChild);
        refresh();
      }).catch(function () {
        error.textContent = data.labelUploadFailed;
        error.hidden = false;
      });
    });
  }

  // Back from the server with an error about one account's input: open that account's tab.
  var refused = $(".variant-tab.has-error");
  if (refused) activeTab = refused.dataset.tab;
  refresh();
})();

// The composer's platform parts: the media order (drag; the first image is the cover), each variant's
// "Platform settings" (topics and tags as chips, title counts, the cover frame picked on the video with a
// still of it, the frame saved as a cover image through the media API), and the phone previews (a
// Xiaohongshu note as a carousel with dots; a short video standing at its cover frame with the title over
// it). composer.js owns the rest and sends "composer:refresh" when anything changed.
(function () {
  "use strict";

  var form = document.getElementById("composer");
  if (!form) return;
  var data = form.dataset;
  var SPLIT = /[,，、\n#]+/;

  function $(sel, root) { return (root || form).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || form).querySelectorAll(sel)); }
  function csrf() { var i = $("input[name=csrfmiddlewaretoken]"); return i ? i.value : ""; }
  function escapeHtml(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  // --- media: the chosen files in page order
  var grid = $("[data-media-grid]");
  function chosenTiles() {
    return $all("[data-media-tile]").filter(function (tile) { return $("input[name=media]", tile).checked; });
  }
  function chosenImages() {
    return chosenTiles().filter(function (t) { return t.dataset.kind === "image"; }).map(function (t) {
      var img = $("img", t);
      return img ? img.getAttribute("src") : t.dataset.url;
    });
  }
  function chosenVideo() {
    var tile = chosenTiles().filter(function (t) { return t.dataset.kind === "video"; })[0];
    return tile ? tile.dataset.url : "";
  }
  function renderOrder() {
    var n = 0;
    var coverShown = false;
    $all("[data-media-tile]").forEach(function (tile) {
      var badge = $("[data-media-order]", tile);
      if (!badge) return;
      if (!$("input[name=media]", tile).checked) { badge.textContent = ""; return; }
      n += 1;
      var cover = tile.dataset.kind === "image" && !coverShown;
      if (cover) coverShown = true;
      badge.textContent = cover ? n + " · " + (data.labelCover || "Cover") : String(n);
      tile.classList.toggle("is-cover", cover);
    });
  }

  // Drag a tile before or after another (HTML5 drag and drop); the checkboxes' order is what is sent.
  var dragged = null;
  if (grid) {
    grid.addEventListener("dragstart", function (event) {
      dragged = event.target.closest("[data-media-tile]");
      if (!dragged) return;
      dragged.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", $("input[name=media]", dragged).value);
    });
    grid.addEventListener("dragover", function (event) {
      var over = event.target.closest("[data-media-tile]");
      if (!dragged || !over || over === dragged) return;
      event.preventDefault();
      var box = over.getBoundingClientRect();
      var before = event.clientX < box.left + box.width / 2;
      grid.insertBefore(dragged, before ? over : over.nextSibling);
    });
    grid.addEventListener("drop", function (event) { event.preventDefault(); });
    grid.addEventListener("dragend", function () {
      if (dragged) dragged.classList.remove("is-dragging");
      dragged = null;
      redraw();
      $("input[name=media]").dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  // --- settings
  function items(value) {
    return String(value || "").split(SPLIT).map(function (t) { return t.trim(); }).filter(Boolean);
  }
  function renderChips() {
    $all("[data-tags-input]").forEach(function (input) {
      var list = $("[data-tag-chips]", input.closest(".setting"));
      list.innerHTML = items(input.value).map(function (t) {
        return '<li class="tag-chip">#' + escapeHtml(t) + "</li>";
      }).join("");
    });
  }
  function renderCounts() {
    $all("[data-setting-count]").forEach(function (count) {
      var input = $("input", count.closest(".setting"));
      var used = Array.from(input.value).length;
      var limit = Number(count.dataset.limit);
      count.textContent = used + " / " + limit;
      count.classList.toggle("is-over", used > limit);
    });
  }
  function settingsOf(id) { return $("[data-settings='" + id + "']"); }
  function settingInput(id, name) {
    var box = settingsOf(id);
    return box ? $("[data-setting='" + name + "'] input, [data-setting='" + name + "'] select", box) : null;
  }
  function effectiveTitle(id) {
    var own = settingInput(id, "title");
    if (own && own.value.trim()) return own.value.trim();
    var main = $("#id_title");
    return main ? main.value.trim() : "";
  }
  function coverSeconds(id) {
    var box = settingsOf(id);
    var input = box && $("[data-cover-seconds]", box);
    return input && input.value !== "" ? Number(input.value) : null;
  }

  // --- the cover frame: a range over the video, a still of the frame drawn on a canvas
  function drawStill(video, canvas) {
    if (!video.videoWidth) return;
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    canvas.dataset.drawnAt = String(video.currentTime);
  }
  function whenReady(video, then) {
    if (video.readyState >= 1) { then(); return; }
    video.addEventListener("loadedmetadata", function once() {
      video.removeEventListener("loadedmetadata", once);
      then();
    });
  }
  function seek(video, seconds, then) {
    whenReady(video, function () {
      var target = Math.min(Math.max(seconds || 0, 0), video.duration || 0);
      if (Math.abs(video.currentTime - target) < 0.001 && video.readyState >= 2) { if (then) then(); return; }
      video.addEventListener("seeked", function once() {
        video.removeEventListener("seeked", once);
        if (then) then();
      });
      video.currentTime = target;
    });
  }
  function setupPicker(picker) {
    var box = picker.closest("[data-settings]");
    var video = $("[data-cover-video]", picker);
    var range = $("[data-cover-range]", picker);
    var still = $("[data-cover-still]", picker);
    var output = $("[data-cover-time]", picker);
    var hidden = $("[data-cover-seconds]", box);
    function show(seconds) {
      output.textContent = (seconds === null ? "—" : seconds.toFixed(1)) + " s";
    }
    range.addEventListener("input", function () {
      var seconds = Number(range.value);
      hidden.value = seconds.toFixed(1);
      show(seconds);
      seek(video, seconds, function () { drawStill(video, still); redrawPreviews(); });
    });
    $("[data-cover-clear]", picker).addEventListener("click", function () {
      hidden.value = "";
      range.value = 0;
      show(null);
      seek(video, 0, function () { drawStill(video, still); redrawPreviews(); });
    });
    video.addEventListener("loadedmetadata", function () {
      range.max = String(Math.floor((video.duration || 0) * 10) / 10);
      var seconds = hidden.value !== "" ? Number(hidden.value) : 0;
      range.value = seconds;
      show(hidden.value !== "" ? seconds : null);
      seek(video, seconds, function () { drawStill(video, still); });
    });
  }
  $all("[data-cover-picker]").forEach(setupPicker);
  function renderPickers() {
    var src = chosenVideo();
    $all("[data-cover-picker]").forEach(function (picker) {
      var video = $("[data-cover-video]", picker);
      $("[data-cover-empty]", picker).hidden = !!src;
      $("[data-cover-stage]", picker).hidden = !src;
      $("[data-cover-scrub]", picker).hidden = !src;
      if (src && video.getAttribute("src") !== src) video.setAttribute("src", src);
      if (!src && video.getAttribute("src")) video.removeAttribute("src");
    });
  }

  // --- the cover image: the still uploaded as a library image (or a picture of one's own)
  function uploadCover(box, blob, name) {
    var body = new FormData();
    body.append("file", blob, name);
    var error = $("[data-upload-error]");
    return fetch(data.mediaUrl, {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf() }, body: body,
    }).then(function (r) {
      return r.json().then(function (payload) { return { ok: r.ok, payload: payload }; });
    }).then(function (res) {
      if (!res.ok) {
        error.textContent = (res.payload.error && res.payload.error.message) || data.labelUploadFailed;
        error.hidden = false;
        return;
      }
      $("[data-cover-media]", box).value = res.payload.id;
      var thumb = $("[data-cover-thumb]", box);
      thumb.src = res.payload.thumbnail_url || res.payload.url;
      thumb.hidden = false;
      $("[data-cover-remove]", box).hidden = false;
      redrawPreviews();
    });
  }
  $all("[data-cover-image]").forEach(function (area) {
    var box = area.closest("[data-settings]");
    $("[data-cover-capture]", area).addEventListener("click", function () {
      var still = $("[data-cover-still]", box);
      if (!still || !still.width) return;
      still.toBlob(function (blob) {
        if (blob) uploadCover(box, blob, "cover-" + (coverSeconds(box.dataset.settings) || 0) + "s.jpg");
      }, "image/jpeg", 0.9);
    });
    var own = $("[data-cover-upload]", area);
    own.addEventListener("change", function () {
      if (own.files[0]) uploadCover(box, own.files[0], own.files[0].name).then(function () { own.value = ""; });
    });
    $("[data-cover-remove]", area).addEventListener("click", function () {
      $("[data-cover-media]", box).value = "";
      $("[data-cover-thumb]", box).hidden = true;
      $("[data-cover-remove]", area).hidden = true;
    });
  });

  // --- phone previews
  function renderNote(card) {
    var id = card.dataset.preview;
    var images = chosenImages();
    var video = chosenVideo();
    var slides = $("[data-note-slides]", card);
    var dots = $("[data-note-dots]", card);
    var at = Math.min(Number(card.dataset.slide || 0), Math.max(images.length - 1, 0));
    card.dataset.slide = at;
    if (images.length) {
      slides.innerHTML = images.map(function (src, i) {
        return '<img src="' + escapeHtml(src) + '" alt="" data-slide="' + i + '"' + (i === at ? "" : " hidden") + ">";
      }).join("");
      dots.innerHTML = images.length > 1 ? images.map(function (_src, i) {
        return '<button type="button" class="note-dot' + (i === at ? " is-active" : "") + '" data-dot="' + i + '" aria-label="' + (i + 1) + '"></button>';
      }).join("") : "";
    } else if (video) {
      slides.innerHTML = '<video src="' + escapeHtml(video) + '" muted playsinline preload="metadata"></video>';
      dots.innerHTML = "";
    } else {
      dots.innerHTML = "";
    }
    $("[data-preview-title]", card).textContent = effectiveTitle(id);
    var topics = settingInput(id, "topics");
    $("[data-preview-topics]", card).innerHTML = items(topics ? topics.value : "").map(function (t) {
      return '<span class="note-topic">#' + escapeHtml(t) + "</span>";
    }).join(" ");
  }
  function renderVideo(card) {
    var id = card.dataset.preview;
    var src = chosenVideo();
    var video = $("[data-preview-video]", card);
    $("[data-preview-video-empty]", card).hidden = !!src;
    video.hidden = !src;
    if (src && video.getAttribute("src") !== src) video.setAttribute("src", src);
    if (src) seek(video, coverSeconds(id) || 0);
    $("[data-preview-title]", card).textContent = effectiveTitle(id);
  }
  function redrawPreviews() {
    $all("[data-phone]").forEach(function (card) {
      if (card.hidden) return;
      if (card.dataset.phone === "note") renderNote(card); else renderVideo(card);
    });
  }
  form.addEventListener("click", function (event) {
    var dot = event.target.closest("[data-dot]");
    var slide = event.target.closest("[data-note-slides] img");
    var card = event.target.closest("[data-phone=note]");
    if (!card || (!dot && !slide)) return;
    var count = $all("[data-note-slides] img", card).length;
    card.dataset.slide = dot ? dot.dataset.dot : (Number(card.dataset.slide || 0) + 1) % count;
    renderNote(card);
  });

  function redraw() {
    renderOrder();
    renderChips();
    renderCounts();
    renderPickers();
    redrawPreviews();
  }
  form.addEventListener("composer:refresh", redraw);
  form.addEventListener("input", function (event) {
    if (event.target.closest("[data-settings]") || event.target.id === "id_title") redraw();
  });
  form.addEventListener("change", function (event) {
    if (event.target.name === "media") redraw();
  });
  redraw();
})();

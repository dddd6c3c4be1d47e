// The WeChat article editor (content/views/wechat_editor.py): the push's state lives here and goes back
// to the server as JSON in the "push" field on save. Article 1 is the variant (the post's title, the
// variant's text and media); articles 2-8 are state.articles. Covers are cropped with cropperjs at
// 2.35:1 (the first article's big card) or 1:1 (the others' rows), stored as WeChat's "x1_y1_x2_y2".
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const read = (id) => JSON.parse($(id).textContent);
  const state = read("wx-state");
  const library = read("wx-library-data");
  const errors = read("wx-errors");
  const limits = read("wx-limits");
  const meta = read("wx-meta");
  const t = read("wx-i18n");
  const byId = new Map(library.map((m) => [m.id, m]));
  state.articles = state.articles || [];
  state.body_images = state.body_images || [];

  // Article n (0-based) as one shape: the first maps onto the variant's fields.
  function view(n) {
    if (n === 0) {
      return {
        get: (k) => ({ title: state.title, body: state.text, cover: state.cover, cover_crop: state.cover_crop, images: state.body_images, author: state.author, digest: state.digest, original: state.original, source_url: state.source_url, open_comment: state.open_comment, fans_only_comment: state.fans_only_comment })[k],
        set: (k, v) => { state[{ title: "title", body: "text", images: "body_images" }[k] || k] = v; },
        path: (k) => ({ body: "text", images: "body_images" })[k] || k,
      };
    }
    const a = state.articles[n - 1];
    return { get: (k) => a[k], set: (k, v) => { a[k] = v; }, path: (k) => `articles.${n - 1}.${k}` };
  }
  const count = () => 1 + state.articles.length;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (v === true) node.setAttribute(k, "");
      else if (v !== false && v != null) node.setAttribute(k, v);
    }
    for (const c of children) if (c) node.append(c);
    return node;
  }
  const fmt = (s, n) => s.replace("{n}", n);

  function errorsFor(path) {
    return (errors[path] || []).map((m) => el("p", { class: "field-error", "data-testid": `wx-error-${path}`, text: m }));
  }

  function field(n, key, label, input, help) {
    const v = view(n);
    const wrap = el("div", { class: "wx-field" + (errors[v.path(key)] ? " has-error" : "") }, el("label", { text: label }), input);
    if (help) wrap.append(el("p", { class: "help", text: help }));
    errorsFor(v.path(key)).forEach((e) => wrap.append(e));
    return wrap;
  }

  function textInput(n, key, limit, multiline) {
    const v = view(n);
    const input = el(multiline ? "textarea" : "input", { rows: multiline ? 6 : null, "data-testid": `wx-${key}-${n + 1}` });
    input.value = v.get(key) || "";
    const counter = limit ? el("span", { class: "wx-count" }) : null;
    const update = () => {
      v.set(key, input.value);
      if (counter) {
        counter.textContent = `${input.value.length} / ${limit}`;
        counter.classList.toggle("over", input.value.length > limit);
      }
      renderPreview();
    };
    input.addEventListener("input", update);
    if (counter) counter.textContent = `${input.value.length} / ${limit}`;
    return counter ? el("div", { class: "wx-input-count" }, input, counter) : input;
  }

  function checkbox(n, key, label, disabled) {
    const v = view(n);
    const input = el("input", { type: "checkbox", "data-testid": `wx-${key}-${n + 1}`, disabled: !!disabled });
    input.checked = !!v.get(key);
    input.addEventListener("change", () => { v.set(key, input.checked); render(); });
    return el("label", { class: "wx-check" }, input, document.createTextNode(" " + label));
  }

  // Crop fractions -> CSS background that shows exactly that part of the image.
  function cropStyle(asset, crop, ratio) {
    if (!asset) return "";
    let style = `background-image:url("${asset.url}");`;
    const parts = (crop || "").split("_").map(Number);
    if (parts.length === 4 && parts.every((x) => !Number.isNaN(x))) {
      const [x1, y1, x2, y2] = parts;
      const w = x2 - x1, h = y2 - y1;
      const px = w < 1 ? (x1 / (1 - w)) * 100 : 0;
      const py = h < 1 ? (y1 / (1 - h)) * 100 : 0;
      style += `background-size:${100 / w}% ${100 / h}%;background-position:${px}% ${py}%;`;
    } else {
      style += "background-size:cover;background-position:center;";
    }
    return style + `aspect-ratio:${ratio};`;
  }

  function coverBlock(n) {
    const v = view(n);
    const asset = byId.get(v.get("cover"));
    const ratio = n === 0 ? "2.35 / 1" : "1 / 1";
    const thumb = el("div", { class: "wx-cover-thumb", style: cropStyle(asset, v.get("cover_crop"), ratio), "data-testid": `wx-cover-${n + 1}` });
    const crop = v.get("cover_crop");
    return el("div", { class: "wx-cover" }, thumb,
      el("div", { class: "wx-cover-actions" },
        el("button", { type: "button", class: "btn btn-small", "data-testid": `wx-cover-pick-${n + 1}`, text: t.chooseCover, onclick: () => pick((id) => { v.set("cover", id); v.set("cover_crop", ""); render(); }) }),
        asset ? el("button", { type: "button", class: "btn btn-small", "data-testid": `wx-crop-${n + 1}`, text: t.crop, onclick: () => openCrop(n) }) : null,
        el("span", { class: "muted small", "data-testid": `wx-crop-state-${n + 1}`, text: crop ? `${t.cropped} (${n === 0 ? "2.35:1" : "1:1"})` : t.centred })));
  }

  function imagesBlock(n) {
    const v = view(n);
    const images = v.get("images") || [];
    const paragraphs = (v.get("body") || "").split("\n").filter((p) => p.trim()).length;
    const list = el("div", { class: "wx-images" });
    images.forEach((image, i) => {
      const asset = byId.get(image.media);
      const select = el("select", { "aria-label": t.after });
      for (let p = 0; p <= Math.max(paragraphs, image.after || 0); p++) {
        select.append(el("option", { value: p, text: p === 0 ? t.beforeFirst : `${t.after} ${p}`, selected: (image.after || 0) === p }));
      }
      select.addEventListener("change", () => { image.after = Number(select.value); renderPreview(); });
      list.append(el("div", { class: "wx-image-row" },
        el("img", { src: asset ? asset.url : "", alt: asset ? asset.alt : "" }), select,
        el("button", { type: "button", class: "btn btn-ghost btn-small", text: t.remove, onclick: () => { images.splice(i, 1); v.set("images", images); render(); } })));
    });
    list.append(el("button", { type: "button", class: "btn btn-small", "data-testid": `wx-add-image-${n + 1}`, text: t.addImage,
      onclick: () => pick((id) => { images.push({ media: id, after: paragraphs }); v.set("images", images); render(); }) }));
    return field(n, "images", t.images, list);
  }

  function articleCard(n) {
    const v = view(n);
    const head = el("div", { class: "wx-article-head" }, el("h2", { text: fmt(t.article, n + 1) }));
    if (n > 0) {
      head.append(el("span", { class: "wx-article-tools" },
        el("button", { type: "button", class: "btn btn-ghost btn-small", text: t.up, disabled: n === 1, "data-testid": `wx-up-${n + 1}`, onclick: () => move(n, -1) }),
        el("button", { type: "button", class: "btn btn-ghost btn-small", text: t.down, disabled: n === count() - 1, "data-testid": `wx-down-${n + 1}`, onclick: () => move(n, 1) }),
        el("button", { type: "button", class: "btn btn-ghost btn-small", text: t.remove, "data-testid": `wx-remove-${n + 1}`, onclick: () => { state.articles.splice(n - 1, 1); render(); } })));
    }
    const card = el("section", { class: "wx-article", "data-testid": `wx-article-${n + 1}` }, head,
      field(n, "title", t.title, textInput(n, "title", limits.title), n === 0 ? t.titleShared : null),
      field(n, "author", t.author, textInput(n, "author", limits.author)),
      field(n, "digest", t.digest, textInput(n, "digest", limits.digest), count() > 1 ? t.digestIgnored : null),
      field(n, "cover", t.cover, coverBlock(n)),
      field(n, "body", t.body, textInput(n, "body", null, true), t.bodyHelp),
      imagesBlock(n),
      field(n, "source_url", t.sourceUrl, textInput(n, "source_url")),
      el("div", { class: "wx-checks" },
        checkbox(n, "original", t.original),
        checkbox(n, "open_comment", t.comments),
        checkbox(n, "fans_only_comment", t.fansOnly, !v.get("open_comment"))));
    errorsFor(v.path("cover_crop")).forEach((e) => card.append(e));
    return card;
  }

  function move(n, step) {
    const i = n - 1, j = i + step;
    if (j < 0 || j >= state.articles.length) return;
    [state.articles[i], state.articles[j]] = [state.articles[j], state.articles[i]];
    render();
  }

  function render() {
    const box = $("wx-articles");
    box.replaceChildren(...Array.from({ length: count() }, (_, n) => articleCard(n)));
    $("wx-add").disabled = count() >= limits.articles;
    $("wx-add").title = count() >= limits.articles ? t.full : "";
    renderPreview();
  }

  // The phone: the chat card (big cover and title for article 1, small rows for 2-8) and article 1's page.
  let shown = 0;
  function renderPreview() {
    const card = $("wx-card");
    card.replaceChildren();
    for (let n = 0; n < count(); n++) {
      const v = view(n);
      const asset = byId.get(v.get("cover"));
      const title = v.get("title") || t.noTitle;
      if (n === 0) {
        card.append(el("div", { class: "wx-card-main", "data-testid": "wx-card-main", onclick: () => { shown = 0; renderPage(); } },
          el("div", { class: "wx-card-cover", style: cropStyle(asset, v.get("cover_crop"), "2.35 / 1") }),
          el("div", { class: "wx-card-title", text: title })));
      } else {
        card.append(el("div", { class: "wx-card-row", "data-testid": "wx-card-row", onclick: () => { shown = n; renderPage(); } },
          el("div", { class: "wx-card-row-title", text: title }),
          el("div", { class: "wx-card-thumb", style: cropStyle(asset, v.get("cover_crop"), "1 / 1") })));
      }
    }
    renderPage();
  }

  function renderPage() {
    if (shown >= count()) shown = 0;
    const v = view(shown);
    const page = $("wx-page");
    const paragraphs = (v.get("body") || "").split("\n").filter((p) => p.trim());
    const images = v.get("images") || [];
    const body = el("div", { class: "wx-page-body" });
    for (let p = 0; p <= paragraphs.length; p++) {
      images.filter((i) => Math.min(i.after || 0, paragraphs.length) === p).forEach((i) => {
        const asset = byId.get(i.media);
        if (asset) body.append(el("img", { src: asset.url, alt: asset.alt }));
      });
      if (p < paragraphs.length) body.append(el("p", { text: paragraphs[p] }));
    }
    page.replaceChildren(
      el("h3", { text: v.get("title") || t.noTitle, "data-testid": "wx-page-title" }),
      el("p", { class: "wx-page-meta" },
        v.get("original") ? el("span", { class: "wx-badge", text: t.originalBadge }) : null,
        document.createTextNode([v.get("author"), meta.account, meta.date].filter(Boolean).join("  "))),
      body);
  }

  // The image picker: the workspace's library, and an upload through the API (the same service).
  let onPick = null;
  function pick(callback) {
    onPick = callback;
    const grid = $("wx-library-grid");
    grid.replaceChildren(...library.map((m) => el("button", { type: "button", class: "wx-library-item", "data-testid": "wx-library-item", title: m.name,
      onclick: () => { $("wx-library").close(); onPick(m.id); } }, el("img", { src: m.url, alt: m.alt || m.name }))));
    $("wx-library").showModal();
  }
  document.querySelector("[data-testid=wx-upload]").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    const body = new FormData();
    body.append("file", file);
    const csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
    const response = await fetch(meta.mediaApi, { method: "POST", body, headers: { "X-CSRFToken": csrf }, credentials: "same-origin" });
    if (!response.ok) {
      $("wx-upload-error").textContent = t.uploadFailed;
      $("wx-upload-error").hidden = false;
      return;
    }
    const asset = await response.json();
    const item = { id: asset.id, url: asset.url, name: asset.original_name, alt: asset.alt_text, width: asset.width, height: asset.height };
    library.unshift(item);
    byId.set(item.id, item);
    $("wx-library").close();
    if (onPick) onPick(item.id);
  });

  // Cropping: cropperjs with the position's aspect ratio; stored as fractions of the image.
  let cropper = null, cropping = 0;
  function openCrop(n) {
    cropping = n;
    const v = view(n);
    const asset = byId.get(v.get("cover"));
    const image = $("wx-crop-image");
    $("wx-crop-title").textContent = n === 0 ? t.cropWide : t.cropSquare;
    $("wx-crop").showModal();
    if (cropper) cropper.destroy();
    image.src = asset.url;
    const start = () => {
      cropper = new window.Cropper(image, {
        aspectRatio: n === 0 ? 2.35 : 1, viewMode: 1, autoCropArea: 1, zoomable: false, rotatable: false,
        ready() {
          const parts = (v.get("cover_crop") || "").split("_").map(Number);
          if (parts.length === 4) {
            const d = cropper.getImageData();
            cropper.setData({ x: parts[0] * d.naturalWidth, y: parts[1] * d.naturalHeight, width: (parts[2] - parts[0]) * d.naturalWidth, height: (parts[3] - parts[1]) * d.naturalHeight });
          }
        },
      });
    };
    if (image.complete && image.naturalWidth) start(); else image.onload = start;
  }
  $("wx-crop-apply").addEventListener("click", () => {
    const d = cropper.getData();
    const img = cropper.getImageData();
    const clamp = (x) => Math.min(1, Math.max(0, x)).toFixed(6);
    const x1 = d.x / img.naturalWidth, y1 = d.y / img.naturalHeight;
    const crop = [x1, y1, x1 + d.width / img.naturalWidth, y1 + d.height / img.naturalHeight].map(clamp).join("_");
    view(cropping).set("cover_crop", crop);
    cropper.destroy();
    cropper = null;
    $("wx-crop").close();
    render();
  });
  $("wx-crop-cancel").addEventListener("click", () => { if (cropper) cropper.destroy(); cropper = null; $("wx-crop").close(); });

  $("wx-add").addEventListener("click", () => {
    if (count() >= limits.articles) return;
    state.articles.push({ title: "", body: "", author: "", digest: "", cover: null, cover_crop: "", images: [], original: false, source_url: "", open_comment: false, fans_only_comment: false });
    render();
    const last = document.querySelector(`[data-testid=wx-article-${count()}]`);
    if (last) last.scrollIntoView({ block: "start" });
  });

  for (const radio of document.querySelectorAll("[name=wx_delivery]")) {
    radio.checked = radio.value === (state.delivery || "publish");
    radio.addEventListener("change", () => { state.delivery = radio.value; });
  }

  $("wx-form").addEventListener("submit", () => {
    $("wx-push").value = JSON.stringify(state);
  });

  if (errors[""]) {
    $("wx-errors-top").textContent = errors[""].join(" ");
    $("wx-errors-top").hidden = false;
  }
  render();
})();

// The notice editor's live preview and a small formatting toolbar for the body.
//
// The preview is the real player in the chosen theme (/kiosk/preview), framed beside the form and
// scaled to fit: the form is posted (debounced) to the preview-manifest route, which reads it as a
// save would and answers a manifest holding just this notice; the frame gets it by postMessage, same
// origin only. The page works without this file (the form posts, and a "Xem trước" button renders a
// plain preview on the server). CSP allows scripts from 'self' only, so nothing here is inline.
(function () {
  "use strict";

  const form = document.querySelector("[data-notice-form]");
  const facts = document.querySelector("[data-durations]");
  const stringsNode = document.getElementById("preview-strings");
  if (!form || !facts || !stringsNode) return;
  const strings = stringsNode.dataset;

  // --- sanitising: a mirror of domain/sanitise.py, to count the words the server will keep ----------
  const ALLOWED = new Set(["p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "h2", "h3", "blockquote"]);
  const DROP_WITH_CONTENT = new Set(["script", "style", "template", "iframe", "object", "noscript"]);
  const KNOWN_TAG = /<\/?(p|br|strong|b|em|i|u|ul|ol|li|a|h[1-6]|blockquote|div|span|script|style)\b/i;

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }

  // Plain text becomes paragraphs at blank lines and line breaks inside them, as clean_body does.
  function paragraphsHtml(text) {
    return text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean)
      .map((p) => "<p>" + escapeHtml(p).replace(/\n/g, "<br>") + "</p>").join("");
  }

  function copyAllowed(source, target) {
    for (const node of Array.from(source.childNodes)) {
      if (node.nodeType === Node.TEXT_NODE) {
        target.appendChild(document.createTextNode(node.data));
      } else if (node.nodeType === Node.ELEMENT_NODE) {
        const tag = node.localName;
        if (DROP_WITH_CONTENT.has(tag)) continue;
        if (!ALLOWED.has(tag)) {
          copyAllowed(node, target); // unwrap: keep the words, lose the tag
          continue;
        }
        const element = document.createElement(tag === "a" ? "span" : tag);
        copyAllowed(node, element);
        target.appendChild(element);
      }
    }
  }

  // Chromium reports a CSP violation as soon as a parser meets an on* attribute, even in an inert
  // document where nothing can run; renaming them inside tags keeps the console clean. Safety does
  // not rest on this: no attribute is ever copied.
  const HANDLER = /(\s)on([a-z]+\s*=)/gi;
  const quiet = (html) => html.replace(/<[a-z][^>]*>/gi, (tag) => tag.replace(HANDLER, "$1data-was-on$2"));

  // Returns a <div> holding what the sanitiser keeps of `raw`, built from fresh elements only.
  function safeBody(raw) {
    const holder = document.createElement("div");
    let text = (raw || "").trim();
    if (text && !KNOWN_TAG.test(text)) text = paragraphsHtml(text);
    const inert = new DOMParser().parseFromString(quiet(text), "text/html");
    copyAllowed(inert.body, holder);
    return holder;
  }

  function plainText(html) {
    const spaced = html.replace(/<[^>]+>/g, " ");
    const decoded = new DOMParser().parseFromString(spaced, "text/html").documentElement.textContent || "";
    return decoded.replace(/\s+/g, " ").trim();
  }

  // --- durations: a mirror of domain/durations.py ----------------------------------------------------
  const d = facts.dataset;
  const limits = {
    wps: Number(d.wordsPerSecond), leadIn: Number(d.leadIn), minText: Number(d.minText),
    maxText: Number(d.maxText), image: Number(d.image), pdfPage: Number(d.pdfPage), maxDuration: Number(d.maxDuration),
  };
  const round1 = (x) => Math.round(x * 10) / 10;

  function readingTime(text) {
    const words = text.split(/\s+/).filter(Boolean).length;
    return round1(Math.min(limits.maxText, Math.max(limits.minText, limits.leadIn + words / limits.wps)));
  }

  function defaultDuration(text, playables) {
    const videos = playables.filter((p) => p.kind === "video").map((p) => p.duration_s || 0);
    if (videos.length) return round1(Math.min(limits.maxDuration, videos.reduce((a, b) => a + b, 0)));
    const images = playables.filter((p) => p.kind === "image");
    if (images.length) {
      const per = images.some((p) => p.page) ? limits.pdfPage : limits.image;
      return round1(Math.max(readingTime(text), per * images.length));
    }
    return readingTime(text);
  }

  const numbers = new Intl.NumberFormat(document.documentElement.lang || "vi", { maximumFractionDigits: 1 });
  const seconds = (x) => numbers.format(x);
  const fill = (template, value) => template.replace("{s}", value);

  // --- reading the form ----------------------------------------------------------------------------
  const field = (name) => form.elements.namedItem(name);
  const part = (name) => document.querySelector(`[data-part="${name}"]`);
  let language = ""; // "" is the original; otherwise a translation's language code

  function translations() {
    return Array.from(form.querySelectorAll("[data-translation-row]")).map((row) => {
      const [lang, title, body] = row.querySelectorAll("input, textarea");
      return { language: lang.value.trim(), title: title.value.trim(), body: body.value };
    }).filter((t) => t.language && t.title);
  }

  function chosenMedia() {
    return Array.from(form.querySelectorAll('input[name="media_ids"]:checked'));
  }

  // --- drawing --------------------------------------------------------------------------------------
  let shownLanguages = null;

  function renderLanguages(list) {
    const box = part("langs");
    if (!box) return;
    if (language && !list.some((t) => t.language === language)) language = "";
    const codes = list.map((t) => t.language).join(" ");
    // Rebuild only when the languages change: a button replaced between mousedown and click
    // (a blur fires "change" in between) would swallow the click.
    if (codes !== shownLanguages) {
      shownLanguages = codes;
      box.querySelectorAll("button").forEach((b) => b.remove());
      [""].concat(list.map((t) => t.language)).forEach((code) => {
        const button = document.createElement("button");
        button.type = "button";
        button.dataset.language = code;
        button.textContent = code || strings.original;
        button.addEventListener("click", () => { language = code; render(); });
        box.appendChild(button);
      });
    }
    box.hidden = list.length === 0;
    box.querySelectorAll("button").forEach((button) => {
      const current = button.dataset.language === language;
      button.className = "button small" + (current ? " primary" : "");
      button.setAttribute("aria-pressed", String(current));
    });
  }

  function render() {
    renderLanguages(translations());
    const media = chosenMedia();
    // Reading time and the default slot count the original text, as the server does.
    const original = field("title").value + " " + plainText(safeBody(field("body").value).innerHTML);
    const playables = media.flatMap((m) => { try { return JSON.parse(m.dataset.playables || "[]"); } catch (e) { return []; } });
    const reading = readingTime(original);
    const automatic = defaultDuration(original, playables);
    part("reading").textContent = fill(strings.seconds, seconds(reading));
    const typed = field("duration_s").value.trim();
    part("duration").textContent = typed ? fill(strings.seconds, typed) : fill(strings.auto, seconds(automatic));
    field("duration_s").placeholder = fill(strings.auto, seconds(automatic));
    live.changed();
  }

  // --- the toolbar ------------------------------------------------------------------------------
  const OPEN = "\uE000";
  const CLOSE = "\uE001";

  function format(textarea, kind) {
    const value = textarea.value;
    let start = textarea.selectionStart;
    let end = textarea.selectionEnd;
    const plain = value.trim() !== "" && !KNOWN_TAG.test(value);
    let before = value.slice(0, start);
    let chosen = value.slice(start, end);
    let after = value.slice(end);
    let result;
    if (kind === "list") {
      const items = chosen.split("\n").map((line) => line.trim()).filter(Boolean);
      const lines = (items.length ? items : [""]).map((line) => "<li>" + (plain ? escapeHtml(line) : line) + "</li>");
      const list = "<ul>\n" + lines.join("\n") + "\n</ul>";
      if (plain) { before = paragraphsHtml(before); after = paragraphsHtml(after); }
      result = before + (before ? "\n" : "") + OPEN + list + CLOSE + (after ? "\n" : "") + after;
    } else {
      const tags = { bold: ["<strong>", "</strong>"], italic: ["<em>", "</em>"], link: ['<a href="https://">', "</a>"] }[kind];
      const marked = before + OPEN + chosen + CLOSE + after;
      const html = plain ? paragraphsHtml(marked) : marked;
      result = html.replace(OPEN, OPEN + tags[0]).replace(CLOSE, tags[1] + CLOSE);
    }
    start = result.indexOf(OPEN);
    end = result.indexOf(CLOSE) - 1;
    if (kind === "link") {
      // Select the address so the officer types it straight away.
      start += '<a href="'.length;
      end = start + "https://".length;
    }
    textarea.value = result.replace(OPEN, "").replace(CLOSE, "");
    textarea.setSelectionRange(start, end);
    textarea.focus();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function buildToolbar() {
    const bar = document.querySelector('[data-toolbar="body"]');
    const textarea = field("body");
    if (!bar || !textarea) return;
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", strings.toolbarLabel);
    bar.setAttribute("aria-controls", textarea.id);
    [["bold", strings.bold, "B"], ["italic", strings.italic, "I"], ["list", strings.list, "•"], ["link", strings.link, "⛓"]]
      .forEach(([kind, label, glyph]) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "tool tool-" + kind;
        button.title = label;
        const mark = document.createElement("span");
        mark.setAttribute("aria-hidden", "true");
        mark.textContent = glyph;
        const words = document.createElement("span");
        words.className = "tool-label";
        words.textContent = label;
        button.append(mark, words);
        button.addEventListener("click", () => format(textarea, kind));
        bar.appendChild(button);
      });
    bar.hidden = false;
  }

  // --- wiring -------------------------------------------------------------------------------------
  const nojs = form.querySelector("[data-nojs-preview]");
  if (nojs) nojs.hidden = true;
  buildToolbar();
  // The live preview frame is shared with the playlist editor (preview-frame.js).
  const live = window.kioskPreviewFrame
    ? window.kioskPreviewFrame(form, (data) => data.set("preview_language", language))
    : { changed() {} };
  form.addEventListener("input", render);
  form.addEventListener("change", render);
  render();
})();

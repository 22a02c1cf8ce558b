// The notice editor's live preview and a small formatting toolbar for the body.
//
// The preview is the real player in the chosen theme (/kiosk/preview), framed beside the form and
// scaled to fit: the form is posted (debounced) to the preview-manifest route, which reads it as a
// save would and answers a manifest holding just this notice; the frame gets it by postMessage, same
// origin only. The page works without this file (the form posts, and a "Xem trước" button renders a
// plain preview on the server). CSP allows scripts from 'self' only, so nothing here is inline.
// The rules mirrored from the server (what the sanitiser keeps, reading time, default duration) are
// modules of their own, held to the Python by shared test vectors.
import { defaultDuration, limitsFromDataset, readingTime } from "./durations.js";
import { previewFrame } from "./preview-frame.js";
import { keptText } from "./safe-body.js";
import { fillSeconds, pageStrings } from "./seconds.js";
import { escapeHtml, looksLikeHtml, paragraphsHtml } from "./text.js";

function startEditor(form, facts, strings) {
  const limits = limitsFromDataset(facts.dataset);

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
    const original = field("title").value + " " + keptText(field("body").value);
    const playables = media.flatMap((m) => { try { return JSON.parse(m.dataset.playables || "[]"); } catch (e) { return []; } });
    const reading = readingTime(original, limits);
    const automatic = defaultDuration(original, playables, limits);
    part("reading").textContent = fillSeconds(strings.seconds, reading);
    const typed = field("duration_s").value.trim();
    part("duration").textContent = typed ? fillSeconds(strings.seconds, typed) : fillSeconds(strings.auto, automatic);
    field("duration_s").placeholder = fillSeconds(strings.auto, automatic);
    live.changed();
  }

  // --- the toolbar ------------------------------------------------------------------------------
  const OPEN = "\uE000";
  const CLOSE = "\uE001";

  function format(textarea, kind) {
    const value = textarea.value;
    let start = textarea.selectionStart;
    let end = textarea.selectionEnd;
    const plain = value.trim() !== "" && !looksLikeHtml(value);
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
  const live = previewFrame(form, (data) => data.set("preview_language", language));
  form.addEventListener("input", render);
  form.addEventListener("change", render);
  render();
}

const form = document.querySelector("[data-notice-form]");
const facts = document.querySelector("[data-durations]");
const strings = pageStrings("preview-strings");
if (form && facts && strings) startEditor(form, facts, strings);

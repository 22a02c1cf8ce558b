// The playlist editor in the page: reorder the items by drag and drop (the HTML5 API) or with the
// Up and Down buttons (keyboard too), add from the pickers and remove without a round trip, keep
// the loop's total length and the live preview (preview-frame.js) up to date.
//
// Without this file the same buttons post the form and the server redraws it (playlist_forms.py),
// so the order is always what the posted `items-N-*` fields say: this file renumbers them after
// every move. CSP allows scripts from 'self' only, so nothing here is inline.
import { previewFrame } from "./preview-frame.js";
import { fillSeconds, formatSeconds, pageStrings } from "./seconds.js";

function startEditor(form, list, strings) {
  const total = form.querySelector("[data-loop-total]");
  const empty = form.querySelector("[data-items-empty]");
  const live = previewFrame(form);

  // A polite live region tells a screen-reader user where a moved item went.
  const status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  list.after(status);

  const items = () => Array.from(list.querySelectorAll("[data-item]"));

  function secondsOf(item) {
    if (item.dataset.plays !== "1") return 0;
    const own = item.querySelector('[data-part="duration"]');
    const chosen = own && Number(String(own.value).replace(",", "."));
    return chosen > 0 ? chosen : Number(item.dataset.seconds) || 0;
  }

  /** Gives every row the field names and button values of its place, and redraws the total. */
  function renumber() {
    items().forEach((item, n) => {
      item.querySelectorAll("[data-part]").forEach((input) => { input.name = `items-${n}-${input.dataset.part}`; });
      item.querySelector('[data-move="up"]').value = `${n}:up`;
      item.querySelector('[data-move="down"]').value = `${n}:down`;
      item.querySelector("[data-remove]").value = String(n);
    });
    const sum = items().reduce((acc, item) => acc + secondsOf(item), 0);
    total.textContent = fillSeconds(total.dataset.template, sum);
    empty.hidden = items().length > 0;
    live.changed();
  }

  function announce(item) {
    const title = item.querySelector("[data-item-title]").textContent;
    status.textContent = strings.moved.replace("{title}", title).replace("{n}", String(items().indexOf(item) + 1));
  }

  function move(item, direction) {
    const other = direction === "up" ? item.previousElementSibling : item.nextElementSibling;
    if (!other) return;
    if (direction === "up") other.before(item);
    else other.after(item);
    renumber();
    announce(item);
    item.querySelector(`[data-move="${direction}"]`).focus();
  }

  function remove(item) {
    const next = item.nextElementSibling || item.previousElementSibling;
    item.remove();
    renumber();
    (next ? next.querySelector("[data-remove]") : list).focus();
  }

  function element(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => node.setAttribute(key, value));
    children.forEach((child) => node.append(child));
    return node;
  }

  function button(label, hidden, attrs) {
    return element("button", { class: "button small ghost", type: "submit", ...attrs }, label,
      element("span", { class: "visually-hidden" }, hidden));
  }

  /** Builds the row of a picked notice or media file, as the server draws one. */
  function row(picked) {
    const { kind, ref, title, thumb, seconds, kindLabel } = picked.dataset;
    const item = element("li", { class: "pl-item", draggable: "true", "data-item": "", "data-seconds": seconds,
      "data-plays": "1" });
    const thumbBox = element("span", { class: "pl-thumb" });
    if (thumb) thumbBox.append(element("img", { src: thumb, alt: "", loading: "lazy" }));
    const facts = element("span", { class: "muted small" }, kindLabel);
    if (Number(seconds)) facts.append(" · ", fillSeconds(strings.seconds, Number(seconds)));
    item.append(
      element("span", { class: "pl-handle", "aria-hidden": "true" }, "⠿"),
      thumbBox,
      element("span", { class: "pl-text" }, element("strong", { "data-item-title": "" }, title), " ", facts),
      element("input", { type: "hidden", value: kind, "data-part": "kind" }),
      element("input", { type: "hidden", value: ref, "data-part": "ref" }),
    );
    if (kind === "media") {
      item.append(element("span", { class: "pl-fields" },
        element("label", {}, `${strings.duration} `, element("input", { class: "pl-duration", type: "number", min: "1",
          max: "3600", step: "any", inputmode: "decimal", placeholder: formatSeconds(Number(seconds) || 0),
          "data-part": "duration" })),
        " ",
        element("label", {}, `${strings.caption} `, element("input", { maxlength: "200", autocomplete: "off",
          "data-part": "caption" }))));
    }
    item.append(element("span", { class: "pl-moves" },
      button("↑", ` ${strings.up}: ${title}`, { name: "move", "data-move": "up" }),
      button("↓", ` ${strings.down}: ${title}`, { name: "move", "data-move": "down" }),
      button(strings.remove, ` ${title}`, { name: "remove", "data-remove": "" })));
    return item;
  }

  form.addEventListener("click", (event) => {
    const target = event.target.closest("button");
    if (!target) return;
    const item = target.closest("[data-item]");
    if (target.dataset.move && item) {
      event.preventDefault();
      move(item, target.dataset.move);
    } else if (target.hasAttribute("data-remove") && item) {
      event.preventDefault();
      remove(item);
    } else if (target.hasAttribute("data-add")) {
      event.preventDefault();
      const added = row(target);
      list.append(added);
      renumber();
      announce(added);
    }
  });

  // --- drag and drop ---------------------------------------------------------------------------
  let dragged = null;

  list.addEventListener("dragstart", (event) => {
    dragged = event.target.closest("[data-item]");
    if (!dragged) return;
    dragged.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.querySelector("[data-item-title]").textContent);
  });

  list.addEventListener("dragover", (event) => {
    if (!dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    // The row goes before the first row whose middle lies below the pointer.
    const after = items().find((item) => {
      if (item === dragged) return false;
      const box = item.getBoundingClientRect();
      return event.clientY < box.top + box.height / 2;
    });
    if (after) after.before(dragged);
    else list.append(dragged);
  });

  list.addEventListener("drop", (event) => {
    if (dragged) event.preventDefault();
  });

  list.addEventListener("dragend", () => {
    if (!dragged) return;
    dragged.classList.remove("is-dragging");
    const moved = dragged;
    dragged = null;
    renumber();
    announce(moved);
  });

  form.addEventListener("input", (event) => {
    if (event.target.matches('[data-part="duration"]')) renumber();
    else live.changed();
  });
  form.addEventListener("change", () => live.changed());
  renumber();
}

const form = document.querySelector("[data-playlist-form]");
const list = form && form.querySelector("[data-items]");
const strings = pageStrings("playlist-strings");
if (form && list && strings) startEditor(form, list, strings);

// Emergency alerts in the officer UI.
// On an alert's page: live receipts. The /admin Socket.IO namespace pushes `alert_acks` (a list) when screens'
// receipts are stored and `kiosk_statuses` (a list) when screens connect or drop; rows update in place, and
// the page catches up from /admin/alerts/<id>/receipts whenever its socket (re)connects.
// On the raise screen: quick expiry buttons, the expiry written out on the Viet Nam clock, a filter
// for long lists of communes, and one click only on "confirm". Every page works without this file.

import { badge } from "./badge.js";

const VN_OFFSET_MS = 7 * 3600 * 1000; // Asia/Ho_Chi_Minh has no daylight saving time
const pad = (n) => String(n).padStart(2, "0");

function vnParts(ms) {
  const d = new Date(ms + VN_OFFSET_MS);
  return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds() };
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
}

// --- live receipts ------------------------------------------------------------------------------

function startReceipts(table) {
  const alertId = Number(table.dataset.alertId);
  const state = document.getElementById("live-state");
  const summary = document.getElementById("receipt-summary");
  const rowOf = (id) => table.querySelector(`tr[data-kiosk-id="${Number(id)}"]`);

  function flash(row) {
    row.classList.add("just-updated");
    setTimeout(() => row.classList.remove("just-updated"), 1500);
  }

  function setOnline(row, online) {
    const value = online ? "1" : "0";
    if (row.dataset.online === value) return false;
    row.dataset.online = value;
    row.querySelector('[data-field="online"]').replaceChildren(
      online ? badge("ok", table.dataset.online) : badge("warn", table.dataset.offline));
    return true;
  }

  function setShown(row, iso) {
    if (!iso || row.dataset.acked === "1") return false;
    const t = vnParts(Date.parse(iso));
    const time = document.createElement("time");
    time.dateTime = iso;
    time.title = `${pad(t.d)}/${pad(t.mo)}/${t.y} ${pad(t.h)}:${pad(t.mi)}:${pad(t.s)}`;
    time.textContent = fill(table.dataset.shown, { time: `${pad(t.h)}:${pad(t.mi)}:${pad(t.s)}` });
    const mark = badge("ok", "");
    mark.replaceChildren(time);
    row.dataset.acked = "1";
    row.querySelector('[data-field="ack"]').replaceChildren(mark);
    return true;
  }

  function recount() {
    const rows = [...table.tBodies[0].rows];
    const counts = {
      total: rows.length,
      shown: rows.filter((r) => r.dataset.acked === "1").length,
      offline: rows.filter((r) => r.dataset.online === "0").length,
    };
    counts.waiting = counts.total - counts.shown;
    for (const node of document.querySelectorAll("[data-count]")) {
      node.textContent = String(counts[node.dataset.count]);
    }
    if (summary) {
      summary.textContent = fill(counts.offline ? summary.dataset.template : summary.dataset.templateAll, counts);
    }
  }

  async function catchUp() {
    try {
      const response = await fetch(table.dataset.receiptsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const body = await response.json();
      for (const screen of body.screens) {
        const row = rowOf(screen.id);
        if (!row) continue;
        const changed = setOnline(row, screen.online) | setShown(row, screen.acked_at);
        if (changed) flash(row);
      }
      recount();
    } catch {
      // The socket's own reconnection brings the next catch-up.
    }
  }

  import("/vendor/socket.io-client/socket.io.esm.min.js").then(({ io }) => {
    state.textContent = state.dataset.connecting;
    const socket = io("/admin", { transports: ["websocket"], reconnectionDelayMax: 30000 });
    socket.on("connect", () => {
      state.textContent = state.dataset.live;
      catchUp();
    });
    socket.on("disconnect", () => { state.textContent = state.dataset.lost; });
    socket.on("alert_acks", (acks) => {
      // One event per batch of receipts written (services/receipts.py), each for any alert.
      let changed = false;
      for (const ack of Array.isArray(acks) ? acks : []) {
        if (!ack || ack.alert_id !== alertId) continue;
        const row = rowOf(ack.kiosk_id);
        if (row && setShown(row, ack.at)) {
          flash(row);
          changed = true;
        }
      }
      if (changed) recount();
    });
    socket.on("kiosk_statuses", (statuses) => {
      let changed = false;
      for (const status of Array.isArray(statuses) ? statuses : []) {
        const row = status && rowOf(status.id);
        if (row && setOnline(row, status.online && !status.revoked)) {
          flash(row);
          changed = true;
        }
      }
      if (changed) recount();
    });
  });
}

// --- raise screen -------------------------------------------------------------------------------

function localValue(ms) {
  const t = vnParts(ms);
  return `${t.y}-${pad(t.mo)}-${pad(t.d)}T${pad(t.h)}:${pad(t.mi)}`;
}

function parseLocal(value) {
  // A datetime-local value is wall-clock time in Viet Nam (the server reads it so too).
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value || "");
  if (!m) return null;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]) - VN_OFFSET_MS;
}

function enhanceExpiry(form) {
  const input = form.querySelector("[data-expires]");
  const echo = form.querySelector("[data-echo]");
  const quick = form.querySelector("[data-quick-box]");
  if (!input || !echo) return;
  const buttons = quick ? [...quick.querySelectorAll("[data-quick-hours]")] : [];

  function describe() {
    const at = parseLocal(input.value);
    if (at === null) return;
    if (at <= Date.now()) {
      echo.textContent = echo.dataset.past;
      return;
    }
    const t = vnParts(at);
    const hours = Math.round(((at - Date.now()) / 3600000) * 10) / 10;
    echo.textContent = fill(echo.dataset.template, {
      time: `${pad(t.h)}:${pad(t.mi)}`,
      date: `${pad(t.d)}/${pad(t.mo)}/${t.y}`,
      hours: String(hours).replace(".", document.documentElement.lang === "vi" ? "," : "."),
    });
  }

  for (const button of buttons) {
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", () => {
      input.value = localValue(Date.now() + Number(button.dataset.quickHours) * 3600000);
      for (const other of buttons) other.setAttribute("aria-pressed", String(other === button));
      describe();
    });
  }
  input.addEventListener("input", () => {
    for (const other of buttons) other.setAttribute("aria-pressed", "false");
    describe();
  });
  if (quick) quick.hidden = false;
  describe();
}

const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();

function enhanceArea(form) {
  const list = form.querySelector("[data-area-list]");
  const filterBox = form.querySelector("[data-unit-filter-box]");
  const filter = form.querySelector("[data-unit-filter]");
  const picked = form.querySelector("[data-area-picked]");

  if (list && filterBox && filter) {
    filterBox.hidden = false;
    filter.addEventListener("input", () => {
      const query = fold(filter.value.trim());
      for (const group of list.querySelectorAll(".area-group")) {
        let visible = 0;
        for (const option of group.querySelectorAll(".area-option")) {
          const match = !query || fold(option.textContent).includes(query);
          option.hidden = !match;
          if (match) visible += 1;
        }
        group.hidden = visible === 0;
      }
    });
  }

  function update() {
    const provinces = [...form.querySelectorAll("[data-province-box]")];
    const covered = new Set(provinces.filter((box) => box.checked).map((box) => box.value));
    for (const group of form.querySelectorAll(".area-group")) {
      group.classList.toggle("covered", covered.has(group.dataset.groupOf));
    }
    if (!picked) return;
    const boxes = [...form.querySelectorAll('input[name="unit_codes"]:checked')];
    let screens = 0;
    for (const box of boxes) {
      const group = box.closest(".area-group");
      if (group && covered.has(group.dataset.groupOf)) continue; // already counted with its province
      screens += Number(box.dataset.screens) || 0;
    }
    picked.hidden = boxes.length === 0;
    picked.textContent = fill(picked.dataset.template, { units: boxes.length, screens });
  }
  form.addEventListener("change", (event) => {
    if (event.target.name === "unit_codes") update();
  });
  update();
}

function guardConfirm(form) {
  // A second click while the first is on its way must not raise a second alert (the server checks too).
  form.addEventListener("submit", (event) => {
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    const button = event.submitter;
    if (button && button.dataset.busy) {
      button.setAttribute("aria-busy", "true");
      button.textContent = button.dataset.busy;
    }
  });
}

const receipts = document.getElementById("receipts");
if (receipts) startReceipts(receipts);
const alertForm = document.querySelector("[data-alert-form]");
if (alertForm) {
  enhanceExpiry(alertForm);
  enhanceArea(alertForm);
}
const confirmForm = document.querySelector("[data-confirm-form]");
if (confirmForm) guardConfirm(confirmForm);

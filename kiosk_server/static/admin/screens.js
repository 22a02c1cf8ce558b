// Live screen status for officers: the /admin Socket.IO namespace pushes `kiosk_statuses`, a list of
// the screens whose state an officer sees changed (connected or dropped, behind, playing something
// else), at most every few seconds per room; this updates the matching table rows in place.
import { io } from "/vendor/socket.io-client/socket.io.esm.min.js";

import { badge } from "./badge.js";

const table = document.getElementById("screens");
const state = document.getElementById("live-state");
const titlesNode = document.getElementById("item-titles");
const titles = titlesNode ? JSON.parse(titlesNode.textContent) : {};
const text = (key) => (table ? table.dataset[key] : "");

function formatTime(iso) {
  if (!iso) return text("never");
  const d = new Date(iso);
  // dd/mm/yyyy HH:MM on the Viet Nam clock, whatever the officer's computer is set to.
  const vn = new Date(d.getTime() + 7 * 3600 * 1000);
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(vn.getUTCDate())}/${pad(vn.getUTCMonth() + 1)}/${vn.getUTCFullYear()} ${pad(vn.getUTCHours())}:${pad(vn.getUTCMinutes())}`;
}

function formatUptime(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h ? `${h} giờ ${m} phút` : `${m} phút`;
}

function setCell(row, field, content) {
  const cell = row.querySelector(`[data-field="${field}"]`);
  if (!cell) return;
  cell.replaceChildren(typeof content === "string" ? document.createTextNode(content) : content);
}

function update(status) {
  const row = table && table.querySelector(`tr[data-kiosk-id="${status.id}"]`);
  if (!row) return;
  if (status.revoked) setCell(row, "online", badge("off", text("revoked")));
  else setCell(row, "online", status.online ? badge("ok", text("online")) : badge("warn", text("offline")));
  setCell(row, "current_item", status.current_item ? titles[status.current_item] || status.current_item : "—");
  if (status.reported_version !== null && status.reported_version !== undefined) {
    setCell(row, "version", status.behind ? badge("warn", text("behind")) : badge("ok", text("current")));
  }
  setCell(row, "uptime_s", formatUptime(status.uptime_s));
  setCell(row, "last_seen", formatTime(status.last_seen));
  row.classList.add("just-updated");
  setTimeout(() => row.classList.remove("just-updated"), 1500);
}

if (table) {
  state.textContent = state.dataset.connecting;
  const socket = io("/admin", { transports: ["websocket"], reconnectionDelayMax: 30000 });
  socket.on("connect", () => { state.textContent = state.dataset.live; });
  socket.on("disconnect", () => { state.textContent = state.dataset.lost; });
  socket.on("kiosk_statuses", (statuses) => { if (Array.isArray(statuses)) statuses.forEach(update); });
}

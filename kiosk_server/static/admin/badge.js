// The coloured status badge of the officer UI's live tables (alerts' receipts, screens), drawn as
// the server draws it: <span class="badge ok|warn|off">label</span>.

/** Returns a badge of `kind` (ok, warn, off) reading `label`. */
export function badge(kind, label) {
  const span = document.createElement("span");
  span.className = `badge ${kind}`;
  span.textContent = label;
  return span;
}

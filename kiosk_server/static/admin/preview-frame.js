// The live preview beside an editor (notices, playlists): the real player in the chosen theme
// (/kiosk/preview), framed and scaled to fit. The form is posted (debounced) to the page's
// preview-manifest route, which answers a manifest; the frame gets it by postMessage, same origin
// only. CSP allows scripts from 'self' only.
const READY = "kiosk-preview:ready";
const MANIFEST = "kiosk-preview:manifest";
const DEBOUNCE_MS = 300;
const NOTHING = { changed() {} };

/**
 * Returns `{changed()}`, to call when `form` changed: after a pause its fields are posted and the
 * frame shows the answer. `extra(formData)` may add fields to each post. Without the page's preview
 * box (or fetch), `changed()` does nothing and the page keeps its server-drawn preview.
 */
export function previewFrame(form, extra) {
  const box = document.querySelector("[data-preview-live]");
  const frameBox = box && box.querySelector("[data-preview-frame]");
  const iframe = frameBox && frameBox.querySelector("iframe");
  const picker = box && box.querySelector("[data-preview-theme]");
  if (!iframe || !picker || !window.fetch || !window.FormData) return NOTHING;
  let ready = false;
  let manifest = null; // the last one the server answered, as JSON text
  let sent = null; // the one the frame shows
  let asked = 0;
  let timer = null;

  function send() {
    if (!ready || !manifest || manifest === sent || !iframe.contentWindow) return;
    sent = manifest;
    iframe.contentWindow.postMessage({ type: MANIFEST, manifest: JSON.parse(manifest) }, location.origin);
  }

  async function fetchManifest() {
    const mine = ++asked;
    const data = new FormData(form);
    data.delete("action");
    data.set("preview_theme", picker.value);
    if (extra) extra(data);
    try {
      const response = await fetch(box.dataset.manifestUrl, {
        method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" },
      });
      if (!response.ok || mine !== asked) return;
      const text = JSON.stringify(await response.json());
      if (mine !== asked) return;
      manifest = text;
      send();
    } catch (error) {
      // A lost request leaves the last preview up; the next change asks again.
    }
  }

  // The frame is drawn at the theme's real size and scaled down to the column (and to most of the
  // window's height, for a portrait screen), keeping its aspect ratio.
  function fit() {
    const option = picker.selectedOptions[0];
    const width = Number(option && option.dataset.width) || 1920;
    const height = Number(option && option.dataset.height) || 1080;
    const room = box.clientWidth;
    const scale = Math.min(room / width, (window.innerHeight * 0.7) / height);
    iframe.width = String(width);
    iframe.height = String(height);
    frameBox.style.width = `${Math.floor(width * scale)}px`;
    frameBox.style.height = `${Math.floor(height * scale)}px`;
    iframe.style.transform = `scale(${scale})`;
  }

  function load() {
    ready = false;
    sent = null;
    frameBox.dataset.theme = picker.value;
    iframe.src = `${box.dataset.frameUrl}?theme=${encodeURIComponent(picker.value)}`;
    fit();
  }

  window.addEventListener("message", (event) => {
    if (event.origin !== location.origin || event.source !== iframe.contentWindow) return;
    if (event.data && event.data.type === READY) {
      ready = true;
      sent = null;
      send();
    }
  });
  picker.addEventListener("change", load);
  window.addEventListener("resize", fit);
  box.hidden = false;
  document.querySelector("[data-preview-static]").hidden = true;
  document.querySelector("[data-preview-static-hint]").hidden = true;
  document.querySelector("[data-preview-live-hint]").hidden = false;
  load();
  return {
    changed() {
      clearTimeout(timer);
      timer = setTimeout(fetchManifest, DEBOUNCE_MS);
    },
  };
}

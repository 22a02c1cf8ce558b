// Media upload with a progress bar. The form works without this script (a plain multipart post);
// with it, the same form is sent by XMLHttpRequest so the officer sees how far the upload is and,
// on refusal, the server's Vietnamese reason beside the form. Every text comes from data-msg-*
// attributes written by the server in the officer's language.
function setup(form) {
  const progressBox = form.querySelector("[data-upload-progress]");
  const bar = progressBox && progressBox.querySelector("progress");
  const text = progressBox && progressBox.querySelector("[data-upload-text]");
  const errorBox = form.querySelector("[data-upload-error]");
  const button = form.querySelector("button[type=submit]");
  const input = form.querySelector("input[type=file]");
  const maxBytes = parseInt(form.dataset.maxBytes || "0", 10);

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    progressBox.hidden = true;
    button.disabled = false;
    if (input) { input.setAttribute("aria-invalid", "true"); }
  }

  function showProgress(fraction) {
    const percent = Math.floor(fraction * 100);
    progressBox.hidden = false;
    bar.value = percent;
    text.textContent = fraction >= 1
      ? form.dataset.msgChecking
      : form.dataset.msgProgress.replace("{percent}", percent + "%");
  }

  function answer(xhr) {
    let body = null;
    try { body = JSON.parse(xhr.responseText); } catch (ignored) { body = null; }
    if (xhr.status === 201) {
      // The grid is drawn by the server; show it with the new file (and the flash-free success text).
      text.textContent = body && body.message ? body.message : "";
      window.location.assign(window.location.pathname + window.location.search);
      return;
    }
    const error = body && body.error;
    showError(error && error.message ? error.message : form.dataset.msgFailed);
  }

  form.addEventListener("submit", function (event) {
    if (!input || !input.files || input.files.length === 0) { return; } // the server explains
    const file = input.files[0];
    event.preventDefault();
    errorBox.hidden = true;
    if (input) { input.removeAttribute("aria-invalid"); }
    if (maxBytes && file.size > maxBytes) { showError(form.dataset.msgTooLarge); return; }

    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) { showProgress(e.loaded / e.total); }
    });
    xhr.addEventListener("load", function () { answer(xhr); });
    xhr.addEventListener("error", function () { showError(form.dataset.msgNetwork); });
    xhr.addEventListener("abort", function () { showError(form.dataset.msgNetwork); });
    button.disabled = true;
    showProgress(0);
    xhr.send(new FormData(form));
  });
}

document.querySelectorAll("form[data-upload]").forEach(setup);

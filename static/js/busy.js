// "Busy" feedback for slow requests (imports, big maps, PDF): every page works without it.
//
// <form data-busy="Bezig…">  on submit: a polite status message next to the buttons,
//                            aria-busy on the form, submit buttons disabled (no double
//                            submit) until the next page arrives.
// <a data-busy="Bezig…">     on activation (click, Enter): the same next to the link; a
//                            second activation within 15 s is ignored (a download that
//                            opens elsewhere leaves the page, so it may be asked again).
// <form data-busy data-busy-download>  a form whose answer is a download (no new page):
//                            it sends a random download_token; the server echoes it in
//                            the cookie rem_download with the answer's headers, and the
//                            busy state ends when that cookie appears.
// A page restored from the back/forward cache starts fresh.
(() => {
  const busyElements = () => document.querySelectorAll("form[data-busy], a[data-busy]");

  // The live region must exist before its text changes, or screen readers stay silent.
  function statusFor(el) {
    if (el.busyStatus) return el.busyStatus;
    const status = document.createElement(el.tagName === "A" ? "span" : "p");
    status.className = "busy-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    const actions = el.tagName === "FORM" ? el.querySelector(".form-actions") : null;
    if (actions) actions.after(status);
    else if (el.tagName === "FORM") el.append(status);
    else el.after(status);
    el.busyStatus = status;
    return status;
  }

  const RETRY_AFTER_MS = 15000;

  function randomToken() {
    const bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // For a download: send a token, and stop being busy when the server hands it back.
  function watchDownload(form) {
    const token = randomToken();
    let input = form.querySelector("input[name=download_token]");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = "download_token";
      form.append(input);
    }
    input.value = token;
    const started = Date.now();
    const timer = window.setInterval(() => {
      const done = document.cookie.split("; ").includes(`rem_download=${token}`);
      if (done || Date.now() - started > 10 * 60 * 1000) {
        window.clearInterval(timer);
        document.cookie = "rem_download=; Max-Age=0; Path=/; SameSite=Lax";
        stop(form);
      }
    }, 400);
  }

  function start(el, submitter) {
    el.dataset.busyActive = String(Date.now());
    el.setAttribute("aria-busy", "true");
    const status = statusFor(el);
    status.textContent = el.dataset.busy;
    status.classList.add("is-busy");
    if (el.tagName === "FORM") {
      // Disable after the browser has read the form, so the pressed button's value is sent.
      window.setTimeout(() => {
        el.querySelectorAll("button, input[type=submit]").forEach((button) => {
          if (button.type === "submit" || button.tagName === "INPUT") {
            button.dataset.busyDisabled = button.disabled ? "" : "1";
            button.disabled = true;
          }
        });
        if (submitter) submitter.setAttribute("aria-busy", "true");
      }, 0);
    } else {
      el.setAttribute("aria-disabled", "true");
    }
  }

  function stop(el) {
    delete el.dataset.busyActive;
    el.removeAttribute("aria-busy");
    el.removeAttribute("aria-disabled");
    if (el.busyStatus) {
      el.busyStatus.textContent = "";
      el.busyStatus.classList.remove("is-busy");
    }
    el.querySelectorAll("[data-busy-disabled]").forEach((button) => {
      if (button.dataset.busyDisabled === "1") button.disabled = false;
      delete button.dataset.busyDisabled;
      button.removeAttribute("aria-busy");
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    busyElements().forEach((el) => {
      statusFor(el);
      if (el.tagName === "FORM") {
        el.addEventListener("submit", (event) => {
          if (event.defaultPrevented) return; // e.g. a "are you sure?" that was refused
          if (el.dataset.busyActive) {
            event.preventDefault(); // already on its way
            return;
          }
          if ("busyDownload" in el.dataset) watchDownload(el);
          start(el, event.submitter);
        });
      } else {
        el.addEventListener("click", (event) => {
          if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey
              || event.shiftKey || event.altKey || el.target === "_blank") return;
          if (el.dataset.busyActive
              && Date.now() - Number(el.dataset.busyActive) < RETRY_AFTER_MS) {
            event.preventDefault();
            return;
          }
          start(el);
        });
      }
    });
  });

  window.addEventListener("pageshow", (event) => {
    if (event.persisted) busyElements().forEach(stop);
  });
})();

// Evaluation sessions: participants' drafts, the live inbox and the projector.
// Every page works without this file; it only keeps typed text safe and the screens fresh.
(() => {
  "use strict";

  const FIELDS = ["text", "for_whom", "year", "period", "intended", "valence", "grew_from"];

  function readDraft(storageKey) {
    try {
      const draft = JSON.parse(window.localStorage.getItem(storageKey) || "null");
      return draft && typeof draft === "object" && draft.fields ? draft : null;
    } catch {
      return null;
    }
  }

  function writeDraft(storageKey, draft) {
    try {
      window.localStorage.setItem(storageKey, JSON.stringify(draft));
    } catch {
      // Private mode or a full storage: the form still works, only without a safety net.
    }
  }

  function dropDraft(storageKey) {
    try {
      window.localStorage.removeItem(storageKey);
    } catch {
      // nothing to do
    }
  }

  function fieldValues(form) {
    const values = {};
    FIELDS.forEach((name) => {
      const elements = form.elements[name];
      if (elements) values[name] = elements.value; // RadioNodeList.value is the checked one
    });
    return values;
  }

  function fillFields(form, values) {
    FIELDS.forEach((name) => {
      const elements = form.elements[name];
      if (!elements || values[name] === undefined) return;
      if (elements instanceof RadioNodeList) {
        Array.from(elements).forEach((el) => {
          el.checked = el.value === values[name];
        });
      } else {
        elements.value = values[name];
      }
    });
  }

  // --- the participant's story form ---------------------------------------------------------
  function storyPage(page) {
    const storageKey = page.dataset.draftKey;
    const received = new Set((page.dataset.receivedKeys || "").split(" ").filter(Boolean));
    const form = page.querySelector("form[data-story-form]");
    if (!form || !storageKey) return;
    const keyField = form.elements.key;
    const submit = form.querySelector("button[type=submit]");
    const offer = page.querySelector("[data-draft-offer]");
    const offline = page.querySelector("[data-offline-note]");
    const idleText = submit ? submit.textContent : "";

    let draft = readDraft(storageKey);
    if (draft && received.has(draft.key)) {
      dropDraft(storageKey); // it arrived: nothing to keep
      draft = null;
    }
    const typedNow = (form.elements.text.value || "").trim();
    if (draft && (draft.fields.text || "").trim() && !typedNow && offer) {
      offer.hidden = false;
      offer.querySelector("[data-draft-restore]").addEventListener("click", () => {
        fillFields(form, draft.fields);
        // The same key again: if the first try did arrive after all, it is not stored twice.
        if (draft.key) keyField.value = draft.key;
        offer.hidden = true;
        form.elements.text.focus();
      });
      offer.querySelector("[data-draft-discard]").addEventListener("click", () => {
        dropDraft(storageKey);
        offer.hidden = true;
      });
    }

    const save = () => {
      if (!(form.elements.text.value || "").trim()) return;
      writeDraft(storageKey, { key: keyField.value, fields: fieldValues(form), savedAt: Date.now() });
    };
    form.addEventListener("input", save);
    form.addEventListener("change", save);

    const ready = () => {
      if (!submit) return;
      submit.disabled = false;
      submit.removeAttribute("aria-busy");
      submit.textContent = idleText;
    };
    form.addEventListener("submit", (event) => {
      save();
      if (navigator.onLine === false) {
        event.preventDefault();
        if (offline) offline.hidden = false;
        return;
      }
      if (offline) offline.hidden = true;
      if (submit) {
        // One tap sends once; the key on the server catches any second request anyway.
        if (submit.disabled) {
          event.preventDefault();
          return;
        }
        window.setTimeout(() => {
          submit.disabled = true;
          submit.setAttribute("aria-busy", "true");
          if (submit.dataset.sendingText) submit.textContent = submit.dataset.sendingText;
        }, 0);
        window.setTimeout(ready, 15000); // a hanging connection: let them try again
      }
    });
    window.addEventListener("pageshow", ready);
    window.addEventListener("online", () => {
      if (offline) offline.hidden = true;
    });
  }

  // A closed session: show the text that was not sent, so it can be handed over.
  function leftoverDraft(box) {
    const storageKey = box.dataset.draftKey;
    const holder = box.querySelector("[data-draft-left]");
    if (!storageKey || !holder) return;
    const draft = readDraft(storageKey);
    if (!draft || !(draft.fields.text || "").trim()) return;
    holder.querySelector("[data-draft-text]").value = draft.fields.text;
    holder.hidden = false;
  }

  // --- live screens (htmx polling) -------------------------------------------------------------
  function markSessionNodes(live) {
    const ids = (live.dataset.sessionItems || "").split(" ").filter(Boolean);
    ids.forEach((id) => {
      const node = document.getElementById(`item-${id}`);
      if (node) node.classList.add("session-new");
    });
    const newest = live.dataset.newest && document.getElementById(`item-${live.dataset.newest}`);
    if (newest) newest.classList.add("session-newest");
  }

  // The projector's labels must stay readable from the back of the room. A map too large
  // for that when fitted whole zooms in (by its viewBox) on its newest items.
  const MIN_LABEL_PX = 18;

  function followNewest(live) {
    const svg = live.querySelector(".projector-map svg");
    const note = live.querySelector("[data-zoom-note]");
    if (!svg || !svg.viewBox || !svg.viewBox.baseVal) return;
    const sizes = Array.from(svg.querySelectorAll("g.node[id^='item-'] text"))
      .map((text) => parseFloat(text.getAttribute("font-size")))
      .filter((size) => size > 0);
    const matrix = svg.getScreenCTM();
    if (!sizes.length || !matrix) return;
    const smallest = Math.min(...sizes) * matrix.a;
    live.dataset.fittedLabelPx = smallest.toFixed(1);
    if (smallest >= MIN_LABEL_PX) {
      live.dataset.zoomed = "all";
      if (note) note.hidden = true;
      return;
    }
    const view = svg.viewBox.baseVal;
    // The zoomed window takes the screen's shape (not the map's), so it shows as much as fits.
    const scale = (MIN_LABEL_PX / smallest) * 1.02 * matrix.a;
    const screen = svg.getBoundingClientRect();
    const width = Math.min(view.width, screen.width / scale);
    const height = Math.min(view.height, screen.height / scale);
    // The newest items' box in the SVG's own units.
    const inverse = matrix.inverse();
    const toSvg = (x, y) => new DOMPoint(x, y).matrixTransform(inverse);
    const boxes = (live.dataset.follow || "").split(" ").filter(Boolean)
      .map((id) => document.getElementById(`item-${id}`))
      .filter(Boolean)
      .map((node) => {
        const rect = node.getBoundingClientRect();
        const a = toSvg(rect.left, rect.top);
        const b = toSvg(rect.right, rect.bottom);
        return { left: a.x, top: a.y, right: b.x, bottom: b.y };
      });
    if (!boxes.length) return;
    // Centre on all of them when they fit in the zoomed window, else on the newest.
    const all = boxes.reduce((u, b) => ({
      left: Math.min(u.left, b.left), top: Math.min(u.top, b.top),
      right: Math.max(u.right, b.right), bottom: Math.max(u.bottom, b.bottom),
    }));
    const box = (all.right - all.left <= width && all.bottom - all.top <= height) ? all : boxes[0];
    const clamp = (value, low, high) => Math.max(low, Math.min(value, high));
    const x = clamp((box.left + box.right - width) / 2, view.x, view.x + view.width - width);
    const y = clamp((box.top + box.bottom - height) / 2, view.y, view.y + view.height - height);
    svg.setAttribute("viewBox", `${x} ${y} ${width} ${height}`);
    live.dataset.zoomed = "newest";
    if (note) note.hidden = false;
  }

  // The wall is drawn in the shape of the map's box on this screen (a 4:3 projector, a
  // window that is not full screen): when the box's shape differs from the one drawn, the
  // next poll asks for the map in the box's shape (rounded as rem.workshops.drawing does).
  const SHAPE_STEPS = 20;

  function askForScreenShape(live) {
    const frame = live.querySelector(".projector-map .map-frame");
    if (!frame || !window.htmx) return;
    const box = frame.getBoundingClientRect();
    if (box.width < 100 || box.height < 100) return;
    const shape = (Math.round((box.width / box.height) * SHAPE_STEPS) / SHAPE_STEPS).toFixed(2);
    const url = new URL(live.getAttribute("hx-get"), window.location.href);
    if (shape === live.dataset.shape || shape === url.searchParams.get("shape")) return;
    url.searchParams.set("shape", shape);
    url.searchParams.delete("v"); // a new drawing, though nothing else changed
    live.setAttribute("hx-get", url.pathname + url.search);
    window.htmx.process(live);
  }

  function showOnWall(live) {
    markSessionNodes(live);
    followNewest(live);
    askForScreenShape(live);
  }

  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (!target || !target.hasAttribute("data-live-poll")) return;
    // Only ever swap in the same live block (never a sign-in page after a redirect).
    const body = event.detail.serverResponse || "";
    if (event.detail.xhr.status !== 200 || !body.includes(`id="${target.id}"`)) {
      event.detail.shouldSwap = false;
      return;
    }
    // Do not pull the inbox away from under someone who is choosing a cause or codes.
    const busy = target.contains(document.activeElement) && document.activeElement !== document.body;
    if (busy || target.querySelector("details.story-more[open]")) {
      event.detail.shouldSwap = false;
    }
  });

  document.addEventListener("htmx:afterSettle", () => {
    const live = document.getElementById("projector-live");
    if (live) showOnWall(live);
  });

  document.addEventListener("DOMContentLoaded", () => {
    const page = document.getElementById("story-page");
    if (page) storyPage(page);
    document.querySelectorAll(".join-problem[data-draft-key]").forEach(leftoverDraft);
    const live = document.getElementById("projector-live");
    if (live) {
      showOnWall(live);
      let resized = null;
      window.addEventListener("resize", () => {
        clearTimeout(resized);
        resized = setTimeout(() => {
          const current = document.getElementById("projector-live");
          if (current) askForScreenShape(current);
        }, 400);
      });
    }
    document.querySelectorAll("[data-fullscreen]").forEach((button) => {
      if (!document.documentElement.requestFullscreen) return;
      button.hidden = false;
      button.addEventListener("click", () => document.documentElement.requestFullscreen());
    });
    document.querySelectorAll("[data-print]").forEach((button) => {
      button.hidden = false;
      button.addEventListener("click", () => window.print());
    });
    document.querySelectorAll("[data-history-back]").forEach((button) => {
      if (window.history.length < 2) return;
      button.hidden = false;
      button.addEventListener("click", () => window.history.back());
    });
  });
})();

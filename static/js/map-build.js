// Building on the map: the side panel (htmx fragments from rem/maps/workspace.py), drawing a
// link by picking a cause and then an effect on the map, redrawing the map in place after a
// change (with the changed node marked), and keeping two people who map at once in step: the
// map polls itself every second (204 while nothing changed), and a change to the item that is
// open in the panel is shown, never silently overwritten.
(() => {
  "use strict";

  const section = document.getElementById("map-workspace");
  if (!section) return;
  const panel = document.getElementById("map-panel");
  const map = () => window.remMap;
  const canEdit = section.hasAttribute("data-can-edit");

  let openedFrom = null; // the element to return to when the panel closes
  let pendingChange = null; // {id, message}: our own change, to mark after the redraw
  let ownChangeUntil = 0; // redraws before this time come from our own changes
  let linkMode = null; // null, or {source: id|null}
  let quietPanel = false; // a panel refreshed in the background keeps the focus where it is
  let keptOwnPanel = false; // that refresh came too late: the person was working in the panel

  const csrfToken = () => {
    const field = document.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  };

  // --- the panel --------------------------------------------------------------------------
  function openPanel(id, from) {
    openedFrom = from || document.activeElement;
    window.htmx.ajax("GET", `${section.dataset.panelUrl}${id}`,
      { source: section, target: "#map-panel", swap: "innerHTML" });
  }

  function closePanel() {
    panel.hidden = true;
    panel.replaceChildren();
    markSelected(null);
    const back = openedFrom;
    openedFrom = null;
    if (back && document.body.contains(back)) back.focus({ preventScroll: true });
  }

  function markSelected(id) {
    document.querySelectorAll("g.node.map-selected").forEach((g) => g.classList.remove("map-selected"));
    if (id) {
      const el = map().nodeEl(id);
      if (el) el.classList.add("map-selected");
    }
  }

  function panelItemId() {
    const content = panel.querySelector(".map-panel-content");
    return content && content.dataset.itemId ? Number(content.dataset.itemId) : null;
  }

  section.addEventListener("rem-node-chosen", (event) => {
    const { id } = event.detail;
    if (linkMode) {
      pickForLink(id);
      return;
    }
    const from = map().nodeEl(id) && map().nodeEl(id).querySelector("a");
    const opener = event.detail.from === "outline" ? document.activeElement : from;
    // The panel shows this item as it is now: choosing it again keeps what the person
    // opened or typed there (loading it again would close the section they just opened).
    const note = panel.querySelector("[data-stale-note]");
    if (!panel.hidden && panelItemId() === id && (!note || note.hidden)) {
      openedFrom = opener;
      const title = panel.querySelector("#map-panel-title");
      if (title) title.focus({ preventScroll: false });
      return;
    }
    openPanel(id, opener);
  });

  panel.addEventListener("click", (event) => {
    if (event.target.closest("[data-panel-close]")) closePanel();
    const reload = event.target.closest("[data-panel-reload]");
    if (reload && panelItemId()) openPanel(panelItemId(), openedFrom);
    const nodeLink = event.target.closest("[data-node-link]");
    if (nodeLink && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      const id = Number(nodeLink.dataset.nodeLink);
      if (map().node(id)) {
        event.preventDefault();
        map().centreOn(id);
        map().flash(id, "map-found");
        openPanel(id, openedFrom);
      }
    }
    const from = event.target.closest("[data-link-from]");
    if (from) startLinkMode(Number(from.dataset.linkFrom));
  });

  panel.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    if (event.target.closest("input, textarea, select") && event.target.value) return;
    event.preventDefault();
    closePanel();
  });

  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (!target || target.id !== "map-panel") return;
    // A refresh in the background that arrives after the person began to work in the panel
    // (opened a section while it was on its way) is not put over their work: the note says
    // that the item changed, and a save shows both versions.
    const headers = (event.detail.requestConfig && event.detail.requestConfig.headers) || {};
    const content = panel.querySelector(".map-panel-content");
    if (headers["X-Rem-Background"] && content && panelBusy(content)) {
      event.detail.shouldSwap = false;
      quietPanel = false;
      keptOwnPanel = true;
      const note = content.querySelector("[data-stale-note]");
      if (note) note.hidden = false;
      return;
    }
    // A refused change (422) or an edit that came too late (409) shows its message in the panel.
    if ([409, 422].includes(event.detail.xhr.status)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    if (!event.detail.target || event.detail.target.id !== "map-panel") return;
    panel.hidden = false;
    applyDefaults(panel);
    markSelected(panelItemId());
    // The panel took room from the map: keep the chosen item in sight.
    if (panelItemId() && map().node(panelItemId())) {
      window.setTimeout(() => {
        if (!map().isVisible(panelItemId())) map().centreOn(panelItemId(), { readable: false });
      }, 50);
    }
    if (panelItemId()) map().applyFocus();
    if (quietPanel) {
      quietPanel = false;
      return;
    }
    const problem = panel.querySelector("[role=alert]");
    const field = problem && panel.querySelector("details[open] input:not([type=hidden]), details[open] textarea");
    const title = panel.querySelector("#map-panel-title");
    const firstField = panel.querySelector("[data-new-item-form] input[name=title]:not([value])")
      || panel.querySelector("[data-new-item-form] input[name=title]");
    if (field) field.focus();
    else if (!panelItemId() && firstField) firstField.focus();
    else if (title) title.focus({ preventScroll: false });
  });

  section.addEventListener("click", (event) => {
    if (event.target.closest("[data-opens-panel]")) openedFrom = event.target.closest("[data-opens-panel]");
    const mode = event.target.closest("[data-link-mode]");
    if (mode) {
      if (linkMode) stopLinkMode(true);
      else startLinkMode(null);
    }
  });

  // --- default date and precision (chosen once per collaboration on the outline) ------------
  const defaultsKey = `rem-map-defaults:${section.dataset.slug}`;

  function readDefaults() {
    try {
      return JSON.parse(window.localStorage.getItem(defaultsKey) || "null");
    } catch {
      return null;
    }
  }

  function applyDefaults(root) {
    const chosen = readDefaults();
    if (!chosen || root.querySelector("[role=alert]")) return;
    root.querySelectorAll("[data-default-date-field]").forEach((input) => {
      if (chosen.date) input.value = chosen.date;
    });
    root.querySelectorAll("[data-default-precision-field]").forEach((select) => {
      if (chosen.precision) select.value = chosen.precision;
    });
  }

  // --- drawing a link on the map ----------------------------------------------------------
  function startLinkMode(source) {
    linkMode = { source };
    const button = section.querySelector("[data-link-mode]");
    if (button) button.setAttribute("aria-pressed", "true");
    section.classList.add("map-linking");
    if (source) {
      const el = map().nodeEl(source);
      if (el) el.classList.add("map-link-source");
      map().status(map().msg("PickTarget", { title: map().node(source) ? map().node(source).title : "" }));
      const first = document.querySelector("#map-live g.node a");
      if (first && panel.contains(document.activeElement)) first.focus({ preventScroll: true });
    } else {
      map().status(map().msg("PickSource"));
    }
  }

  function stopLinkMode(say) {
    linkMode = null;
    const button = section.querySelector("[data-link-mode]");
    if (button) button.setAttribute("aria-pressed", "false");
    section.classList.remove("map-linking");
    document.querySelectorAll(".map-link-source").forEach((el) => el.classList.remove("map-link-source"));
    if (say) map().status(map().msg("Stopped"));
  }

  function pickForLink(id) {
    const node = map().node(id);
    if (!node) return;
    if (!linkMode.source) {
      startLinkMode(id);
      return;
    }
    if (node.kind === "activity") {
      map().status(map().msg("PickedActivity"));
      return;
    }
    const source = linkMode.source;
    stopLinkMode(false);
    ownChangeUntil = Date.now() + 5000;
    window.htmx.ajax("POST", section.dataset.linkUrl, {
      source: section, target: "#map-panel", swap: "innerHTML",
      values: { cause_id: source, effect_id: id, origin: source, csrf_token: csrfToken() },
    });
  }

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && linkMode) {
      stopLinkMode(true);
      event.preventDefault();
    }
  });

  // --- redrawing after a change, ours or someone else's -----------------------------------
  document.addEventListener("htmx:beforeRequest", (event) => {
    const verb = (event.detail.requestConfig && event.detail.requestConfig.verb) || "";
    if (verb.toLowerCase() === "post") ownChangeUntil = Date.now() + 5000;
    const target = event.detail.target;
    // No polling from a tab nobody looks at.
    if (target && target.id === "map-live" && document.hidden && !pendingChange) {
      event.preventDefault();
    }
  });

  document.body.addEventListener("rem-map-changed", (event) => {
    pendingChange = { id: event.detail.id, message: event.detail.message };
    ownChangeUntil = Date.now() + 5000;
    const live = document.getElementById("map-live");
    if (live) window.htmx.trigger(live, "rem-refresh");
  });

  document.body.addEventListener("rem-map-refused", (event) => {
    // Nothing of ours changed: the next redraw is someone else's, and the open panel is
    // checked against it.
    ownChangeUntil = 0;
    map().status(event.detail.message);
  });

  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (!target || target.id !== "map-live" || event.detail.xhr.status !== 200) return;
    const body = event.detail.serverResponse || "";
    // Only ever the map of this page (never a sign-in page after a redirect), and not while
    // someone is dragging the map or typing a new item in the outline: the next poll brings it.
    if (!body.includes('id="map-live"') || document.querySelector(".map-canvas:active")
        || (window.remOutline && window.remOutline.busy())) {
      event.detail.shouldSwap = false;
    }
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const target = event.detail.target;
    // Our change was already drawn by a poll that came first: mark it on the map we have.
    if (target && target.id === "map-live" && event.detail.xhr.status === 204 && pendingChange) {
      finishChange();
    }
  });

  section.addEventListener("rem-map-drawn", (event) => {
    if (event.detail.first) return;
    const own = pendingChange || Date.now() < ownChangeUntil;
    if (pendingChange) finishChange();
    else if (!own) map().status(map().msg("RedrawnOther"));
    checkPanel(own);
    if (panelItemId()) markSelected(panelItemId());
  });

  function finishChange() {
    const { id, message } = pendingChange;
    pendingChange = null;
    if (id) {
      if (!map().isVisible(id)) map().centreOn(id, { readable: false });
      map().flash(id);
    }
    map().status(message || map().msg("Redrawn"));
    window.dispatchEvent(new CustomEvent("rem-map-settled", { detail: { id } }));
  }

  // --- an open panel whose item someone else changed ----------------------------------------
  // Someone who opened a section of the panel, or typed in it, is about to do something there.
  function panelBusy(content) {
    return content.querySelector("details[open]") !== null
      || [...content.querySelectorAll("form")].some((form) =>
        form.contains(document.activeElement) || form.dataset.touched);
  }

  function checkPanel(own) {
    const content = panel.querySelector(".map-panel-content");
    if (own || panel.hidden || !content || !content.dataset.itemId) return;
    const id = Number(content.dataset.itemId);
    const [version, causes, effects] = (content.dataset.signature || "").split("|");
    const node = map().node(id);
    const note = content.querySelector("[data-stale-note]");
    if (!node) {
      if (content.dataset.binned) return;
      if (note) {
        note.firstChild.textContent = `${map().msg("Gone")} `;
        note.hidden = false;
      }
      return;
    }
    const drawn = new Set(map().data().nodes.map((n) => n.id));
    const same = (text, list) => {
      const shown = (text || "").split(",").filter(Boolean).map(Number).filter((x) => drawn.has(x));
      return shown.sort().join(",") === list.sort().join(",");
    };
    const links = map().data().links;
    const nowCauses = links.filter(([, b]) => b === id).map(([a]) => a);
    const nowEffects = links.filter(([a]) => a === id).map(([, b]) => b);
    if (String(node.version) === version && same(causes, nowCauses) && same(effects, nowEffects)) {
      // A map drawn before the panel was loaded (a poll that was on its way during a change)
      // can differ for a moment; once the map caught up, that note goes again.
      if (note && !note.dataset.keep) note.hidden = true;
      return;
    }
    // Someone who opened a section of the panel is about to do something there: never pull
    // it away from under them; the note says what happened and offers the new version.
    if (panelBusy(content)) {
      // Their version is kept; ours is not lost either: a save now is refused (409) and
      // shows both. Say so at once.
      if (note) note.hidden = false;
    } else {
      quietPanel = true;
      window.htmx.ajax("GET", `${section.dataset.panelUrl}${id}`,
        { source: section, target: "#map-panel", swap: "innerHTML",
          headers: { "X-Rem-Background": "panel" } }).then(() => {
        if (keptOwnPanel) {
          keptOwnPanel = false;
          return;
        }
        const fresh = panel.querySelector("[data-stale-note]");
        if (fresh) {
          fresh.hidden = false;
          fresh.dataset.keep = "yes";
          const reload = fresh.querySelector("[data-panel-reload]");
          if (reload) reload.hidden = true;
        }
      });
    }
  }

  panel.addEventListener("input", (event) => {
    const form = event.target.closest("form");
    if (form) form.dataset.touched = "yes";
  });

  // The link picker's list carries its direction in each choice: once the direction
  // changes, the list shown is the other direction's until the new one arrives, and a
  // quick click would draw the arrow the wrong way. It goes at once.
  panel.addEventListener("change", (event) => {
    if (event.target.name !== "direction" || !event.target.closest("#panel-picker")) return;
    const results = panel.querySelector("#panel-picker-results");
    if (results) results.replaceChildren();
  });

  if (!canEdit) section.classList.add("map-read-only");
})();

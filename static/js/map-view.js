// Reading the ripple map: pan and zoom (the vendored Panzoom), search, focus and the card
// that shows an item's date, codes and first lines. Without this file the map is the plain,
// scrollable picture whose nodes link to the item pages. Texts come from data-msg-* on the
// map section (translated on the server). window.remMap is what map-build.js and
// map-outline.js use.
(() => {
  "use strict";

  const section = document.getElementById("map-workspace");
  if (!section) return;

  const fill = (text, values) =>
    String(text || "").replace(/\{(\w+)\}/g, (all, key) =>
      values && key in values ? String(values[key]) : all);
  const msg = (name, values) => fill(section.dataset[`msg${name}`], values);
  const statusBox = document.getElementById("map-status");
  const card = document.getElementById("map-card");

  let data = { nodes: [], links: [] };
  let byId = new Map();
  let frame = null;
  let canvas = null;
  let pz = null;
  let savedView = null;
  const focus = new Set();

  // --- data ---------------------------------------------------------------------------------
  function readData() {
    const el = document.getElementById("map-data");
    try {
      data = el ? JSON.parse(el.textContent) : { nodes: [], links: [] };
    } catch {
      data = { nodes: [], links: [] };
    }
    data.nodes.forEach((node) => Object.assign(node, { title: "", date: "", lines: [] }));
    byId = new Map(data.nodes.map((node) => [node.id, node]));
  }

  const nodeEl = (id) => document.getElementById(`item-${id}`);
  const nodeIdOf = (el) => {
    const g = el && el.closest && el.closest("g.node");
    const match = g && /^item-(\d+)$/.exec(g.id);
    return match ? Number(match[1]) : null;
  };

  function status(text) {
    if (!statusBox) return;
    statusBox.textContent = "";
    // A new text node each time, so screen readers announce a repeated message too.
    window.setTimeout(() => { statusBox.textContent = text; }, 30);
  }

  // --- pan and zoom -------------------------------------------------------------------------
  const MIN_SCALE = 0.05;
  const MAX_SCALE = 4;
  const size = () => ({ w: canvas.offsetWidth, h: canvas.offsetHeight });
  const viewport = () => ({ w: frame.clientWidth, h: frame.clientHeight });

  // Panzoom draws "scale(s) translate(x, y)" around the canvas centre c, so a point p of
  // the canvas shows at c + s * (p - c + t) inside the frame.
  function toCanvas(clientX, clientY) {
    const box = frame.getBoundingClientRect();
    const { w, h } = size();
    const scale = pz.getScale();
    const pan = pz.getPan();
    const sx = clientX - box.left - frame.clientLeft;
    const sy = clientY - box.top - frame.clientTop;
    return { x: (sx - w / 2) / scale + w / 2 - pan.x, y: (sy - h / 2) / scale + h / 2 - pan.y };
  }

  // The translation and scale that show ``point`` of the canvas in the middle of the frame.
  function placing(point, scale) {
    const { w, h } = size();
    const v = viewport();
    const s = Math.min(Math.max(scale, MIN_SCALE), MAX_SCALE);
    return { x: (v.w / 2 - w / 2) / s - point.x + w / 2,
      y: (v.h / 2 - h / 2) / s - point.y + h / 2, scale: s };
  }

  function centreAt(point, scale, animate = false) {
    const to = placing(point, scale);
    pz.zoom(to.scale, { animate: false, force: true });
    pz.pan(to.x, to.y, { animate, force: true });
  }

  function fitting() {
    const { w, h } = size();
    const v = viewport();
    return placing({ x: w / 2, y: h / 2 }, Math.min(Math.min(v.w / w, v.h / h) * 0.96, 1.5));
  }

  // The first view: the whole map when it can be read that way; otherwise readable, from
  // the start of the timeline (its left end) or from the middle of the ripples.
  const READABLE = 0.7;
  function firstView() {
    const whole = fitting();
    if (whole.scale >= 0.45) return whole;
    const { w, h } = size();
    const v = viewport();
    if (section.dataset.layout === "timeline") {
      // As tall as the frame allows (up to readable), the left end first.
      const scale = Math.max(whole.scale, Math.min(v.h / h * 0.96, READABLE));
      return placing({ x: v.w / 2 / scale, y: h / 2 }, scale);
    }
    return placing({ x: w / 2, y: h / 2 }, READABLE);
  }

  function viewCentre() {
    const box = frame.getBoundingClientRect();
    return toCanvas(box.left + box.width / 2, box.top + box.height / 2);
  }

  function fit(animate = true) {
    if (!pz) return;
    const to = fitting();
    pz.zoom(to.scale, { animate: false, force: true });
    pz.pan(to.x, to.y, { animate, force: true });
  }

  function zoomBy(factor) {
    if (!pz) return;
    centreAt(viewCentre(), pz.getScale() * factor, true);
  }

  // Where a node lies on the canvas, from the SVG's own geometry: right even while the map
  // still moves (a rectangle on screen would be taken mid-animation).
  function nodeBox(el) {
    const box = el.getBBox();
    const m = el.getCTM();
    const at = (x, y) => ({ x: m.a * x + m.c * y + m.e, y: m.b * x + m.d * y + m.f });
    const a = at(box.x, box.y);
    const b = at(box.x + box.width, box.y + box.height);
    return { left: Math.min(a.x, b.x), right: Math.max(a.x, b.x),
      top: Math.min(a.y, b.y), bottom: Math.max(a.y, b.y) };
  }

  function isVisible(id) {
    const el = nodeEl(id);
    if (!el || !pz) return false;
    const box = nodeBox(el);
    const { w, h } = size();
    const v = viewport();
    const s = pz.getScale();
    const pan = pz.getPan();
    const sx = (x) => w / 2 + s * (x - w / 2 + pan.x);
    const sy = (y) => h / 2 + s * (y - h / 2 + pan.y);
    return sx(box.left) >= 0 && sx(box.right) <= v.w && sy(box.top) >= 0 && sy(box.bottom) <= v.h;
  }

  function centreOn(id, { readable = true } = {}) {
    const el = nodeEl(id);
    if (!el || !pz) return false;
    const box = nodeBox(el);
    const point = { x: (box.left + box.right) / 2, y: (box.top + box.bottom) / 2 };
    const scale = readable ? Math.max(pz.getScale(), 0.85) : pz.getScale();
    centreAt(point, scale, true);
    return true;
  }

  function flash(id, className = "map-changed") {
    const el = nodeEl(id);
    if (!el) return;
    el.classList.remove(className);
    // Restart the animation when the same node changes twice.
    void el.getBoundingClientRect();
    el.classList.add(className);
    window.setTimeout(() => el.classList.remove(className), 4000);
  }

  let pointerStart = null;
  let dragged = false;

  // Panzoom places its element once more just after it starts (a timer), so the first
  // view is given to it as its start values rather than set afterwards.
  function setupFrame(start) {
    frame = document.querySelector("#map-live .map-frame");
    const svg = frame && frame.querySelector("svg");
    if (!svg || typeof window.Panzoom !== "function") {
      pz = null;
      return;
    }
    frame.classList.remove("map-fit");
    frame.classList.add("map-pannable");
    canvas = document.createElement("div");
    canvas.className = "map-canvas";
    svg.parentNode.insertBefore(canvas, svg);
    canvas.appendChild(svg);
    const first = start ? placing(start.point, start.scale) : firstView();
    pz = window.Panzoom(canvas, {
      startX: first.x, startY: first.y, startScale: first.scale,
      canvas: true, minScale: MIN_SCALE, maxScale: MAX_SCALE, step: 0.25, cursor: "grab",
      // Only preventDefault (no stopPropagation): clicks on nodes still reach this script.
      handleStartEvent: (event) => event.preventDefault(),
    });
    frame.addEventListener("wheel", (event) => pz.zoomWithWheel(event), { passive: false });
    frame.addEventListener("pointerdown", (event) => {
      pointerStart = { x: event.clientX, y: event.clientY };
      dragged = false;
    });
    frame.addEventListener("pointermove", (event) => {
      if (pointerStart && Math.hypot(event.clientX - pointerStart.x,
        event.clientY - pointerStart.y) > 6) dragged = true;
    });
    frame.addEventListener("pointerup", () => { pointerStart = null; });
    frame.addEventListener("keydown", onFrameKey);
    // The browser scrolls the frame to show a node that gets the focus (Tab, a click); turn
    // that scroll into a pan, so that the frame itself never stays scrolled.
    frame.addEventListener("scroll", () => {
      const dx = frame.scrollLeft;
      const dy = frame.scrollTop;
      if (!pz || (!dx && !dy)) return;
      frame.scrollLeft = 0;
      frame.scrollTop = 0;
      const s = pz.getScale();
      pz.pan(-dx / s, -dy / s, { relative: true, animate: false, force: true });
    });
    // When the panel opens beside the map (or the window changes), keep the same middle.
    let width = frame.clientWidth;
    let height = frame.clientHeight;
    const watched = frame;
    new ResizeObserver(() => {
      if (watched !== frame || !pz) return;
      const s = pz.getScale();
      pz.pan((watched.clientWidth - width) / 2 / s, (watched.clientHeight - height) / 2 / s,
        { relative: true, animate: false, force: true });
      width = watched.clientWidth;
      height = watched.clientHeight;
    }).observe(frame);
    frame.addEventListener("click", onFrameClick);
    prepareNodes();
  }

  function onFrameKey(event) {
    if (event.altKey || event.ctrlKey || event.metaKey || !pz) return;
    const step = 80 / pz.getScale();
    const moves = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step],
      ArrowDown: [0, -step] };
    if (moves[event.key]) {
      pz.pan(...moves[event.key], { relative: true, animate: true, force: true });
    } else if (event.key === "+" || event.key === "=") {
      zoomBy(1.25);
    } else if (event.key === "-" || event.key === "_") {
      zoomBy(0.8);
    } else if (event.key === "0") {
      fit();
    } else if (event.key === "Escape" && card && !card.hidden) {
      hideCard();
    } else {
      return;
    }
    event.preventDefault();
  }

  function onFrameClick(event) {
    const link = event.target.closest("a");
    const id = nodeIdOf(event.target);
    if (!link || id === null) return;
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
      return; // a new tab or window: the node's own link still works
    }
    event.preventDefault();
    if (dragged) {
      dragged = false;
      return; // the end of a drag, not a choice
    }
    hideCard();
    section.dispatchEvent(new CustomEvent("rem-node-chosen", { detail: { id, from: "map" } }));
  }

  // --- the card: date, codes and first lines, on hover and on keyboard focus ------------------
  let hideTimer = null;

  const XLINK = "http://www.w3.org/1999/xlink";

  function prepareNodes() {
    frame.querySelectorAll("g.node a").forEach((link) => {
      // The tooltip holds the title, the date, the facts, the codes and the first lines.
      // The card replaces the browser's tooltip (which keyboard users never see); the
      // accessible name then comes from the node's own text, its title and date.
      const node = byId.get(nodeIdOf(link));
      const lines = (link.getAttributeNS(XLINK, "title") || link.getAttribute("title") || "")
        .split("\n");
      if (node) {
        node.title = lines[0] || "";
        node.date = lines[1] || "";
        node.lines = lines.slice(2);
      }
      link.removeAttributeNS(XLINK, "title");
      link.removeAttribute("title");
    });
    // A mouse only: on a touch screen a tap opens the panel, which says all of it.
    frame.addEventListener("pointerover", (event) => {
      const id = nodeIdOf(event.target);
      if (id !== null && event.pointerType === "mouse") {
        showCard(id, event.target.closest("g.node"));
      }
    });
    frame.addEventListener("pointerout", (event) => {
      if (nodeIdOf(event.target) !== null) scheduleHide();
    });
    frame.addEventListener("focusin", (event) => {
      const id = nodeIdOf(event.target);
      if (id === null) return;
      showCard(id, event.target.closest("g.node"));
      event.target.setAttribute("aria-describedby", "map-card");
    });
    frame.addEventListener("focusout", (event) => {
      if (nodeIdOf(event.target) === null) return;
      event.target.removeAttribute("aria-describedby");
      hideCard();
    });
  }

  function showCard(id, anchor) {
    const node = byId.get(id);
    if (!card || !node || !anchor) return;
    window.clearTimeout(hideTimer);
    const title = document.createElement("strong");
    title.textContent = node.title;
    const date = document.createElement("span");
    date.className = "map-card-date";
    date.textContent = node.date;
    const parts = [title, date];
    node.lines.forEach((line) => {
      const p = document.createElement("span");
      p.textContent = line;
      parts.push(p);
    });
    card.replaceChildren(...parts);
    card.hidden = false;
    const box = anchor.getBoundingClientRect();
    const home = card.offsetParent ? card.offsetParent.getBoundingClientRect() : { left: 0, top: 0, width: window.innerWidth };
    const width = card.offsetWidth;
    let left = box.left - home.left + box.width / 2 - width / 2;
    left = Math.max(4, Math.min(left, home.width - width - 4));
    card.style.left = `${left}px`;
    card.style.top = `${box.bottom - home.top + 8}px`;
  }

  function scheduleHide() {
    window.clearTimeout(hideTimer);
    hideTimer = window.setTimeout(hideCard, 300);
  }

  function hideCard() {
    if (card) card.hidden = true;
  }

  if (card) {
    // WCAG 1.4.13: the card can be hovered (to read it) and dismissed with Escape.
    card.addEventListener("mouseenter", () => window.clearTimeout(hideTimer));
    card.addEventListener("mouseleave", scheduleHide);
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") hideCard();
    });
  }

  // --- focus: what an item grew from and what grew from it; the rest is dimmed ---------------
  function focusFromUrl() {
    const params = new URLSearchParams(window.location.search);
    params.getAll("focus").forEach((value) => {
      if (/^\d+$/.test(value)) focus.add(Number(value));
    });
  }

  function focusToUrl() {
    const url = new URL(window.location.href);
    url.searchParams.delete("focus");
    focus.forEach((id) => url.searchParams.append("focus", String(id)));
    window.history.replaceState(window.history.state, "", url);
  }

  function lineage(ids) {
    const up = new Map();
    const down = new Map();
    data.links.forEach(([cause, effect]) => {
      if (!up.has(effect)) up.set(effect, []);
      if (!down.has(cause)) down.set(cause, []);
      up.get(effect).push(cause);
      down.get(cause).push(effect);
    });
    const walk = (start, next) => {
      const seen = new Set();
      const queue = [...(next.get(start) || [])];
      while (queue.length) {
        const id = queue.pop();
        if (seen.has(id)) continue;
        seen.add(id);
        queue.push(...(next.get(id) || []));
      }
      return seen;
    };
    const before = new Set();
    const after = new Set();
    ids.forEach((id) => {
      walk(id, up).forEach((x) => before.add(x));
      walk(id, down).forEach((x) => after.add(x));
    });
    return { before, after };
  }

  function applyFocus() {
    const bar = section.querySelector("[data-focus-bar]");
    const list = section.querySelector("[data-focus-list]");
    [...focus].forEach((id) => { if (!byId.has(id)) focus.delete(id); });
    const on = focus.size > 0;
    const { before, after } = lineage(focus);
    const lit = (id) => focus.has(id) || before.has(id) || after.has(id);
    if (frame) {
      frame.classList.toggle("map-focused", on);
      frame.querySelectorAll("g.node").forEach((g) => {
        const id = nodeIdOf(g);
        if (id === null) return;
        g.classList.toggle("map-dim", on && !lit(id));
        g.classList.toggle("map-chosen", on && focus.has(id));
      });
      frame.querySelectorAll("g.edge").forEach((g) => {
        const match = /^link-(\d+)-(\d+)$/.exec(g.id);
        let shown = false;
        if (match) {
          const a = Number(match[1]);
          const b = Number(match[2]);
          shown = (before.has(a) && (before.has(b) || focus.has(b)))
            || ((focus.has(a) || after.has(a)) && after.has(b));
        }
        g.classList.toggle("map-dim", on && !shown);
      });
    }
    document.querySelectorAll(".map-outline [data-item-id]").forEach((li) => {
      const id = Number(li.dataset.itemId);
      li.classList.toggle("outline-dim", on && !lit(id));
    });
    document.querySelectorAll("[data-focus-toggle]").forEach((button) => {
      const pressed = focus.has(Number(button.dataset.focusToggle));
      button.setAttribute("aria-pressed", String(pressed));
      button.textContent = pressed ? msg("Unfocus") : msg("FocusOn");
    });
    if (bar && list) {
      bar.hidden = !on;
      list.replaceChildren(...[...focus].map((id) => {
        const li = document.createElement("li");
        const name = document.createElement("span");
        name.textContent = byId.get(id).title;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link-button";
        remove.textContent = "×";
        remove.setAttribute("aria-label", `${msg("Unfocus")}: ${byId.get(id).title}`);
        remove.addEventListener("click", () => toggleFocus(id));
        li.append(name, " ", remove);
        return li;
      }));
    }
    return [...byId.keys()].filter(lit).length;
  }

  function toggleFocus(id) {
    if (focus.has(id)) focus.delete(id);
    else if (byId.has(id)) focus.add(id);
    const count = applyFocus();
    focusToUrl();
    // One lit item is said in the singular ("1 van de 14 items valt op").
    const message = count === 1 ? "FocusOne" : "Focus";
    status(focus.size ? msg(message, { n: count, total: byId.size }) : msg("FocusOff"));
  }

  section.addEventListener("click", (event) => {
    const toggle = event.target.closest("[data-focus-toggle]");
    if (toggle) toggleFocus(Number(toggle.dataset.focusToggle));
    if (event.target.closest("[data-focus-clear]")) {
      focus.clear();
      applyFocus();
      focusToUrl();
      status(msg("FocusOff"));
    }
    const zoom = event.target.closest("[data-zoom]");
    if (zoom && pz) {
      if (zoom.dataset.zoom === "in") zoomBy(1.25);
      else if (zoom.dataset.zoom === "out") zoomBy(0.8);
      else fit();
    }
  });

  // --- search: a combobox over the titles, dates and codes of the drawn items ----------------
  const search = document.getElementById("map-search-input");
  const results = document.getElementById("map-search-list");
  let active = -1;
  const plain = (text) => String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();

  function matches(query) {
    const words = plain(query).split(/\s+/).filter(Boolean);
    if (!words.length) return [];
    return data.nodes.filter((node) => {
      const text = plain([node.title, node.date, ...node.lines].join(" "));
      return words.every((word) => text.includes(word));
    }).slice(0, 8);
  }

  function closeResults() {
    results.hidden = true;
    search.setAttribute("aria-expanded", "false");
    search.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function showResults() {
    const found = matches(search.value);
    const options = found.map((node, index) => {
      const li = document.createElement("li");
      li.id = `map-search-option-${index}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.id = String(node.id);
      const title = document.createElement("span");
      title.textContent = node.title;
      const date = document.createElement("span");
      date.className = "muted";
      date.textContent = ` (${node.date})`;
      li.append(title, date);
      li.addEventListener("mousedown", (event) => event.preventDefault());
      li.addEventListener("click", () => choose(node.id));
      return li;
    });
    if (!options.length && search.value.trim()) {
      const li = document.createElement("li");
      li.className = "muted";
      li.setAttribute("role", "option");
      li.setAttribute("aria-disabled", "true");
      li.textContent = msg("NoMatch");
      options.push(li);
    }
    results.replaceChildren(...options);
    results.hidden = !options.length;
    search.setAttribute("aria-expanded", String(options.length > 0));
    active = -1;
  }

  function highlightOption(index) {
    const options = [...results.querySelectorAll("[role=option][data-id]")];
    if (!options.length) return;
    active = (index + options.length) % options.length;
    options.forEach((el, i) => el.setAttribute("aria-selected", String(i === active)));
    search.setAttribute("aria-activedescendant", options[active].id);
    options[active].scrollIntoView({ block: "nearest" });
  }

  function choose(id) {
    closeResults();
    const node = byId.get(id);
    if (!node) return;
    search.value = node.title;
    if (centreOn(id)) flash(id, "map-found");
    status(msg("Found", { title: node.title }));
    const link = nodeEl(id) && nodeEl(id).querySelector("a");
    if (link) window.setTimeout(() => link.focus({ preventScroll: true }), 350);
  }

  if (search && results) {
    search.addEventListener("input", showResults);
    search.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown") {
        if (results.hidden) showResults();
        highlightOption(active + 1);
      } else if (event.key === "ArrowUp") {
        highlightOption(active - 1);
      } else if (event.key === "Enter") {
        const options = [...results.querySelectorAll("[role=option][data-id]")];
        const pick = options[active >= 0 ? active : 0];
        if (pick) choose(Number(pick.dataset.id));
      } else if (event.key === "Escape") {
        if (results.hidden) search.value = "";
        closeResults();
      } else {
        return;
      }
      event.preventDefault();
    });
    // Closed a moment after the box loses the focus (a click on an option comes first),
    // unless the focus came back to it meanwhile.
    search.addEventListener("blur", () => window.setTimeout(() => {
      if (document.activeElement !== search) closeResults();
    }, 150));
  }

  // --- drawing and redrawing ----------------------------------------------------------------
  // A large map's drawing is not in the page: its frame names the address to fetch it from
  // (the same SVG a smaller map has inline). Without this script, a link there opens it.
  function loadDrawing(later) {
    later.querySelectorAll("[data-js-only]").forEach((el) => { el.hidden = false; });
    later.querySelectorAll("[data-no-js]").forEach((el) => { el.hidden = true; });
    later.setAttribute("aria-busy", "true");
    const failed = () => {
      const note = document.createElement("p");
      note.className = "notice notice-warning map-problem";
      note.setAttribute("role", "alert");
      note.textContent = later.dataset.msgFailed || "";
      const link = later.querySelector("a[href]");
      if (link) {
        link.hidden = false;
        note.append(" ", link);
      }
      later.replaceChildren(note);
    };
    return window.fetch(later.dataset.drawingUrl, { credentials: "same-origin" })
      .then((response) => response.text().then((text) => ({ ok: response.ok, text })))
      .then(({ ok, text }) => {
        const start = text.indexOf("<svg");
        if (!later.isConnected) return;
        if (!ok || start < 0) {
          failed();
        } else {
          later.innerHTML = text.slice(start);
          delete later.dataset.drawingUrl;
        }
      }, () => { if (later.isConnected) failed(); })
      .finally(() => later.removeAttribute("aria-busy"));
  }

  function drawn(first) {
    readData();
    const later = document.querySelector("#map-live .map-frame[data-drawing-url]");
    if (later) {
      // A redraw meanwhile replaces this frame: then only that one's drawing counts.
      loadDrawing(later).then(() => { if (later.isConnected) showDrawing(first); });
      return;
    }
    showDrawing(first);
  }

  function showDrawing(first) {
    setupFrame(savedView);
    savedView = null;
    applyFocus();
    // Someone typing in the search box while the map redraws sees the new items too.
    if (search && results && document.activeElement === search && search.value.trim()) {
      showResults();
    }
    // After Panzoom's own first placing (a timer it sets when it starts), so that what
    // listens (marking and centring a changed node) moves the map from where it stays.
    window.setTimeout(() => {
      section.dispatchEvent(new CustomEvent("rem-map-drawn", { detail: { first } }));
    }, 0);
  }

  document.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.target && event.detail.target.id === "map-live" && pz
        && event.detail.shouldSwap && event.detail.xhr.status === 200) {
      savedView = { point: viewCentre(), scale: pz.getScale() };
    }
  });

  document.addEventListener("htmx:afterSettle", (event) => {
    const live = document.getElementById("map-live");
    if (live && !live.querySelector(".map-canvas") && event.detail.target
        && (event.detail.target === live || event.detail.target.id === "map-live")) {
      drawn(false);
    }
  });

  window.remMap = {
    data: () => data, node: (id) => byId.get(id), nodeEl, centreOn, flash, isVisible, status,
    msg, fill, toggleFocus, applyFocus, fit,
  };

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-js-only]").forEach((el) => { el.hidden = false; });
    document.querySelectorAll("[data-no-js]").forEach((el) => { el.hidden = true; });
    focusFromUrl();
    drawn(true);
  });
})();

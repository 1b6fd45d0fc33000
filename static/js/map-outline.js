// The outline under the map as an ARIA tree, and mapping from the keyboard on it.
//
// Reading: the arrow keys move through the tree (Right opens or goes in, Left closes or goes
// up, Home and End), Enter or Space opens the item's panel. The lists stay plain lists with
// links without this file.
// Mapping (the "Mappen met het toetsenbord" switch; off by default, so Tab always leads out
// of the list unless a facilitator turned it on): Enter adds an effect beside the current
// one (same causes; beside an activity: an activity), Tab adds an effect that grew from it.
// Typing the title and Enter saves it; Tab saves it and starts one that grew from it.
// Escape stops. Date and precision come from the outline's "date of new items" fields.
(() => {
  "use strict";

  const section = document.getElementById("map-workspace");
  const controls = document.querySelector("[data-outline-mapping]");
  if (!section) return;
  const map = () => window.remMap;
  const say = (text) => {
    const box = controls && controls.querySelector("[data-outline-status]");
    if (box) box.textContent = text;
  };
  const msg = (name, values) => map().fill(controls ? controls.dataset[`msg${name}`] : "", values);
  const storeKey = `rem-map-mapping:${section.dataset.slug}`;
  const defaultsKey = `rem-map-defaults:${section.dataset.slug}`;
  let mapping = false;
  let saving = null; // {then: "focus"|"child", title}

  // --- the tree -----------------------------------------------------------------------------
  function enhance() {
    document.querySelectorAll("[data-outline-tree]").forEach((box) => {
      const root = box.querySelector(":scope > ul");
      if (!root || root.getAttribute("role") === "tree") return;
      root.setAttribute("role", "tree");
      const label = box.getAttribute("aria-labelledby");
      if (label) root.setAttribute("aria-labelledby", label);
      box.removeAttribute("aria-labelledby");
      // As in the WAI-ARIA tree pattern: each item's name is its own row; the nested
      // group holds what grew from it.
      root.querySelectorAll("li[data-item-id]").forEach((li) => {
        li.setAttribute("role", "treeitem");
        li.tabIndex = -1;
        const group = li.querySelector(":scope > ul");
        if (group) {
          group.setAttribute("role", "group");
          li.setAttribute("aria-expanded", "true");
        }
        li.querySelectorAll(":scope > .outline-row a").forEach((a) => { a.tabIndex = -1; });
      });
    });
    const items = visibleItems();
    if (items.length && !items.some((li) => li.tabIndex === 0)) items[0].tabIndex = 0;
  }

  const allTrees = () => [...document.querySelectorAll(".map-outline [role=tree]")];
  const visibleItems = () => allTrees().flatMap((tree) =>
    [...tree.querySelectorAll("[role=treeitem]")].filter((li) =>
      !li.parentElement.closest("[role=treeitem][aria-expanded=false]")));

  function moveTo(li) {
    if (!li) return;
    visibleItems().forEach((other) => { other.tabIndex = -1; });
    li.tabIndex = 0;
    li.focus();
  }

  const itemOf = (el) => el && el.closest && el.closest(".map-outline [role=treeitem]");
  const idOf = (li) => Number(li.dataset.itemId);

  function onTreeKey(event) {
    const li = itemOf(event.target);
    if (!li || event.target !== li || event.altKey || event.ctrlKey || event.metaKey) return;
    const items = visibleItems();
    const index = items.indexOf(li);
    const expanded = li.getAttribute("aria-expanded");
    let handled = true;
    switch (event.key) {
      case "ArrowDown": moveTo(items[index + 1]); break;
      case "ArrowUp": moveTo(items[index - 1]); break;
      case "Home": moveTo(items[0]); break;
      case "End": moveTo(items[items.length - 1]); break;
      case "ArrowRight":
        if (expanded === "false") li.setAttribute("aria-expanded", "true");
        else if (expanded === "true") moveTo(li.querySelector("[role=treeitem]"));
        break;
      case "ArrowLeft":
        if (expanded === "true") li.setAttribute("aria-expanded", "false");
        else moveTo(li.parentElement.closest("[role=treeitem]"));
        break;
      case "Enter":
        if (mapping && !event.shiftKey) openRow(li, "sibling");
        else choose(li);
        break;
      case " ":
      case "F2":
        choose(li);
        break;
      case "Tab":
        if (mapping && !event.shiftKey) openRow(li, "child");
        else handled = false;
        break;
      case "Escape":
        if (mapping) setMapping(false);
        else handled = false;
        break;
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  }

  function choose(li) {
    section.dispatchEvent(new CustomEvent("rem-node-chosen",
      { detail: { id: idOf(li), from: "outline" } }));
  }

  document.addEventListener("keydown", onTreeKey);
  document.addEventListener("click", (event) => {
    const link = event.target.closest(".map-outline .outline-row a");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const li = itemOf(link);
    if (!li) return;
    event.preventDefault();
    moveTo(li);
    choose(li);
  });
  document.addEventListener("focusin", (event) => {
    const li = itemOf(event.target);
    if (li && event.target === li) {
      visibleItems().forEach((other) => { if (other !== li) other.tabIndex = -1; });
      li.tabIndex = 0;
    }
  });

  // --- mapping by keyboard ----------------------------------------------------------------
  function setMapping(on) {
    mapping = on;
    try {
      window.sessionStorage.setItem(storeKey, on ? "on" : "off");
    } catch {
      // private mode: the switch simply does not survive a reload
    }
    const toggle = controls && controls.querySelector("[data-mapping-toggle]");
    if (toggle) toggle.setAttribute("aria-pressed", String(on));
    document.querySelector(".map-outline").classList.toggle("outline-mapping-on", on);
    say(on ? msg("On") : msg("Off"));
  }

  function defaults() {
    const date = controls.querySelector("[data-default-date]");
    const precision = controls.querySelector("[data-default-precision]");
    return { date: date ? date.value : "", precision: precision ? precision.value : "month" };
  }

  function saveDefaults() {
    try {
      window.localStorage.setItem(defaultsKey, JSON.stringify(defaults()));
    } catch {
      // nothing to keep them in; the fields still apply on this page
    }
  }

  function causesOf(id) {
    return map().data().links.filter(([, effect]) => effect === id).map(([cause]) => cause);
  }

  function closeRow() {
    document.querySelectorAll(".outline-new").forEach((row) => row.remove());
  }

  // Open a row to type a new item: "sibling" (beside li), "child" (grew from li) or
  // "activity" (at the end of the activities).
  function openRow(li, how) {
    closeRow();
    const row = document.createElement("li");
    row.className = "outline-new";
    row.setAttribute("role", "treeitem");
    let kind = "effect";
    let causes = [];
    let label;
    if (how === "activity") {
      kind = "activity";
      label = msg("NewActivity");
    } else if (how === "child") {
      causes = [idOf(li)];
      label = msg("NewChild", { title: map().node(idOf(li)) ? map().node(idOf(li)).title : "" });
    } else {
      const node = map().node(idOf(li));
      if (node && node.kind === "activity") kind = "activity";
      causes = causesOf(idOf(li));
      label = kind === "activity" ? msg("NewActivity")
        : msg("NewSibling", { title: node ? node.title : "" });
    }
    const caption = document.createElement("label");
    caption.htmlFor = "outline-new-title";
    caption.textContent = label;
    const input = document.createElement("input");
    input.type = "text";
    input.id = "outline-new-title";
    input.maxLength = 200;
    input.className = "outline-new-title";
    input.setAttribute("aria-describedby", "outline-new-hint");
    input.autocomplete = "off";
    const hint = document.createElement("small");
    hint.id = "outline-new-hint";
    hint.className = "muted";
    hint.textContent = msg("TypeHint");
    row.append(caption, input, hint);
    row.dataset.kind = kind;
    row.dataset.causes = causes.join(",");
    row.dataset.origin = li ? String(idOf(li)) : "";
    if (how === "child") {
      let group = li.querySelector(":scope > ul");
      if (!group) {
        group = document.createElement("ul");
        group.setAttribute("role", "group");
        li.append(group);
      }
      li.setAttribute("aria-expanded", "true");
      group.append(row);
    } else if (how === "activity") {
      const tree = document.querySelector('[data-outline-tree="activities"]');
      let root = tree.querySelector(":scope > ul");
      if (!root) {
        tree.querySelectorAll(".empty").forEach((el) => el.remove());
        root = document.createElement("ul");
        root.className = "outline-list";
        root.setAttribute("role", "tree");
        root.setAttribute("aria-labelledby", "outline-activities-heading");
        tree.append(root);
      }
      root.append(row);
    } else {
      li.after(row);
    }
    input.addEventListener("keydown", onRowKey);
    input.focus();
  }

  function onRowKey(event) {
    const input = event.target;
    const row = input.closest(".outline-new");
    if (event.key === "Escape") {
      event.preventDefault();
      const origin = row.dataset.origin;
      row.remove();
      const back = origin && document.querySelector(`.map-outline [role=treeitem][data-item-id="${origin}"]`);
      if (back) moveTo(back);
      else say(msg("On"));
      return;
    }
    if ((event.key === "Enter" || (event.key === "Tab" && !event.shiftKey)) && !saving) {
      const title = input.value.trim();
      if (!title) {
        if (event.key === "Enter") event.preventDefault();
        return;
      }
      event.preventDefault();
      submit(row, title, event.key === "Tab" ? "child" : "focus");
    }
  }

  function submit(row, title, then) {
    const { date, precision } = defaults();
    const values = { kind: row.dataset.kind, title, date_precision: precision,
      csrf_token: (document.querySelector("input[name=csrf_token]") || {}).value || "" };
    if (date) values.date_value = date;
    const causes = row.dataset.causes.split(",").filter(Boolean);
    if (causes.length) values.causes = causes;
    saving = { then, title };
    row.querySelector("input").readOnly = true;
    row.setAttribute("aria-busy", "true");
    say(msg("Saving"));
    window.htmx.ajax("POST", section.dataset.createUrl, {
      source: controls, target: controls.querySelector("[data-outline-status]"), swap: "none",
      values,
    });
  }

  document.body.addEventListener("rem-map-refused", (event) => {
    if (!saving) return;
    saving = null;
    const row = document.querySelector(".outline-new");
    if (row) {
      row.removeAttribute("aria-busy");
      const input = row.querySelector("input");
      input.readOnly = false;
      input.focus();
    }
    say(event.detail.message);
  });

  window.addEventListener("rem-map-settled", (event) => {
    if (!saving) return;
    const { then, title } = saving;
    saving = null;
    closeRow();
    enhance(); // the outline was just drawn again; make it a tree before looking in it
    const id = event.detail.id;
    const li = [...document.querySelectorAll(`.map-outline [role=treeitem][data-item-id="${id}"]`)]
      .find((el) => !el.hasAttribute("data-repeat"));
    if (!li) return;
    moveTo(li);
    say(msg("Saved", { title }));
    if (then === "child") openRow(li, "child");
  });

  // --- keeping the tree through a redraw --------------------------------------------------
  let remembered = null;
  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (!target || target.id !== "map-live") return;
    const li = itemOf(document.activeElement);
    if (li && document.activeElement === li) {
      const same = [...document.querySelectorAll(`.map-outline [role=treeitem][data-item-id="${li.dataset.itemId}"]`)];
      remembered = { id: li.dataset.itemId, index: same.indexOf(li) };
    } else {
      remembered = null;
    }
  });

  document.addEventListener("htmx:afterSettle", () => {
    enhance();
    if (remembered && !saving) {
      const same = document.querySelectorAll(`.map-outline [role=treeitem][data-item-id="${remembered.id}"]`);
      const back = same[remembered.index] || same[0];
      if (back && !document.querySelector(".outline-new")) moveTo(back);
      remembered = null;
    }
    map().applyFocus();
  });

  window.remOutline = {
    // A redraw waits while someone types a new item here (the next poll brings it).
    busy: () => {
      const input = document.querySelector(".outline-new input");
      return Boolean(input && !saving && (input.value.trim() || document.activeElement === input));
    },
  };

  document.addEventListener("DOMContentLoaded", () => {
    enhance();
    if (!controls) return;
    let stored = null;
    try {
      stored = JSON.parse(window.localStorage.getItem(defaultsKey) || "null");
    } catch {
      stored = null;
    }
    if (stored) {
      if (stored.date) controls.querySelector("[data-default-date]").value = stored.date;
      if (stored.precision) controls.querySelector("[data-default-precision]").value = stored.precision;
    }
    controls.querySelectorAll("[data-default-date], [data-default-precision]").forEach((el) =>
      el.addEventListener("change", saveDefaults));
    const toggle = controls.querySelector("[data-mapping-toggle]");
    toggle.addEventListener("click", () => {
      setMapping(!mapping);
      if (mapping) moveTo(visibleItems().find((li) => li.tabIndex === 0) || visibleItems()[0]);
    });
    controls.querySelector("[data-outline-new-activity]").addEventListener("click", () => {
      if (!mapping) setMapping(true);
      openRow(null, "activity");
    });
    let on = false;
    try {
      on = window.sessionStorage.getItem(storeKey) === "on";
    } catch {
      on = false;
    }
    if (on) setMapping(true);
  });
})();

// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // Ask before destructive buttons that carry data-confirm.
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (event) => {
      if (!window.confirm(el.dataset.confirm)) event.preventDefault();
    });
  });
  // Submit GET filter forms when a select changes by mouse or touch. Arrow keys change a
  // closed select at once, so a keyboard change waits for the form's own submit button
  // (WCAG 3.2.2: choosing does not by itself take you to another page).
  document.querySelectorAll("form[data-autosubmit] select").forEach((el) => {
    let byKeyboard = false;
    el.addEventListener("keydown", () => { byKeyboard = true; });
    el.addEventListener("pointerdown", () => { byKeyboard = false; });
    el.addEventListener("change", () => {
      if (!byKeyboard) el.form.requestSubmit();
    });
  });
  // Copy one-time links: buttons with data-copy="<id of a read-only input>" (hidden without JS).
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    const field = document.getElementById(button.dataset.copy);
    if (!field) return;
    const status = document.getElementById(`${field.id}-status`);
    button.hidden = false;
    field.addEventListener("focus", () => field.select());
    button.addEventListener("click", async () => {
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
      } catch {
        document.execCommand("copy");
      }
      if (button.dataset.copied) {
        button.textContent = button.dataset.copied;
        if (status) status.textContent = button.dataset.copied;
      }
    });
  });
  // Menus (details.menu-toggle): Escape closes an open one and returns to its summary.
  // A browser that cannot show a closed details' content through CSS (::details-content)
  // gets them opened on a large screen, where the summary is not meant to be seen.
  const menus = document.querySelectorAll("details.menu-toggle");
  menus.forEach((menu) => {
    menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  });
  // The open site menu lies over the page: a click or tap elsewhere closes it.
  document.addEventListener("click", (event) => {
    document.querySelectorAll("details.site-menu[open]").forEach((menu) => {
      if (!menu.contains(event.target) && !menu.classList.contains("is-unfolded")) menu.open = false;
    });
  });
  if (!(window.CSS && CSS.supports("selector(::details-content)"))) {
    const large = window.matchMedia("(min-width: 1024px) and (min-height: 521px)");
    const follow = () => menus.forEach((menu) => {
      menu.open = large.matches;
      menu.classList.toggle("is-unfolded", large.matches);
    });
    follow();
    large.addEventListener("change", follow);
  }
});

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
});

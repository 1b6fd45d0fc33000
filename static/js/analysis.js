// The map through time: the range input steps through the periods, and the map opens at
// its newest periods. Without this file the page works with the previous/next links and
// the period list plus its button, and the map opens at its start.
(() => {
  "use strict";

  function setUp(form) {
    const range = form.querySelector(".stepper-range");
    const select = form.querySelector(".stepper-select");
    const output = form.querySelector("output");
    if (!range || !select) {
      return;
    }
    const labels = (range.dataset.labels || "").split("|");
    range.hidden = false;
    range.addEventListener("input", () => {
      const label = labels[Number(range.value)] || "";
      if (output) {
        output.textContent = label;
      }
      range.setAttribute("aria-valuetext", label);
    });
    range.addEventListener("change", () => {
      select.selectedIndex = Number(range.value);
      form.submit();
    });
    select.addEventListener("change", () => {
      range.value = String(select.selectedIndex);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".stepper-form").forEach(setUp);
    // The map of a period opens at its newest periods (the timeline runs left to right).
    document.querySelectorAll("[data-scroll-to-end]").forEach((frame) => {
      frame.scrollLeft = frame.scrollWidth;
    });
  });
})();

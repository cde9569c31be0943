// Pain drawing: clicking a region toggles its checkbox (the checkboxes are the real inputs).
(function () {
  "use strict";
  for (const region of document.querySelectorAll("svg.body rect.region")) {
    region.addEventListener("click", function () {
      const name = "bm_" + region.dataset.view + "_" + region.dataset.side;
      const box = document.querySelector(
        'input[name="' + name + '"][value="' + region.dataset.region + '"]'
      );
      if (!box) return;
      box.checked = !box.checked;
      region.classList.toggle("on", box.checked);
    });
  }
  for (const box of document.querySelectorAll("#body-map input[type=checkbox]")) {
    box.addEventListener("change", function () {
      const [, view, side] = box.name.split("_");
      const region = document.querySelector(
        'rect.region[data-view="' + view + '"][data-side="' + side + '"][data-region="' + box.value + '"]'
      );
      if (region) region.classList.toggle("on", box.checked);
    });
  }
})();

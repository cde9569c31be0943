// Live assessment: as the clinician types, fetch the result fragment for the form's current
// state and keep the address bar in step, so the page can be bookmarked or shared.
(function () {
  "use strict";
  const form = document.getElementById("calculator");
  const result = document.getElementById("result");
  if (!form || !result) return;
  let timer = null;
  let controller = null;

  function query() {
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(form)) {
      if (value !== "") params.append(key, value);
    }
    return params.toString();
  }

  async function refresh() {
    const q = query();
    if (controller) controller.abort();
    controller = new AbortController();
    result.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(form.dataset.resultUrl + "?" + q, {
        signal: controller.signal,
        headers: { "X-Requested-With": "fetch" },
      });
      if (!response.ok) throw new Error("HTTP " + response.status);
      result.innerHTML = await response.text();
      history.replaceState(null, "", q ? "?" + q : location.pathname);
    } catch (err) {
      if (err.name !== "AbortError") {
        result.querySelector(".result-inner")?.setAttribute("data-ready", "error");
      }
    } finally {
      result.removeAttribute("aria-busy");
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 200);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    refresh();
  });
  for (const button of form.querySelectorAll("button.add-row")) {
    button.addEventListener("click", function () {
      const hidden = form.querySelector(button.dataset.rows + "[hidden]");
      if (hidden) {
        hidden.hidden = false;
        hidden.querySelector("input, select")?.focus();
      }
      if (!form.querySelector(button.dataset.rows + "[hidden]")) button.disabled = true;
    });
  }
})();

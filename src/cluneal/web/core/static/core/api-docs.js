// Swagger UI leaves some of its controls without a name (WCAG 2.1, 1.3.1 and 4.1.2): the request
// body's editor and a parameter's list of choices in "Try it out", the copy buttons of a
// response, and the button that opens a schema without a title. Each is named after what it
// does, as Swagger draws it.
const unnamed = (selector) => document.querySelectorAll(`${selector}:not([aria-label])`);

new MutationObserver(() => {
  for (const editor of unnamed("textarea.body-param__text")) {
    editor.setAttribute("aria-label", "Request body");
  }
  for (const choice of unnamed("tr[data-param-name] select")) {
    choice.setAttribute("aria-label", choice.closest("tr").dataset.paramName);
  }
  for (const copy of unnamed(".copy-to-clipboard > button")) {
    copy.setAttribute("aria-label", "Copy to clipboard");
  }
  for (const toggle of unnamed("button.json-schema-2020-12-accordion")) {
    if (!toggle.textContent.trim()) toggle.setAttribute("aria-label", "Schema");
  }
}).observe(document.getElementById("swagger-ui"), { childList: true, subtree: true });

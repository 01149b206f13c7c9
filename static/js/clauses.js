// Fetch the policy clauses each suggestion of a proposal page relates to once the page is shown,
// and put each list under its suggestion. The fragment is rendered (and escaped) by the server;
// a suggestion with nothing related gets nothing.
document.querySelectorAll("[data-clauses]").forEach((source) => {
  fetch(source.dataset.clauses, { headers: { Accept: "text/html" }, credentials: "same-origin" })
    .then((response) => (response.ok ? response.text() : ""))
    .then((html) => {
      const template = document.createElement("template");
      template.innerHTML = html;
      template.content.querySelectorAll("[data-clauses-for]").forEach((part) => {
        const slot = document.querySelector(`[data-clauses-slot="${CSS.escape(part.dataset.clausesFor)}"]`);
        const list = part.querySelector("details");
        if (slot && list) slot.replaceChildren(list);
      });
    })
    .catch(() => {});
});

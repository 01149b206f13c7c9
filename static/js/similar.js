// Fetch the similar-proposals section of a proposal page once the page is shown. The fragment is
// rendered (and escaped) by the server; an empty answer means nothing similar, and leaves no trace.
document.querySelectorAll("[data-similar]").forEach((slot) => {
  fetch(slot.dataset.similar, { headers: { Accept: "text/html" }, credentials: "same-origin" })
    .then((response) => (response.ok ? response.text() : ""))
    .then((html) => {
      const template = document.createElement("template");
      template.innerHTML = html;
      slot.replaceChildren(template.content);
    })
    .catch(() => slot.replaceChildren());
});

// The one htmx behaviour the pages use, until htmx itself is bundled: an element with
// hx-get, hx-trigger="every Ns" and hx-swap="outerHTML" is fetched again every N seconds
// (with the HX-Request header, so the server answers the fragment alone) and replaced by the
// answer; polling stops when the new fragment no longer asks for it. Without JavaScript the
// page refreshes itself (<noscript><meta http-equiv="refresh">).
(function () {
  "use strict";
  function every(el) {
    var m = /^every (\d+(?:\.\d+)?)s$/.exec(el.getAttribute("hx-trigger") || "");
    return m ? parseFloat(m[1]) * 1000 : null;
  }
  function poll(el) {
    var delay = every(el);
    if (delay === null || el.getAttribute("hx-swap") !== "outerHTML") return;
    window.setTimeout(function () {
      fetch(el.getAttribute("hx-get"), {
        headers: { "HX-Request": "true" },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.text();
        })
        .then(function (html) {
          var template = document.createElement("template");
          template.innerHTML = html.trim();
          var next = template.content.firstElementChild;
          if (!next) return;
          el.replaceWith(next);
          poll(next);
        })
        .catch(function () {
          poll(el); // a failed request: try again at the next tick
        });
    }, delay);
  }
  document.querySelectorAll("[hx-get][hx-trigger]").forEach(poll);
})();

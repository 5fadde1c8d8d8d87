// Rebote: live search. The site works without this file; with it, the
// search results update as the customer types. It fetches the ordinary
// /buscar page and takes its #resultados block, so there is a single
// rendering of results, on the server.
(function () {
  "use strict";
  var form = document.querySelector("form[data-live-search]");
  var results = document.getElementById("resultados");
  if (!form || !results || !window.fetch || !window.DOMParser) return;
  var input = form.querySelector("input[name=q]");
  var onSearchPage = window.location.pathname === "/buscar";
  var timer = 0;
  var controller = null;
  var last = input.value;

  function update() {
    var q = input.value;
    if (q === last) return;
    last = q;
    if (controller) controller.abort();
    if (q.trim() === "") {
      results.innerHTML = "";
      if (onSearchPage) history.replaceState(null, "", "/buscar");
      return;
    }
    controller = new AbortController();
    var url = "/buscar?q=" + encodeURIComponent(q);
    fetch(url, { signal: controller.signal, headers: { "Accept": "text/html", "X-Rebote-Live": "1" } })
      .then(function (res) { return res.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("resultados");
        if (!fresh || input.value !== q) return;
        results.replaceChildren.apply(results, Array.prototype.slice.call(fresh.childNodes));
        if (onSearchPage) history.replaceState(null, "", url);
      })
      .catch(function () { /* aborted or offline: the form still works */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 150);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { input.value = ""; update(); }
  });
})();

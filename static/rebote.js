// Rebote: live search. The site works without this file; with it, the
// search results update as the customer types. It fetches the ordinary
// /buscar page and takes its #resultados block, so there is a single
// rendering of results, on the server. Screen readers hear only the count
// (#resultados-estado), not the whole list on every update.
(function () {
  "use strict";
  var form = document.querySelector("form[data-live-search]");
  var results = document.getElementById("resultados");
  var status = document.getElementById("resultados-estado");
  if (!form || !results || !window.fetch || !window.DOMParser) return;
  var input = form.querySelector("input[name=q]");
  var onSearchPage = window.location.pathname === "/buscar";
  var timer = 0;
  var controller = null;
  var last = input.value;

  function announce(text) {
    if (status && status.textContent !== text) status.textContent = text;
  }

  function show(nodes, q) {
    results.replaceChildren.apply(results, nodes);
    results.setAttribute("data-query", q); // what the results are for (tests wait on it)
    var count = results.querySelector("[data-testid=result-count]");
    var none = results.querySelector("[data-testid=no-results] h2");
    announce(count ? count.textContent : none ? none.textContent : "");
    if (onSearchPage) history.replaceState(null, "", q === "" ? "/buscar" : "/buscar?q=" + encodeURIComponent(q));
  }

  function update() {
    var q = input.value;
    if (q === last) return;
    last = q;
    if (controller) controller.abort();
    if (q.trim() === "") {
      show([], "");
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
        // While a code or a word is still being typed ("5", "55"),
        // "nothing found" would flash up: wait for more.
        if (fresh.querySelector("[data-testid=no-results]") && q.trim().length < 3) {
          show([], q);
          return;
        }
        show(Array.prototype.slice.call(fresh.childNodes), q);
      })
      .catch(function () { /* aborted or offline: the form still works */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 200);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { input.value = ""; update(); }
  });
})();

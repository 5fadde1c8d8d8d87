// Rebote: live DNS checks. The pages work without this file: /comprobar
// answers its form with the results, and a diagnosis card links to it.
// With it, the check form fills its results in place from the JSON API
// (/api/v1/check/*), and each diagnosis card that names something to
// check (a listed IP, a domain) checks it right after the page shows, so
// the diagnosis never waits on DNS. Text goes in with textContent only:
// what the API returns is never parsed as HTML.
(function () {
  "use strict";
  if (!window.fetch) return;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function label(box, name) { return box.getAttribute("data-label-" + name) || name; }

  // line builds one check as the server renders it (web/check.templ).
  function line(box, c, title) {
    var li = el("li", "check status-" + c.status);
    li.setAttribute("data-testid", "check");
    li.setAttribute("data-check-id", c.id);
    li.setAttribute("data-status", c.status);
    var head = el("p", "check-head");
    head.appendChild(el("span", "check-status", label(box, c.status)));
    head.appendChild(el("span", "check-label", title));
    li.appendChild(head);
    var summary = el("p", "check-summary");
    summary.appendChild(el("strong", "", c.summary));
    li.appendChild(summary);
    li.appendChild(el("p", "check-detail", c.detail));
    if (c.fix) {
      li.appendChild(el("p", "check-fix-label", label(box, "fix")));
      var pre = el("pre", "smtp fix");
      pre.setAttribute("data-testid", "check-fix");
      pre.appendChild(el("code", "", c.fix));
      li.appendChild(pre);
    }
    return li;
  }

  function getJSON(url) {
    return fetch(url, { headers: { "Accept": "application/json" } }).then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) throw new Error(body && body.error ? body.error.message : res.statusText);
        return body;
      });
    });
  }

  // The /comprobar domain form: placeholders at once, then the results.
  var form = document.querySelector("form[data-check-form=domain]");
  var results = document.getElementById("comprobacion");
  if (form && results) {
    form.addEventListener("submit", function (ev) {
      var input = form.querySelector("input[name=dominio]");
      var domain = input.value.trim();
      if (domain === "") return; // the server explains what is missing
      ev.preventDefault();
      var ids = ["mx", "spf", "dkim", "dmarc"];
      var list = el("ul", "checks");
      ids.forEach(function (id) {
        list.appendChild(line(results, { id: id, status: "pending", summary: label(results, "pending"), detail: "" }, label(results, id)));
      });
      var h = el("h2", "", results.getAttribute("data-results-title") + " ");
      h.setAttribute("data-testid", "check-results-title");
      h.appendChild(el("span", "target", domain));
      results.replaceChildren(h, list);
      results.setAttribute("aria-busy", "true");
      var url = "/comprobar?dominio=" + encodeURIComponent(domain);
      getJSON("/api/v1/check/domain?domain=" + encodeURIComponent(domain)).then(function (body) {
        h.lastChild.textContent = body.display;
        var fresh = el("ul", "checks");
        body.checks.forEach(function (c) { fresh.appendChild(line(results, c, label(results, c.id))); });
        list.replaceWith(fresh);
        history.replaceState(null, "", url);
      }).catch(function () {
        // Refused input or no answer: the ordinary form post explains it.
        window.location.assign(url);
      }).finally(function () { results.removeAttribute("aria-busy"); });
    });
  }

  // The diagnosis cards' live checks.
  document.querySelectorAll("[data-live-check]").forEach(function (box) {
    var kind = box.getAttribute("data-live-check");
    var target = box.getAttribute("data-target");
    var out = box.querySelector(".live-check-result");
    if (!target || !out) return; // nothing named to check: the link stays
    out.replaceChildren(el("p", "hint", label(box, "pending")));
    var url;
    switch (kind) {
      case "ip":
      case "ptr":
        url = "/api/v1/check/ip?ip=" + encodeURIComponent(target);
        if (box.getAttribute("data-zone")) url += "&zone=" + encodeURIComponent(box.getAttribute("data-zone"));
        break;
      case "recipient":
        url = "/api/v1/check/domain?as=recipient&domain=" + encodeURIComponent(target);
        break;
      default:
        url = "/api/v1/check/domain?domain=" + encodeURIComponent(target);
    }
    getJSON(url).then(function (body) {
      var list = el("ul", "checks");
      if (kind === "ip") {
        var zone = box.getAttribute("data-zone");
        (body.lists || []).forEach(function (l) {
          if (zone && l.zone !== zone) return;
          var summary = l.summary;
          if (l.status === "fallo") summary = label(box, "listed").replace("%s", l.name);
          if (l.status === "ok") summary = label(box, "unlisted").replace("%s", l.name);
          var li = line(box, { id: "dnsbl", status: l.status, summary: summary, detail: l.detail }, l.name);
          li.setAttribute("data-listed", l.listed ? "true" : "false");
          list.appendChild(li);
        });
      } else if (kind === "ptr") {
        list.appendChild(line(box, body.ptr_check, "PTR"));
      } else {
        body.checks.forEach(function (c) { list.appendChild(line(box, c, c.id.toUpperCase())); });
      }
      out.replaceChildren(list);
    }).catch(function () {
      out.replaceChildren(el("p", "hint", label(box, "failed")));
    });
  });
})();

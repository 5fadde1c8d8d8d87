// Rebote widget for a support-ticket form. Add it with one tag:
//
//   <script src="https://ayuda.example.com/static/rebote-widget.js"
//           data-rebote-textarea="#descripcion" defer></script>
//
// data-rebote-textarea is a CSS selector (or an id) of the field where the
// customer describes the problem; data-rebote-lang (es or en) overrides
// the page's language. As the customer types or pastes, a box under the
// field asks "¿Es este tu problema?" with Rebote's best articles and, when
// the text holds an SMTP error, a link to the full diagnosis; a question
// that is not a delivery error (the webmail password, an invoice, a domain
// to renew) gets a short answer and the button to the provider's page. It needs no
// library, touches nothing outside its own box, sets styles through the
// DOM (so the host page's Content-Security-Policy need not allow inline
// styles), and sends the text only to Rebote's suggest API, which keeps
// none of it. Links open in a new tab (the ticket being written stays)
// and say so; Escape or the × closes the box.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch || !window.URL) return;
  var base = new URL(script.src, document.baseURI).origin;
  var selector = script.getAttribute("data-rebote-textarea") || "";
  var lang = script.getAttribute("data-rebote-lang") ||
    ((document.documentElement.lang || "es").slice(0, 2) === "en" ? "en" : "es");

  function style(el, props) {
    for (var k in props) el.style[k] = props[k];
    return el;
  }

  function make(tag, props, text) {
    var el = style(document.createElement(tag), props || {});
    if (text) el.textContent = text;
    return el;
  }

  function start() {
    var field = null;
    try {
      field = document.querySelector(selector) || document.getElementById(selector);
    } catch (e) {
      field = document.getElementById(selector);
    }
    if (!field) return;

    // The box: a labelled region announced politely to screen readers.
    var box = make("div", {
      all: "initial", display: "none", boxSizing: "border-box", margin: "8px 0", padding: "12px 14px",
      border: "1px solid #0b5cad", borderRadius: "8px", background: "#f3f6f9", color: "#1b1f24",
      font: "15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif", maxWidth: "100%"
    });
    box.setAttribute("role", "region");
    box.setAttribute("aria-live", "polite");
    box.setAttribute("data-rebote-widget", "");
    field.parentNode.insertBefore(box, field.nextSibling);

    var timer = null, controller = null, closedFor = null, shownFor = null, labels = {};

    // focusRing draws a visible focus ring by hand: "all: initial" and the
    // host page's styles may have removed the browser's.
    function focusRing(el) {
      el.addEventListener("focus", function () {
        el.style.outline = "3px solid #084784";
        el.style.outlineOffset = "2px";
      });
      el.addEventListener("blur", function () { el.style.outline = "none"; });
      return el;
    }

    // link opens in a new tab, which its name says; article titles are
    // Spanish content (lang="es") whatever the labels' language.
    function link(href, text, contentLang) {
      var a = focusRing(make("a", { color: "#084784", textDecoration: "underline", fontWeight: "600", cursor: "pointer" }, text));
      a.href = href;
      a.target = "_blank";
      a.rel = "noopener";
      if (contentLang) a.lang = contentLang;
      if (labels.new_tab) a.setAttribute("aria-label", text + " (" + labels.new_tab + ")");
      var mark = make("span", { textDecoration: "none", marginLeft: "4px" }, "\u2197");
      mark.setAttribute("aria-hidden", "true");
      a.appendChild(mark);
      return a;
    }

    function close() {
      closedFor = shownFor;
      box.style.display = "none";
      field.focus();
    }
    function closeOnEscape(e) {
      if ((e.key === "Escape" || e.key === "Esc") && box.style.display !== "none") {
        e.preventDefault();
        close();
      }
    }
    box.addEventListener("keydown", closeOnEscape);
    field.addEventListener("keydown", closeOnEscape);

    function render(data, text) {
      box.textContent = "";
      var topics = (data && data.topics) || [];
      if (!data || (!data.articles.length && !data.diagnosis && !topics.length)) {
        box.style.display = "none";
        return;
      }
      labels = data.labels || {};
      shownFor = text;
      box.setAttribute("aria-label", labels.title || "Rebote");
      var head = make("div", { display: "flex", justifyContent: "space-between", alignItems: "center", gap: "8px" });
      head.appendChild(make("strong", { fontSize: "16px" }, labels.title));
      var closeButton = focusRing(make("button", {
        all: "initial", cursor: "pointer", font: "inherit", fontSize: "20px", lineHeight: "1",
        padding: "2px 8px", color: "#1b1f24", borderRadius: "4px"
      }, "×"));
      closeButton.type = "button";
      closeButton.setAttribute("aria-label", labels.close || "Close");
      closeButton.setAttribute("data-rebote-close", "");
      closeButton.addEventListener("click", close);
      head.appendChild(closeButton);
      box.appendChild(head);

      // A question that is not a delivery error (the webmail password, an
      // invoice) goes first: the customer asked for it in so many words.
      topics.forEach(function (tp) {
        var section = make("div", { margin: "8px 0" });
        section.setAttribute("data-rebote-topic", tp.slug);
        var head = make("p", { margin: "0 0 4px" });
        head.appendChild(make("strong", {}, labels.topic + " "));
        var title = make("span", {}, tp.title);
        title.lang = "es";
        head.appendChild(title);
        section.appendChild(head);
        var text = make("p", { margin: "0 0 4px" }, tp.text);
        text.lang = "es";
        section.appendChild(text);
        var go = make("p", { margin: "0" });
        go.appendChild(link(tp.url, tp.link, "es"));
        section.appendChild(go);
        box.appendChild(section);
      });
      if (data.diagnosis) {
        var p = make("p", { margin: "8px 0 4px" });
        p.appendChild(document.createTextNode(labels.diagnosis + " "));
        p.appendChild(link(data.diagnosis.url, data.diagnosis.title, "es"));
        box.appendChild(p);
      }
      var list = make("ul", { margin: "8px 0", paddingLeft: "20px" });
      data.articles.forEach(function (a) {
        if (data.diagnosis && a.slug === data.diagnosis.article) return;
        var li = make("li", { margin: "4px 0" });
        li.appendChild(link(a.url, a.title, "es"));
        list.appendChild(li);
      });
      if (list.childNodes.length) box.appendChild(list);
      if (data.diagnosis) {
        var full = make("p", { margin: "4px 0 0" });
        full.appendChild(link(data.diagnosis_url, labels.full));
        box.appendChild(full);
      }
      box.style.display = "block";
    }

    function update() {
      var text = field.value || "";
      if (text.replace(/\s+/g, "").length < 8 || text === closedFor) {
        if (text.length < 8) render(null);
        return;
      }
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      var url = base + "/api/v1/suggest?lang=" + lang + "&q=" + encodeURIComponent(text.slice(0, 4000));
      fetch(url, { signal: controller ? controller.signal : undefined, credentials: "omit" })
        .then(function (res) { return res.ok ? res.json() : null; })
        .then(function (data) { if (field.value === text) render(data, text); })
        .catch(function () { /* offline or aborted: the form works as before */ });
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(update, 350);
    }
    field.addEventListener("input", schedule);
    field.addEventListener("paste", schedule);
    if (field.value) schedule();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

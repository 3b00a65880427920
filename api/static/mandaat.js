/* Mandaat: the live answer on the aid request form, and focus on a form's error summary.
   Plain JavaScript, no framework, nothing inline (the pages' Content-Security-Policy allows only this file).
   Every form also works without it: the "Bekijk de uitkomst" button posts the form and the page shows the
   answer. */
(function () {
  "use strict";

  function livePreview(form) {
    var target = document.getElementById(form.getAttribute("data-preview-target"));
    var url = form.getAttribute("data-preview");
    if (!target || !url) {
      return;
    }
    var sent = 0;
    var timer = null;

    function refresh() {
      var ticket = ++sent;
      var body = new FormData(form);
      body.delete("intent");
      target.setAttribute("aria-busy", "true");
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-Mandaat-Fragment": "1" }
      })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          if (ticket === sent) {
            target.innerHTML = html;  /* the server's own escaped HTML fragment */
            target.setAttribute("aria-busy", "false");
          }
        })
        .catch(function () {
          target.setAttribute("aria-busy", "false");  /* offline: the button still works */
        });
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 350);
    }

    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", function (event) {
      if (event.submitter && event.submitter.value === "preview") {
        event.preventDefault();
        refresh();
      }
    });
  }

  document.querySelectorAll("form[data-preview]").forEach(livePreview);

  var summary = document.querySelector("[data-focus]");
  if (summary) {
    summary.focus();
  }
})();

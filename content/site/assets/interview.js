// The server's questionnaire (advisor serve, /{lang}/questionnaire): the page works
// without this script, each answer a form sent to the server and each step a page.
// With it, an answer is sent in the background and the next step replaces the old one
// in place: no reload, and the focus goes to the new question, where a screen reader
// reads it out. The address changes as it would without the script (?t=TOKEN), so the
// back and forward buttons, a reload and a bookmark all work the same.
(function () {
  "use strict";

  if (!window.fetch || !window.DOMParser || !document.getElementById("interview")) {
    return;
  }

  function swap(html, url, push) {
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("interview");
    var current = document.getElementById("interview");
    if (!fresh || !current) {
      location.assign(url);
      return;
    }
    current.replaceWith(fresh);
    if (push) {
      history.pushState({ interview: true }, "", url);
    }
    var focus = document.getElementById("q-heading") || fresh.querySelector("h2");
    if (focus) {
      if (!focus.hasAttribute("tabindex")) {
        focus.setAttribute("tabindex", "-1");
      }
      focus.focus();
    }
    // The copy button of the decision (triage.js) binds to the new content.
    document.dispatchEvent(new CustomEvent("advisor:content"));
  }

  function load(request, push) {
    fetch(request)
      .then(function (response) {
        return response.text().then(function (html) {
          // A refused answer comes back as the same step, at the address of the form:
          // the address bar keeps the step's own, with its token.
          var moved = request.method === "GET" || response.redirected;
          swap(html, moved ? response.url : location.href, push && moved);
        });
      })
      .catch(function () {
        // The network failed: let the browser do it the plain way, and say so itself.
        if (request.method === "GET") {
          location.assign(request.url);
        }
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-step-form")) {
      return;
    }
    event.preventDefault();
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) {
      data.append(event.submitter.name, event.submitter.value);
    }
    load(
      new Request(form.action, {
        method: "POST",
        body: new URLSearchParams(data),
        credentials: "same-origin",
      }),
      true
    );
  });

  document.addEventListener("click", function (event) {
    var anchor = event.target.closest ? event.target.closest("a[data-step-link]") : null;
    if (!anchor || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
      return;
    }
    event.preventDefault();
    load(new Request(anchor.href, { credentials: "same-origin" }), true);
  });

  window.addEventListener("popstate", function () {
    load(new Request(location.href, { credentials: "same-origin" }), false);
  });
})();

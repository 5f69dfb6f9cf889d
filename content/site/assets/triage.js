// The triage page (advisor serve): a button that copies the ticket summary. The page
// works without it: the summary can be selected and copied by hand. Its words come
// from the page (data-copied, data-select), which the catalogs translate.
// The questionnaire's decision has the same button; its steps replace the page's
// content in place (interview.js), which then says so with "advisor:content".
(function () {
  "use strict";

  function bind() {
    var button = document.getElementById("copy-transcript");
    var area = document.getElementById("transcript");
    var status = document.getElementById("copy-status");
    if (!button || !area || !status || button.hasAttribute("data-bound")) {
      return;
    }
    button.setAttribute("data-bound", "");
    button.hidden = false;

    function copied() {
      status.textContent = button.getAttribute("data-copied");
    }

    function selectOnly() {
      area.focus();
      area.select();
      status.textContent = button.getAttribute("data-select");
    }

    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(area.value).then(copied, selectOnly);
      } else {
        selectOnly();
      }
    });
  }

  bind();
  document.addEventListener("advisor:content", bind);
})();

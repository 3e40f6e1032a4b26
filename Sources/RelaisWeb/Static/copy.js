// Relais: the "Copier" buttons of the bilan sheet. The page works without it: each field is plain
// text to select. With it, a button copies its field and says so.
(function () {
  "use strict";
  function copied(button) {
    var label = button.textContent;
    button.textContent = button.getAttribute("data-done");
    setTimeout(function () { button.textContent = label; }, 1500);
  }
  function select(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.textContent).then(function () { copied(button); }, function () { select(field); });
      } else {
        select(field);
        try { if (document.execCommand("copy")) { copied(button); } } catch (e) { /* the text stays selected */ }
      }
    });
  });
})();

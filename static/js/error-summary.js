/* The error summary ("There is a problem"): only an enhancement, the page works without it.
   - Moves focus to the summary when the page opens, for browsers that ignore its autofocus.
   - A link in it puts the cursor in the field AND keeps the field's label (or question) on screen:
     the browser alone would scroll the input to the top edge and hide the label above it. */
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (!summary) { return; }
  if (document.activeElement === document.body || document.activeElement === null) {
    summary.focus();
  }
  summary.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (!link) { return; }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) { return; }
    var fieldset = field.closest("fieldset");
    var label = (fieldset && fieldset.querySelector("legend")) ||
      document.querySelector("label[for='" + field.id + "']") || field;
    event.preventDefault();
    label.scrollIntoView();
    field.focus({ preventScroll: true });
    if (window.history && history.replaceState) { history.replaceState(null, "", "#" + field.id); }
  });
})();

// Hookpoint dashboard: the copy buttons (served as a file so the CSP needs no 'unsafe-inline').
"use strict";
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-copy-target]");
  if (!button) { return; }
  var input = document.getElementById(button.getAttribute("data-copy-target"));
  if (!input) { return; }
  var done = function () {
    button.textContent = "Copied";
    button.classList.add("done");
    setTimeout(function () { button.textContent = "Copy"; button.classList.remove("done"); }, 1500);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(input.value).then(done, function () { input.select(); });
  } else {
    input.focus();
    input.select();
    try { if (document.execCommand("copy")) { done(); } } catch (e) { /* selected: Ctrl+C */ }
  }
});

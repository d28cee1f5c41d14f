// "Copy" buttons next to secrets shown once: data-copy names the element whose text to copy.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) { button.hidden = true; return; }
    var label = button.textContent;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.innerText.trim()).then(function () {
        button.textContent = "✓";
        setTimeout(function () { button.textContent = label; }, 1500);
      });
    });
  });
}());

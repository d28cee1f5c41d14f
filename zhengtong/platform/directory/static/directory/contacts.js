// Counts a tapped call or mail link towards the person's recent and frequent contacts.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-contact-use]");
    var list = link && link.closest("[data-csrf]");
    if (!list || !navigator.sendBeacon) { return; }
    var body = new FormData();
    body.append("csrfmiddlewaretoken", list.dataset.csrf);
    navigator.sendBeacon(link.dataset.contactUse, body);
  });
}());

// The people picker on the members page: typing narrows the list to the names that contain the text.
(function () {
  "use strict";
  var search = document.getElementById("chat-people-search");
  if (!search) { return; }
  var form = document.getElementById(search.dataset.filters);
  search.addEventListener("input", function () {
    var text = search.value.trim();
    form.querySelectorAll(".chat-picker label").forEach(function (label) {
      var row = label.closest("div") || label;
      row.hidden = text !== "" && label.textContent.indexOf(text) === -1;
    });
  });
}());

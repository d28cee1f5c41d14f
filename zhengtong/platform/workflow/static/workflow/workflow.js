// The process diagram: on a narrow screen, scroll it so that the current step is in view.
(function () {
  "use strict";
  document.querySelectorAll(".wf-diagram").forEach(function (box) {
    var current = box.querySelector("rect[data-state=current]");
    if (!current || box.scrollWidth <= box.clientWidth) { return; }
    var boxRect = box.getBoundingClientRect();
    var stepRect = current.getBoundingClientRect();
    box.scrollLeft += stepRect.left + stepRect.width / 2 - (boxRect.left + boxRect.width / 2);
  });
}());

// Person picker for the workflow forms: suggestions from the directory search as one types a name.
(function () {
  "use strict";
  var inputs = document.querySelectorAll("[data-person-picker]");
  if (!inputs.length) { return; }
  var list = document.createElement("datalist");
  list.id = "wf-people";
  document.body.appendChild(list);
  var timer = null;
  var SEPARATORS = /[\s,，、;；]+/;

  function suggest(input) {
    var text = input.value;
    var many = input.getAttribute("data-person-picker") === "many";
    var parts = many ? text.split(SEPARATORS) : [text.trim()];
    var last = parts[parts.length - 1];
    if (!last) { return; }
    var before = many ? parts.slice(0, -1).filter(Boolean) : [];
    fetch("/api/directory/search?q=" + encodeURIComponent(last), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (people) {
        list.textContent = "";
        (people || []).slice(0, 10).forEach(function (person) {
          var option = document.createElement("option");
          option.value = before.concat([person.username]).join(", ");
          var post = person.posts && person.posts[0] ? " · " + person.posts[0].department + (person.posts[0].post ? " " + person.posts[0].post : "") : "";
          option.label = person.name + post;
          option.textContent = person.name + post;
          list.appendChild(option);
        });
      })
      .catch(function () { list.textContent = ""; });
  }

  inputs.forEach(function (input) {
    input.setAttribute("list", "wf-people");
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { suggest(input); }, 250);
    });
  });
}());

// 我的收藏: "Load more" appends the next, older page here (without script the link opens that page).
(function () {
  "use strict";
  var list = document.getElementById("chat-starred");
  if (!list) { return; }
  document.addEventListener("click", function (event) {
    var more = event.target.closest("#chat-starred-more");
    if (!more) { return; }
    event.preventDefault();
    more.setAttribute("aria-busy", "true");
    fetch(more.href, {credentials: "same-origin"}).then(function (answer) {
      if (!answer.ok) { throw new Error(answer.status); }
      return answer.text();
    }).then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      page.querySelectorAll("#chat-starred > li.chat-message").forEach(function (item) {
        if (!list.querySelector('li[data-id="' + item.dataset.id + '"]')) { list.appendChild(document.adoptNode(item)); }
      });
      var next = page.getElementById("chat-starred-more");
      if (next) { more.href = next.getAttribute("href"); more.removeAttribute("aria-busy"); }
      else { more.parentNode.remove(); }
    }).catch(function () { more.removeAttribute("aria-busy"); window.location.href = more.href; });
  });
}());

// Official documents: the pen pad for a leader's handwritten mark-up (stored as SVG path data)
// and the widths of the 督办 chart's bars. No inline script: the page's CSP forbids it.
(function () {
  "use strict";

  function inkPad(canvas) {
    var target = document.getElementById(canvas.dataset.target);
    var context = canvas.getContext("2d");
    var path = target.value || "";
    var drawing = false;
    context.strokeStyle = "#c00";
    context.lineWidth = 3;
    context.lineCap = "round";

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return [Math.round((event.clientX - box.left) * canvas.width / box.width),
              Math.round((event.clientY - box.top) * canvas.height / box.height)];
    }
    canvas.addEventListener("pointerdown", function (event) {
      var p = point(event);
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      context.beginPath();
      context.moveTo(p[0], p[1]);
      path += "M" + p[0] + " " + p[1] + " ";
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      var p = point(event);
      context.lineTo(p[0], p[1]);
      context.stroke();
      path += "L" + p[0] + " " + p[1] + " ";
    });
    function stop() {
      drawing = false;
      target.value = path.trim();
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    var clear = document.getElementById("ink-clear");
    if (clear) {
      clear.addEventListener("click", function () {
        context.clearRect(0, 0, canvas.width, canvas.height);
        path = "";
        target.value = "";
      });
    }
  }

  function chart(container) {
    var bars = container.querySelectorAll(".doc-bar-fill");
    var largest = 0;
    bars.forEach(function (bar) { largest = Math.max(largest, Number(bar.dataset.value) || 0); });
    bars.forEach(function (bar) {
      bar.style.width = largest ? (100 * Number(bar.dataset.value) / largest) + "%" : "0";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas.doc-inkpad").forEach(inkPad);
    document.querySelectorAll(".doc-chart").forEach(chart);
  });
}());

// A signature pad: draw with a finger or stylus; the drawing is sent as a PNG data URL.
(function () {
  "use strict";

  function pad(form) {
    var canvas = form.querySelector("canvas");
    var field = form.querySelector("input[name=signature]");
    var clear = form.querySelector("[data-clear]");
    var context = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;

    function size() {
      var ratio = window.devicePixelRatio || 1;
      var box = canvas.getBoundingClientRect();
      canvas.width = Math.round(box.width * ratio);
      canvas.height = Math.round(box.height * ratio);
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.lineWidth = 2.6;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.strokeStyle = "#101828";
      drawn = false;
    }

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      var p = point(event);
      context.beginPath();
      context.moveTo(p.x, p.y);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      var p = point(event);
      context.lineTo(p.x, p.y);
      context.stroke();
      drawn = true;
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () { drawing = false; });
    });
    clear.addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
    });
    form.addEventListener("submit", function (event) {
      if (!drawn) {
        event.preventDefault();
        event.stopImmediatePropagation();
        form.querySelector("[data-empty]").hidden = false;
        return;
      }
      field.value = canvas.toDataURL("image/png");
    }, true);
    size();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-signature]"), pad);
  });
})();

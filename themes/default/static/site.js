// journeymap default theme: small progressive enhancements; every page works without it.
(function () {
  "use strict";
  // Wide journey maps: let the keyboard scroll them, and show where more columns are.
  document.querySelectorAll(".map-scroll").forEach(function (el) {
    function update() {
      el.classList.toggle("more-right", el.scrollLeft + el.clientWidth < el.scrollWidth - 2);
      el.classList.toggle("more-left", el.scrollLeft > 2);
    }
    el.addEventListener("scroll", update, { passive: true });
    window.addEventListener("resize", update);
    update();
  });
  // Definitions print open (browsers without ::details-content need the attribute), then
  // go back to how the reader left them.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.info:not([open]), details.legend:not([open])").forEach(function (d) {
      d.open = true;
      opened.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
})();

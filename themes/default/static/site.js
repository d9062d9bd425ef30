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
})();

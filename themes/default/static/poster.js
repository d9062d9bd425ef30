// journeymap default theme, poster page: the sheet is laid out at the printed width of an
// A3 landscape page, and scaled down as a whole when it is taller than one, so that it
// prints on one sheet. Without this script it prints the same, on as many sheets as it needs.
(function () {
  "use strict";
  var sheet = document.querySelector(".poster-sheet");
  if (!sheet) return;
  function fit() {
    sheet.style.zoom = "";
    // The printable area of the sheet: 400 × 277 mm (A3 landscape less 10 mm margins).
    var height = sheet.clientWidth * 277 / 400;
    var needed = sheet.scrollHeight;
    if (needed > height) sheet.style.zoom = String(Math.floor((height / needed) * 1000) / 1000);
  }
  window.addEventListener("beforeprint", fit);
  window.addEventListener("load", fit);
})();

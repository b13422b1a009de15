/* Scanner input for the warehouse pages: a USB scanner types the barcode and Enter.
   Each scan finds the line (by barcode or SKU code), adds one to its quantity box and updates the
   running total; nothing is sent until the form is submitted, as one batch. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    var scan = document.getElementById("scan");
    var status = document.getElementById("scan-status");
    var totalCell = document.getElementById("scan-total");
    var codesNode = document.getElementById("scan-codes");
    if (!codesNode || !totalCell) return;
    var codes = JSON.parse(codesNode.textContent);
    var labels = JSON.parse(document.getElementById("scan-labels").textContent);
    var inputs = Array.prototype.slice.call(document.querySelectorAll("input.qty"));

    function total() {
      var sum = 0;
      inputs.forEach(function (input) { sum += parseInt(input.value || "0", 10) || 0; });
      totalCell.textContent = String(sum);
      return sum;
    }
    function say(text, bad) {
      status.textContent = text;
      status.className = "scan-status" + (bad ? " bad" : "");
    }
    inputs.forEach(function (input) { input.addEventListener("input", total); });
    total();
    if (!scan) return;
    scan.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      var code = scan.value.trim();
      scan.value = "";
      if (!code) return;
      var line = Object.prototype.hasOwnProperty.call(codes, code) ? codes[code] : codes[code.toUpperCase()];
      var input = line && document.getElementById("qty-" + line);
      if (!input) {
        say("Not on this order: " + code, true);
        return;
      }
      var units = (parseInt(input.value || "0", 10) || 0) + 1;
      input.value = String(units);
      var open = parseInt(input.dataset.open || "0", 10);
      say(labels[line] + ": " + units + " of " + open + " open" + (units > open ? " (more than ordered)" : ""), units > open);
      total();
    });
  });
})();

/* Scanner input for the warehouse pages: a USB scanner types the barcode and Enter.
   Each scan finds the row (by barcode or SKU code), adds one to its quantity box and updates the
   running total; nothing is sent until the form is submitted, as one batch. On a page whose scan
   field has data-lookup (counting), a code not yet on the page is looked up on our server and a
   row is added from the page's <template id="scan-row">. */
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

    function inputs() { return Array.prototype.slice.call(document.querySelectorAll("input.qty")); }
    function total() {
      var sum = 0;
      inputs().forEach(function (input) { sum += parseInt(input.value || "0", 10) || 0; });
      totalCell.textContent = String(sum);
      return sum;
    }
    function say(text, bad) {
      status.textContent = text;
      status.className = "scan-status" + (bad ? " bad" : "");
    }
    function lineOf(code) {
      if (Object.prototype.hasOwnProperty.call(codes, code)) return codes[code];
      return codes[code.toUpperCase()];
    }
    function addOne(line) {
      var input = document.getElementById("qty-" + line);
      var units = (parseInt(input.value || "0", 10) || 0) + 1;
      input.value = String(units);
      var open = input.dataset.open ? parseInt(input.dataset.open, 10) : null;
      if (open === null) {
        say(labels[line] + ": " + units + " counted", false);
      } else {
        say(labels[line] + ": " + units + " of " + open + " open" + (units > open ? " (more than ordered)" : ""), units > open);
      }
      total();
    }
    function addRow(sku) {
      var template = document.getElementById("scan-row");
      var html = template.innerHTML.split("__ID__").join(String(sku.id));
      var body = document.getElementById("scan-rows");
      body.insertAdjacentHTML("beforeend", html);
      var row = body.lastElementChild;
      row.querySelector(".sku-code").textContent = sku.code;
      row.querySelector(".sku-name").textContent = sku.name;
      row.querySelector(".sku-on-hand").textContent = String(sku.on_hand);
      document.getElementById("qty-" + sku.id).addEventListener("input", total);
      codes[sku.code] = sku.id;
      if (sku.barcode) codes[sku.barcode] = sku.id;
      labels[sku.id] = sku.code;
    }
    inputs().forEach(function (input) { input.addEventListener("input", total); });
    total();
    if (!scan) return;
    scan.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      var code = scan.value.trim();
      scan.value = "";
      if (!code) return;
      var line = lineOf(code);
      if (line && document.getElementById("qty-" + line)) { addOne(line); return; }
      if (!scan.dataset.lookup) { say("Not on this order: " + code, true); return; }
      var where = document.getElementById("id_location");
      var query = "?code=" + encodeURIComponent(code) + (where ? "&location=" + encodeURIComponent(where.value) : "");
      fetch(scan.dataset.lookup + query, {credentials: "same-origin"})
        .then(function (response) { return response.json().then(function (body) { return [response.ok, body]; }); })
        .then(function (result) {
          if (!result[0]) { say(result[1].error || ("Unknown: " + code), true); return; }
          if (!document.getElementById("qty-" + result[1].id)) addRow(result[1]);
          addOne(result[1].id);
        })
        .catch(function () { say("Could not look " + code + " up: try again", true); });
    });
  });
})();

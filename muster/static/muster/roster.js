// Class entry: filter the roster checkboxes by name or badge, and count the ticks.
// Loaded as a file (no inline script), so it works under a strict CSP.
(function () {
  "use strict";
  function setUp() {
    var search = document.querySelector("[data-roster-search]");
    var list = document.querySelector("[data-roster-list]");
    var count = document.querySelector("[data-roster-count]");
    if (!search || !list) return;
    var items = Array.prototype.slice.call(list.querySelectorAll("label"));
    function recount() {
      if (count) count.textContent = list.querySelectorAll("input:checked").length;
    }
    search.addEventListener("input", function () {
      var needle = search.value.trim().toLowerCase();
      items.forEach(function (label) {
        var row = label.closest("div") || label;
        row.hidden = needle !== "" && label.textContent.toLowerCase().indexOf(needle) === -1;
      });
    });
    list.addEventListener("change", recount);
    recount();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();

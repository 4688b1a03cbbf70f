// "Select all" checkboxes without inline handlers (the CSP forbids them): a checkbox with
// data-select-all="<CSS selector>" ticks or clears every checkbox the selector matches, and
// shows itself half-ticked when only some of them are.
(function () {
  "use strict";
  function targets(master) {
    return Array.prototype.slice.call(document.querySelectorAll(master.dataset.selectAll));
  }
  function sync(master) {
    var boxes = targets(master);
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    master.checked = boxes.length > 0 && ticked === boxes.length;
    master.indeterminate = ticked > 0 && ticked < boxes.length;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var masters = document.querySelectorAll("input[type=checkbox][data-select-all]");
    Array.prototype.forEach.call(masters, function (master) {
      master.addEventListener("change", function () {
        targets(master).forEach(function (box) { box.checked = master.checked; });
        master.indeterminate = false;
      });
      targets(master).forEach(function (box) {
        box.addEventListener("change", function () { sync(master); });
      });
      sync(master);
    });
  });
})();

// Progressive enhancement only: every page works without this script.
// The tender form's criteria builder shows the running total of the weights as they are typed
// (the server checks the sum on every submission whatever this says).
(function () {
  "use strict";
  var total = document.getElementById("criteria-total");
  if (!total) { return; }
  var inputs = function () {
    return Array.prototype.slice.call(document.querySelectorAll("input[data-weight]"));
  };
  var update = function () {
    var sum = 0;
    inputs().forEach(function (input) {
      var n = parseInt(input.value, 10);
      if (!isNaN(n)) { sum += n; }
    });
    total.textContent = "Weights add up to " + sum + " of 100";
    total.className = sum === 100 ? "mkt-total" : "mkt-total mkt-total--wrong";
  };
  document.addEventListener("input", function (event) {
    if (event.target && event.target.hasAttribute("data-weight")) { update(); }
  });
  update();
})();

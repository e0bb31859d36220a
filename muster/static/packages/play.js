// The package player page: when the SCO finishes (a message from the content
// origin's launcher), reload with ?after=terminate: Muster then applies the
// SCO's navigation request (muster/packages/navigation.py), else opens the next
// item not yet done. Messages from any other origin are ignored.
(function () {
  "use strict";
  var frame = document.getElementById("package-frame");
  if (!frame) { return; }
  var origin = frame.dataset.contentOrigin;
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || !event.data || event.data.type !== "muster:finished") {
      return;
    }
    window.location.assign(
      window.location.pathname.replace(/\/\d+\/$/, "/") + "?after=terminate"
    );
  });
})();

// The cmi5 returnURL page, on the content origin: the AU redirected here when it
// terminated. Tell the player (Muster's origin) so it shows what is done; in a
// window of its own (OwnWindow), tell the opener instead.
(function () {
  "use strict";
  var origin = document.getElementById("cmi5-return").dataset.parentOrigin;
  var target = window.parent !== window ? window.parent : window.opener;
  if (target) {
    target.postMessage({type: "muster:finished"}, origin);
  }
})();

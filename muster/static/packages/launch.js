// The SCORM runtime on the content origin (see muster/packages/launch.py).
// scorm-again provides the API object (window.API for SCORM 1.2,
// window.API_1484_11 for SCORM 2004) that the SCO, loaded in the frame below,
// finds by walking up its parents. Every commit goes to Muster's commit URL,
// whose token names this launch; Muster judges and keeps what counts. When the
// SCO finishes, the player page (the parent) is told so it can move on.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("muster-launch").textContent);
  var settings = {
    lmsCommitUrl: config.commitUrl,
    dataCommitFormat: "flattened",
    autocommit: true,
    autocommitSeconds: 30,
    includeCommitSequence: true,
    terminateCommitPayloadField: "muster_terminate",
    logLevel: 4,
    // SCORM 2004: the SCO's adl.nav.request goes with the commit (it is still
    // set when Terminate commits), for Muster to apply once the SCO finished.
    requestHandler: function (commit) {
      var nav = api && api.adl && api.adl.nav;
      if (nav && nav.request && nav.request !== "_none_") {
        commit["adl.nav.request"] = nav.request;
      }
      // SCORM 2004 4th edition shared data: the stores the SCO may write.
      if (config.sharedData && api.adl.captureWritableSharedDataSnapshot) {
        commit["adl.data"] = api.adl.captureWritableSharedDataSnapshot();
      }
      return commit;
    }
  };
  var api;
  if (config.kind === "scorm12") {
    api = new window.Scorm12API(settings);
    window.API = api;
  } else {
    api = new window.Scorm2004API(settings);
    window.API_1484_11 = api;
  }
  try {
    api.loadFromJSON(config.cmi);
  } catch (error) {
    // A restored value the runtime refuses must not leave the SCO without an API.
    window.console.error("Muster: launch data not fully loaded", error);
  }
  if (config.requestValid) {
    // adl.nav.request_valid as Muster's sequencing judges it at this launch
    // (muster/packages/sequencing.py). continue, previous and the leaving
    // requests are set before the SCO initializes, when the runtime still
    // takes them; choice and jump, which scorm-again answers from its own
    // list of SCOs, by target identifier below.
    var valid = config.requestValid;
    try {
      Object.keys(valid).forEach(function (name) {
        if (typeof valid[name] === "string") {
          api.adl.nav.request_valid[name] = valid[name];
        }
      });
    } catch (error) {
      window.console.error("Muster: adl.nav.request_valid not set", error);
    }
    var getValue = api.GetValue;
    var targeted = /^adl\.nav\.request_valid\.(choice|jump)\.\{target=(.+)\}$/;
    api.GetValue = function (element) {
      var value = getValue.call(api, element);
      var match = targeted.exec(element);
      if (match && String(api.GetLastError()) === "0") {
        // A target the activity tree does not hold cannot be chosen.
        return (valid[match[1]] || {})[match[2]] || "false";
      }
      return value;
    };
  }
  if (config.sharedData) {
    // adl.data.n: the item's adlcp:maps, with the learner's readable stores.
    api.adl.restoreSharedDataSnapshot(config.sharedData.stores);
    api.adl.configureSharedDataMaps(config.sharedData.maps);
  }
  // scorm-again sends the terminate commit as a beacon, which may reach Muster
  // after the player has reloaded. A synchronous commit just before Terminate
  // has the same data (and the SCO's adl.nav.request), so the player always
  // finds what the SCO left.
  var terminateName = config.kind === "scorm12" ? "LMSFinish" : "Terminate";
  var commitName = config.kind === "scorm12" ? "LMSCommit" : "Commit";
  var terminate = api[terminateName];
  api[terminateName] = function (parameter) {
    if (parameter === "" && api.isInitialized()) {
      api[commitName]("");
    }
    return terminate.call(api, parameter);
  };
  function finished() {
    if (window.parent !== window) {
      window.parent.postMessage({type: "muster:finished"}, config.parentOrigin);
    }
  }
  api.on(config.kind === "scorm12" ? "LMSFinish" : "Terminate", function () {
    // The synchronous commit above has been answered before this runs.
    window.setTimeout(finished, 0);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.getElementById("sco").src = config.launchUrl;
  });
})();

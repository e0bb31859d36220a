// LTI platform storage (1EdTech "OIDC Login with LTI Client Side postMessages"
// and "LTI postMessage Storage"): Muster keeps the login's state in a frame of
// the LMS's page instead of a cookie, which a browser may not send to a frame.
//
// The page names what to do in the JSON block #lti-storage:
//   put: store {key: value} in the LMS's frame, then go on to `next` (the LMS's
//        authorization URL); if the LMS does not answer, go on anyway (the
//        state cookie may still come back).
//   get: read `key` back; if it is this form's state, post the launch form;
//        else show why not and the way to start again in a window of its own.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("lti-storage").textContent);
  var TIMEOUT_MS = 3000;

  function storageFrame() {
    var parent = window.opener || window.parent;
    if (!parent || parent === window) {
      return null;
    }
    if (config.frame === "_parent") {
      return parent;
    }
    try {
      return parent.frames[config.frame] || null;
    } catch (error) {
      return null;
    }
  }

  function randomId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return "muster-" + Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  // Sends one message to the LMS's frame; calls done(answer) with its answer,
  // or done(null) on an error answer, no frame or no answer in time.
  function ask(message, done) {
    var frame = storageFrame();
    if (frame === null) {
      done(null);
      return;
    }
    var finished = false;
    message.message_id = randomId();
    function finish(answer) {
      if (finished) {
        return;
      }
      finished = true;
      window.removeEventListener("message", listen);
      done(answer);
    }
    function listen(event) {
      var data = event.data;
      // Only the LMS's own origin answers, to this message, with its subject.
      if (event.origin !== config.origin || !data || typeof data !== "object") {
        return;
      }
      if (data.message_id !== message.message_id) {
        return;
      }
      if (data.subject !== message.subject + ".response") {
        return;
      }
      finish(data.error ? null : data);
    }
    window.addEventListener("message", listen);
    frame.postMessage(message, config.origin);
    window.setTimeout(function () { finish(null); }, TIMEOUT_MS);
  }

  if (config.action === "put") {
    ask(
      { subject: "lti.put_data", key: config.key, value: config.value },
      function () { window.location.replace(config.next); }
    );
  } else if (config.action === "get") {
    var form = document.getElementById("lti-storage-launch");
    ask({ subject: "lti.get_data", key: config.key }, function (answer) {
      var value = answer && typeof answer.value === "string" ? answer.value : "";
      if (value !== "" && value === form.elements.state.value) {
        form.elements.stored.value = value;
        form.submit();
        return;
      }
      document.getElementById("lti-storage-status").textContent =
        "Your LMS did not confirm the sign-in.";
      document.getElementById("lti-storage-failed").hidden = false;
    });
  }
})();

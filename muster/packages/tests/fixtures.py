"""Small SCORM 1.2, SCORM 2004 and cmi5 packages, built in memory for the tests.

No third-party sample package could be had from the registries this project may
use, so these are written here, to the specifications: the manifests follow the
CAM (SCORM 1.2 and 2004 4th edition) and the cmi5 course structure, and each
SCO finds the runtime's API object with the API discovery algorithm of the RTE
(walk up `window.parent`, at most 500 steps) and talks to it as real content
does: Initialize, read entry and suspend data, set status, score and session
time, Commit, Terminate.
"""

from __future__ import annotations

import io
import zipfile

MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="muster.test.scorm12" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="ORG">
    <organization identifier="ORG">
      <title>De-escalation Basics</title>
      <item identifier="ITEM1" identifierref="RES1">
        <title>Calming a crisis</title>
        <adlcp:masteryscore>80</adlcp:masteryscore>
        <adlcp:datafromlms>chapter=1</adlcp:datafromlms>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES1" type="webcontent" adlcp:scormtype="sco" href="sco/index.html">
      <file href="sco/index.html"/><file href="sco/sco.js"/>
    </resource>
  </resources>
</manifest>
"""

MANIFEST_2004 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="muster.test.scorm2004" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="ORG">
    <organization identifier="ORG">
      <title>Use of Force Review</title>
      <item identifier="ITEM1" identifierref="RES1">
        <title>Legal standards</title>
        <imsss:sequencing>
          <imsss:objectives>
            <imsss:primaryObjective objectiveID="pass" satisfiedByMeasure="true">
              <imsss:minNormalizedMeasure>0.7</imsss:minNormalizedMeasure>
            </imsss:primaryObjective>
          </imsss:objectives>
        </imsss:sequencing>
      </item>
    </organization>
  </organizations>
  <resources xml:base="content/">
    <resource identifier="RES1" type="webcontent" adlcp:scormType="sco" href="index.html">
      <file href="index.html"/><file href="sco.js"/>
    </resource>
  </resources>
</manifest>
"""

CMI5 = """<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="https://muster.example/courses/cmi5-test">
    <title><langstring lang="en-US">Report Writing</langstring></title>
    <description><langstring lang="en-US">Writing clear reports.</langstring></description>
  </course>
  <block id="https://muster.example/courses/cmi5-test/block1">
    <title><langstring lang="en-US">Block</langstring></title>
    <description><langstring lang="en-US">The report.</langstring></description>
    <au id="https://muster.example/courses/cmi5-test/au1" moveOn="CompletedAndPassed" masteryScore="0.8">
      <title><langstring lang="en-US">The narrative</langstring></title>
      <description><langstring lang="en-US">Write the narrative.</langstring></description>
      <url>au/index.html</url>
    </au>
  </block>
</courseStructure>
"""

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>SCO</title>
<script src="sco.js"></script></head>
<body><h1 id="sco-title">Lesson</h1>
<p id="entry">?</p><p id="suspend">?</p>
<button id="pass" type="button">I have finished: pass</button>
<button id="suspend-button" type="button">Save and leave</button>
</body></html>
"""

SCO_12 = """
// SCORM 1.2 RTE 3.3: find "API" in this window or a parent.
function findAPI(win) {
  var tries = 0;
  while (win.API == null && win.parent != null && win.parent != win && tries < 500) {
    tries++; win = win.parent;
  }
  return win.API;
}
window.addEventListener("DOMContentLoaded", function () {
  var api = findAPI(window);
  api.LMSInitialize("");
  document.getElementById("entry").textContent = api.LMSGetValue("cmi.core.entry");
  document.getElementById("suspend").textContent = api.LMSGetValue("cmi.suspend_data");
  api.LMSSetValue("cmi.core.lesson_status", "incomplete");
  document.getElementById("suspend-button").addEventListener("click", function () {
    api.LMSSetValue("cmi.suspend_data", "page=3");
    api.LMSSetValue("cmi.core.lesson_location", "p3");
    api.LMSSetValue("cmi.core.exit", "suspend");
    api.LMSSetValue("cmi.core.session_time", "00:01:30");
    api.LMSCommit("");
    api.LMSFinish("");
  });
  document.getElementById("pass").addEventListener("click", function () {
    api.LMSSetValue("cmi.core.score.raw", "90");
    api.LMSSetValue("cmi.core.lesson_status", "completed");
    api.LMSSetValue("cmi.core.session_time", "00:02:05.50");
    api.LMSCommit("");
    api.LMSFinish("");
  });
});
"""

SCO_2004 = """
// SCORM 2004 RTE 3.1.5: find "API_1484_11" in this window or a parent.
function findAPI(win) {
  var tries = 0;
  while (win.API_1484_11 == null && win.parent != null && win.parent != win && tries < 500) {
    tries++; win = win.parent;
  }
  return win.API_1484_11;
}
window.addEventListener("DOMContentLoaded", function () {
  var api = findAPI(window);
  api.Initialize("");
  document.getElementById("entry").textContent = api.GetValue("cmi.entry");
  document.getElementById("suspend").textContent = api.GetValue("cmi.suspend_data");
  api.SetValue("cmi.completion_status", "incomplete");
  document.getElementById("suspend-button").addEventListener("click", function () {
    api.SetValue("cmi.suspend_data", "page=3");
    api.SetValue("cmi.location", "p3");
    api.SetValue("cmi.exit", "suspend");
    api.SetValue("cmi.session_time", "PT1M30S");
    api.Commit("");
    api.Terminate("");
  });
  document.getElementById("pass").addEventListener("click", function () {
    api.SetValue("cmi.score.scaled", "0.85");
    api.SetValue("cmi.completion_status", "completed");
    api.SetValue("cmi.success_status", "passed");
    api.SetValue("cmi.session_time", "PT2M5.5S");
    api.SetValue("cmi.exit", "normal");
    api.Commit("");
    api.Terminate("");
  });
});
"""


def build_zip(files: dict[str, str | bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def scorm12_files() -> dict[str, str]:
    return {
        "imsmanifest.xml": MANIFEST_12,
        "sco/index.html": PAGE,
        "sco/sco.js": SCO_12,
    }


def scorm2004_files() -> dict[str, str]:
    return {
        "imsmanifest.xml": MANIFEST_2004,
        "content/index.html": PAGE,
        "content/sco.js": SCO_2004,
    }


def cmi5_files() -> dict[str, str]:
    return {"cmi5.xml": CMI5, "au/index.html": PAGE}


def scorm12_zip() -> bytes:
    return build_zip(scorm12_files())


def scorm2004_zip() -> bytes:
    return build_zip(scorm2004_files())


def cmi5_zip() -> bytes:
    return build_zip(cmi5_files())


# A small cmi5 AU of this project's own (cmi5 sections 8 to 11, the AU's side):
# it fetches its token, reads LMS.LaunchData and the learner preferences, sends
# initialized, then, on "Finish", completed, passed (score 0.9) and terminated,
# and goes to the returnURL.
CMI5_AU_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>cmi5 AU</title>
<script src="au.js"></script></head>
<body><h1>Report narrative</h1>
<p>Launch mode: <span id="mode">?</span></p>
<p>Status: <span id="status">starting</span></p>
<button id="finish" type="button">Finish and pass</button>
</body></html>
"""

CMI5_AU_JS = """
(function () {
  "use strict";
  var CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
  var MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon";
  var VERBS = "http://adlnet.gov/expapi/verbs/";
  var q = new URLSearchParams(window.location.search);
  var endpoint = q.get("endpoint");
  var actor = JSON.parse(q.get("actor"));
  var auth = "", launchData = null, started = Date.now();

  function show(id, text) { document.getElementById(id).textContent = text; }
  function uuid() {
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function lrs(method, path, params, body) {
    var url = endpoint + path + (params ? "?" + new URLSearchParams(params) : "");
    return fetch(url, {
      method: method,
      headers: {"Authorization": "Basic " + auth, "X-Experience-API-Version": "1.0.3",
                "Content-Type": "application/json"},
      body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      if (r.status === 404 && method === "GET") { return null; }  // no document yet
      if (!r.ok) { throw new Error(path + " answered " + r.status); }
      return r.status === 204 ? null : r.json();
    });
  }
  function duration() { return "PT" + ((Date.now() - started) / 1000).toFixed(2) + "S"; }
  function send(verb, result) {
    var context = JSON.parse(JSON.stringify(launchData.contextTemplate));
    context.registration = q.get("registration");
    var categories = [{id: CMI5}];
    if (result && ("success" in result || "completion" in result)) { categories.push({id: MOVEON}); }
    context.contextActivities.category = categories;
    if (verb === "passed" && launchData.masteryScore !== undefined) {
      context.extensions["https://w3id.org/xapi/cmi5/context/extensions/masteryscore"] = launchData.masteryScore;
    }
    var statement = {id: uuid(), actor: actor, verb: {id: VERBS + verb},
                     object: {objectType: "Activity", id: q.get("activityId")},
                     context: context, timestamp: new Date().toISOString()};
    if (result) { statement.result = result; }
    return lrs("POST", "statements", null, statement);
  }
  function fail(error) { show("status", "error: " + error.message); }

  window.addEventListener("DOMContentLoaded", function () {
    fetch(q.get("fetch"), {method: "POST"}).then(function (r) { return r.json(); })
      .then(function (answer) {
        auth = answer["auth-token"];
        return lrs("GET", "activities/state", {stateId: "LMS.LaunchData", activityId: q.get("activityId"),
                   agent: JSON.stringify(actor), registration: q.get("registration")});
      })
      .then(function (data) {
        launchData = data;
        show("mode", data.launchMode);
        return lrs("GET", "agents/profile", {agent: JSON.stringify(actor), profileId: "cmi5LearnerPreferences"});
      })
      .then(function () { return send("initialized"); })
      .then(function () { show("status", "initialized"); })
      .catch(fail);
    document.getElementById("finish").addEventListener("click", function () {
      send("completed", {completion: true, duration: duration()})
        .then(function () { return send("passed", {success: true, score: {scaled: 0.9}, duration: duration()}); })
        .then(function () { return send("terminated", {duration: duration()}); })
        .then(function () { show("status", "terminated"); window.location.assign(launchData.returnURL); })
        .catch(fail);
    });
  });
})();
"""


def cmi5_au_zip() -> bytes:
    return build_zip(
        {"cmi5.xml": CMI5, "au/index.html": CMI5_AU_PAGE, "au/au.js": CMI5_AU_JS}
    )


# SCORM 2004 4th edition with shared global objectives (SN book 3.10): SCO 1
# writes its primary objective's satisfied status, measure, completion and raw
# score to "urn:muster:obj:force"; its second objective maps to
# "urn:muster:obj:quiz" without writing. SCO 2 reads both.
MANIFEST_GLOBAL = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="muster.test.{name}" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="ORG">
    <organization identifier="ORG" adlseq:objectivesGlobalToSystem="{global_to_system}"
      adlcp:sharedDataGlobalToSystem="{global_to_system}">
      <title>{title}</title>
      <item identifier="SCO1" identifierref="RES1">
        <title>Force options</title>
        <imsss:sequencing>
          <imsss:objectives>
            <imsss:primaryObjective objectiveID="force-taught" satisfiedByMeasure="true">
              <imsss:minNormalizedMeasure>0.8</imsss:minNormalizedMeasure>
              <imsss:mapInfo targetObjectiveID="urn:muster:obj:force"
                writeSatisfiedStatus="true" writeNormalizedMeasure="true"/>
            </imsss:primaryObjective>
            <imsss:objective objectiveID="quiz-local">
              <imsss:mapInfo targetObjectiveID="urn:muster:obj:quiz" writeSatisfiedStatus="false"/>
            </imsss:objective>
          </imsss:objectives>
          <adlseq:objectives>
            <adlseq:objective objectiveID="force-taught">
              <adlseq:mapInfo targetObjectiveID="urn:muster:obj:force"
                writeCompletionStatus="true" writeRawScore="true"/>
            </adlseq:objective>
          </adlseq:objectives>
        </imsss:sequencing>
        <adlcp:data>
          <adlcp:map targetID="urn:muster:data:notes" readSharedData="false" writeSharedData="true"/>
        </adlcp:data>
      </item>
      <item identifier="SCO2" identifierref="RES2">
        <title>Force scenarios</title>
        <imsss:sequencing>
          <imsss:objectives>
            <imsss:primaryObjective objectiveID="scenarios"/>
            <imsss:objective objectiveID="force-known">
              <imsss:mapInfo targetObjectiveID="urn:muster:obj:force"/>
            </imsss:objective>
            <imsss:objective objectiveID="quiz-known">
              <imsss:mapInfo targetObjectiveID="urn:muster:obj:quiz"/>
            </imsss:objective>
          </imsss:objectives>
          <adlseq:objectives>
            <adlseq:objective objectiveID="force-known">
              <adlseq:mapInfo targetObjectiveID="urn:muster:obj:force" readRawScore="false"/>
            </adlseq:objective>
          </adlseq:objectives>
        </imsss:sequencing>
        <adlcp:data>
          <adlcp:map targetID="urn:muster:data:notes" writeSharedData="true"/>
        </adlcp:data>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES1" type="webcontent" adlcp:scormType="sco" href="one/index.html">
      <file href="one/index.html"/>
    </resource>
    <resource identifier="RES2" type="webcontent" adlcp:scormType="sco" href="two/index.html">
      <file href="two/index.html"/>
    </resource>
  </resources>
</manifest>
"""

# SCO 1 passes its primary objective (score 0.9) and its local quiz objective;
# SCO 2 shows what it finds in cmi.objectives at launch.
GLOBAL_SCO_ONE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>SCO 1</title>
<script src="one.js"></script></head>
<body><h1>Force options</h1>
<button id="pass" type="button">Pass</button></body></html>
"""

GLOBAL_SCO_ONE_JS = """
function findAPI(win) {
  var tries = 0;
  while (win.API_1484_11 == null && win.parent != null && win.parent != win && tries < 500) {
    tries++; win = win.parent;
  }
  return win.API_1484_11;
}
window.addEventListener("DOMContentLoaded", function () {
  var api = findAPI(window);
  api.Initialize("");
  document.getElementById("pass").addEventListener("click", function () {
    var n = parseInt(api.GetValue("cmi.objectives._count"), 10);
    for (var i = 0; i < n; i++) {
      if (api.GetValue("cmi.objectives." + i + ".id") === "quiz-local") {
        api.SetValue("cmi.objectives." + i + ".success_status", "passed");
      }
    }
    var shared = parseInt(api.GetValue("adl.data._count"), 10);
    for (var j = 0; j < shared; j++) {
      if (api.GetValue("adl.data." + j + ".id") === "urn:muster:data:notes") {
        api.SetValue("adl.data." + j + ".store", "radio code 10-4");
      }
    }
    api.SetValue("cmi.score.scaled", "0.9");
    api.SetValue("cmi.score.raw", "90");
    api.SetValue("cmi.completion_status", "completed");
    api.SetValue("cmi.session_time", "PT1M");
    api.SetValue("cmi.exit", "normal");
    api.Commit("");
    api.Terminate("");
  });
});
"""

GLOBAL_SCO_TWO = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>SCO 2</title>
<script src="two.js"></script></head>
<body><h1>Force scenarios</h1><ul id="objectives"></ul><p id="shared"></p></body></html>
"""

GLOBAL_SCO_TWO_JS = """
function findAPI(win) {
  var tries = 0;
  while (win.API_1484_11 == null && win.parent != null && win.parent != win && tries < 500) {
    tries++; win = win.parent;
  }
  return win.API_1484_11;
}
window.addEventListener("DOMContentLoaded", function () {
  var api = findAPI(window);
  api.Initialize("");
  var list = document.getElementById("objectives");
  var n = parseInt(api.GetValue("cmi.objectives._count"), 10);
  for (var i = 0; i < n; i++) {
    var p = "cmi.objectives." + i + ".";
    var li = document.createElement("li");
    li.id = "objective-" + api.GetValue(p + "id");
    li.textContent = api.GetValue(p + "success_status") + " " +
      api.GetValue(p + "score.scaled") + " " + api.GetValue(p + "completion_status");
    list.appendChild(li);
  }
  document.getElementById("shared").textContent = api.GetValue("adl.data.0.store");
});
"""


def global_objectives_zip(
    *, global_to_system: str = "true", name: str = "global", title: str = "Force"
) -> bytes:
    manifest = MANIFEST_GLOBAL.format(
        global_to_system=global_to_system, name=name, title=title
    )
    return build_zip(
        {
            "imsmanifest.xml": manifest,
            "one/index.html": GLOBAL_SCO_ONE,
            "one/one.js": GLOBAL_SCO_ONE_JS,
            "two/index.html": GLOBAL_SCO_TWO,
            "two/two.js": GLOBAL_SCO_TWO_JS,
        }
    )


# SCORM 2004 with three SCOs on one resource (told apart by their parameters),
# whose buttons set adl.nav.request and terminate (RTE 4.4.2).
MANIFEST_NAV = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="muster.test.nav" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="ORG">
    <organization identifier="ORG">
      <title>Radio Procedure</title>
      <item identifier="A" identifierref="RES" parameters="?sco=A"><title>Part A</title></item>
      <item identifier="B" identifierref="RES" parameters="?sco=B"><title>Part B</title></item>
      <item identifier="C" identifierref="RES" parameters="?sco=C"><title>Part C</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES" type="webcontent" adlcp:scormType="sco" href="nav/index.html">
      <file href="nav/index.html"/><file href="nav/nav.js"/>
    </resource>
  </resources>
</manifest>
"""

NAV_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>SCO</title>
<script src="nav.js"></script></head>
<body><h1 id="sco-name">?</h1><p id="restored"></p>
<button id="nav-continue" type="button">Continue</button>
<button id="nav-choice-c" type="button">Go to part C</button>
<button id="nav-suspend-all" type="button">Suspend the course</button>
</body></html>
"""

NAV_JS = """
function findAPI(win) {
  var tries = 0;
  while (win.API_1484_11 == null && win.parent != null && win.parent != win && tries < 500) {
    tries++; win = win.parent;
  }
  return win.API_1484_11;
}
window.addEventListener("DOMContentLoaded", function () {
  var api = findAPI(window);
  api.Initialize("");
  document.getElementById("sco-name").textContent = location.search.slice(5);
  var count = api.GetValue("cmi.interactions._count");
  document.getElementById("restored").textContent = count === "0" ? "nothing" :
    count + " " + api.GetValue("cmi.interactions.0.id") + " " +
    api.GetValue("cmi.interactions.0.learner_response") + " " +
    api.GetValue("cmi.objectives.0.id") + " " +
    api.GetValue("cmi.objectives.0.success_status");
  function leave(request) {
    api.SetValue("cmi.completion_status", "incomplete");
    api.SetValue("adl.nav.request", request);
    api.Terminate("");
  }
  document.getElementById("nav-continue").addEventListener("click", function () {
    leave("continue");
  });
  document.getElementById("nav-choice-c").addEventListener("click", function () {
    leave("{target=C}choice");
  });
  document.getElementById("nav-suspend-all").addEventListener("click", function () {
    api.SetValue("cmi.interactions.0.id", "q-radio");
    api.SetValue("cmi.interactions.0.type", "true-false");
    api.SetValue("cmi.interactions.0.learner_response", "true");
    api.SetValue("cmi.interactions.0.result", "correct");
    api.SetValue("cmi.objectives.0.id", "obj-radio");
    api.SetValue("cmi.objectives.0.success_status", "passed");
    api.SetValue("cmi.exit", "suspend");
    leave("suspendAll");
  });
});
"""


# SCORM 2004's flow control mode defaults to false (SN 5.1.1): continue and
# previous are valid only where the manifest allows them.
MANIFEST_NAV_FLOW = MANIFEST_NAV.replace(
    'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"',
    'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
    'xmlns:imsss="http://www.imsglobal.org/xsd/imsss"',
).replace(
    "</organization>",
    '<imsss:sequencing><imsss:controlMode flow="true"/></imsss:sequencing>'
    "</organization>",
)


def nav_zip(text: str = MANIFEST_NAV_FLOW) -> bytes:
    return build_zip(
        {
            "imsmanifest.xml": text,
            "nav/index.html": NAV_PAGE,
            "nav/nav.js": NAV_JS,
        }
    )

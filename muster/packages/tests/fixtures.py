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
    <au id="https://muster.example/courses/cmi5-test/au1" moveOn="CompletedAndPassed" masteryScore="0.8">
      <title><langstring lang="en-US">The narrative</langstring></title>
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

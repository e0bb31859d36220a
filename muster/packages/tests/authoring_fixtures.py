"""Packages shaped as authoring tools lay them out, written here for the tests.

Each manifest is this project's own text, following the layout the tool is known
for (how its zip is organised, which CAM elements it writes), not a copy of any
tool's output: a Storyline-style SCORM 1.2 package (inline LOM metadata, the
schema files beside the manifest, `index_lms.html`, `adlcp:masteryscore`), a
Storyline/Rise-style SCORM 2004 4th edition package (one SCO with delivery
controls and a `<dependency>` on an asset resource of shared files), a
Captivate-style SCORM 2004 3rd edition package (a metadata file, a shared
`<imsss:sequencingCollection>`, a completion threshold as text), and an
iSpring-style SCORM 1.2 package (chapters of nested items, `xml:base` on
`<resources>` and `<resource>`, item `parameters`, the camel-case attribute
spelling in the 1.2 namespace).
"""

from __future__ import annotations

from muster.packages.tests.fixtures import PAGE, SCO_12, SCO_2004, build_zip

CP_12 = 'xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"'
ADLCP_12 = 'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"'
CP_2004 = 'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"'
ADLCP_2004 = 'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"'
IMSSS = 'xmlns:imsss="http://www.imsglobal.org/xsd/imsss"'
ADLSEQ = 'xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"'
ADLNAV = 'xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"'
XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
SCHEMA_FILE = (
    '<?xml version="1.0"?><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>'
)

STORYLINE_12 = f"""<?xml version="1.0" encoding="utf-8" standalone="no"?>
<manifest identifier="PursuitPolicy_SL_12" version="1.0" {CP_12} {ADLCP_12} {XSI}
  xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
    <lom xmlns="http://www.imsglobal.org/xsd/imsmd_rootv1p2p1">
      <general><title><langstring xml:lang="x-none">Vehicle Pursuit Policy</langstring></title></general>
    </lom>
  </metadata>
  <organizations default="PursuitPolicy_ORG">
    <organization identifier="PursuitPolicy_ORG">
      <title>Vehicle Pursuit Policy</title>
      <item identifier="PursuitPolicy_SCO" identifierref="PursuitPolicy_RES" isvisible="true">
        <title>Vehicle Pursuit Policy</title>
        <adlcp:masteryscore>80</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="PursuitPolicy_RES" type="webcontent" adlcp:scormtype="sco" href="index_lms.html">
      <file href="index_lms.html"/>
      <file href="story.html"/>
      <file href="sco.js"/>
      <file href="story_content/data.js"/>
      <file href="lms/scormdriver.js"/>
    </resource>
  </resources>
</manifest>
"""


def storyline_12_zip() -> bytes:
    return build_zip(
        {
            "imsmanifest.xml": STORYLINE_12,
            "imscp_rootv1p1p2.xsd": SCHEMA_FILE,
            "adlcp_rootv1p2.xsd": SCHEMA_FILE,
            "ims_xml.xsd": SCHEMA_FILE,
            "index_lms.html": PAGE,
            "story.html": PAGE,
            "sco.js": SCO_12,
            "story_content/data.js": "var slides = 12;",
            "lms/scormdriver.js": "// the tool's own driver would be here",
        }
    )


STORYLINE_2004 = f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="SearchSeizure_SL_2004" version="1" {CP_2004} {ADLCP_2004} {ADLSEQ} {ADLNAV} {IMSSS} {XSI}>
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>2004 4th Edition</schemaversion>
  </metadata>
  <organizations default="SearchSeizure_ORG">
    <organization identifier="SearchSeizure_ORG" adlseq:objectivesGlobalToSystem="false">
      <title>Search and Seizure Update</title>
      <item identifier="SearchSeizure_SCO" identifierref="SearchSeizure_RES">
        <title>Search and Seizure Update</title>
        <adlcp:completionThreshold completedByMeasure="false" minProgressMeasure="1.0"/>
        <imsss:sequencing>
          <imsss:deliveryControls completionSetByContent="true" objectiveSetByContent="true"/>
        </imsss:sequencing>
      </item>
      <imsss:sequencing>
        <imsss:controlMode choice="true" flow="true"/>
      </imsss:sequencing>
    </organization>
  </organizations>
  <resources>
    <resource identifier="SearchSeizure_RES" type="webcontent" adlcp:scormType="sco" href="scormdriver/indexAPI.html">
      <file href="scormdriver/indexAPI.html"/>
      <file href="scormdriver/sco.js"/>
      <dependency identifierref="SearchSeizure_COMMON"/>
    </resource>
    <resource identifier="SearchSeizure_COMMON" type="webcontent" adlcp:scormType="asset">
      <file href="scormcontent/index.html"/>
      <file href="scormcontent/lib/main.js"/>
    </resource>
  </resources>
</manifest>
"""


def storyline_2004_zip() -> bytes:
    return build_zip(
        {
            "imsmanifest.xml": STORYLINE_2004,
            "adlcp_v1p3.xsd": SCHEMA_FILE,
            "imscp_v1p1.xsd": SCHEMA_FILE,
            "imsss_v1p0.xsd": SCHEMA_FILE,
            "scormdriver/indexAPI.html": PAGE,
            "scormdriver/sco.js": SCO_2004,
            "scormcontent/index.html": PAGE,
            "scormcontent/lib/main.js": "var lessons = 4;",
        }
    )


CAPTIVATE_2004 = f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="DomesticViolence_CP" version="1.3" {CP_2004} {ADLCP_2004} {ADLSEQ} {ADLNAV} {IMSSS} {XSI}>
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>2004 3rd Edition</schemaversion>
    <adlcp:location>metadata/course.xml</adlcp:location>
  </metadata>
  <organizations default="DV_ORG">
    <organization identifier="DV_ORG">
      <title>Domestic Violence Response</title>
      <item identifier="DV_SCO" identifierref="DV_RES">
        <title>Domestic Violence Response</title>
        <adlcp:completionThreshold>0.9</adlcp:completionThreshold>
        <imsss:sequencing IDRef="DV_COMMON_SEQ"/>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="DV_RES" type="webcontent" adlcp:scormType="sco" href="index_scorm.html">
      <metadata><adlcp:location>metadata/sco.xml</adlcp:location></metadata>
      <file href="index_scorm.html"/>
      <file href="sco.js"/>
      <file href="assets/js/CPM.js"/>
    </resource>
  </resources>
  <imsss:sequencingCollection>
    <imsss:sequencing ID="DV_COMMON_SEQ">
      <imsss:objectives>
        <imsss:primaryObjective objectiveID="DV_PASS" satisfiedByMeasure="true">
          <imsss:minNormalizedMeasure>0.8</imsss:minNormalizedMeasure>
        </imsss:primaryObjective>
      </imsss:objectives>
      <imsss:deliveryControls completionSetByContent="true" objectiveSetByContent="true"/>
    </imsss:sequencing>
  </imsss:sequencingCollection>
</manifest>
"""


def captivate_2004_zip(manifest: str = CAPTIVATE_2004) -> bytes:
    return build_zip(
        {
            "imsmanifest.xml": manifest,
            "metadata/course.xml": "<lom/>",
            "metadata/sco.xml": "<lom/>",
            "index_scorm.html": PAGE,
            "sco.js": SCO_2004,
            "assets/js/CPM.js": "var cp = {};",
        }
    )


ISPRING_12 = f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="iSpring_FirstAid" version="1.0" {CP_12} {ADLCP_12}>
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="FirstAid_ORG">
    <organization identifier="FirstAid_ORG">
      <title>Tactical First Aid</title>
      <item identifier="CHAPTER_1">
        <title>Bleeding control</title>
        <item identifier="LESSON_1" identifierref="RES_1" parameters="?slide=1">
          <title>Tourniquets</title>
        </item>
        <item identifier="LESSON_2" identifierref="RES_2" parameters="slide=1">
          <title>Wound packing</title>
          <adlcp:masteryscore>70</adlcp:masteryscore>
        </item>
      </item>
      <item identifier="CHAPTER_2">
        <title>Airway</title>
        <item identifier="LESSON_3" identifierref="RES_3" isvisible="false">
          <title>Recovery position</title>
        </item>
      </item>
    </organization>
  </organizations>
  <resources xml:base="res/">
    <resource identifier="RES_1" type="webcontent" adlcp:scormType="sco" xml:base="lesson1/" href="index.html?player=html5">
      <file href="index.html"/><file href="sco.js"/>
    </resource>
    <resource identifier="RES_2" type="webcontent" adlcp:scormType="SCO" xml:base="lesson2/" href="index.html">
      <file href="index.html"/><file href="sco.js"/>
    </resource>
    <resource identifier="RES_3" type="webcontent" adlcp:scormtype="asset" href="lesson3/page.html">
      <file href="lesson3/page.html"/>
    </resource>
  </resources>
</manifest>
"""


def ispring_12_zip() -> bytes:
    return build_zip(
        {
            "imsmanifest.xml": ISPRING_12,
            "res/lesson1/index.html": PAGE,
            "res/lesson1/sco.js": SCO_12,
            "res/lesson2/index.html": PAGE,
            "res/lesson2/sco.js": SCO_12,
            "res/lesson3/page.html": PAGE,
        }
    )


# A SCORM 2004 package whose launch page opens the lesson in a window of its own,
# as players set to "launch in a new window" do. The lesson finds the API with the
# RTE's discovery algorithm (SCORM 2004 RTE 3.3.6.1): this window and its
# parents, then the opener and its parents.
POPUP_LAUNCH_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Course</title>
<script src="launch.js"></script></head>
<body><h1>Pursuit Driving</h1>
<button id="open-lesson" type="button">Open the lesson</button></body></html>
"""
POPUP_LAUNCH_JS = """
window.addEventListener("DOMContentLoaded", function () {
  document.getElementById("open-lesson").addEventListener("click", function () {
    window.open("lesson.html", "lesson", "width=800,height=600");
  });
});
"""
POPUP_LESSON_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Lesson</title>
<script src="lesson.js"></script></head>
<body><h1>Lesson</h1><p id="found">?</p>
<button id="pass" type="button">I have finished: pass</button></body></html>
"""
POPUP_LESSON_JS = """
function scan(win) {
  var tries = 0;
  while (win.API_1484_11 == null && win.parent != null && win.parent != win && tries < 500) {
    tries++; win = win.parent;
  }
  return win.API_1484_11;
}
function findAPI(win) {
  var api = scan(win);
  if (api == null && win.opener != null && typeof win.opener != "undefined") {
    api = scan(win.opener);
  }
  return api;
}
window.addEventListener("DOMContentLoaded", function () {
  var api = findAPI(window);
  document.getElementById("found").textContent = api ? "found" : "missing";
  api.Initialize("");
  document.getElementById("pass").addEventListener("click", function () {
    api.SetValue("cmi.score.scaled", "0.9");
    api.SetValue("cmi.completion_status", "completed");
    api.SetValue("cmi.success_status", "passed");
    api.SetValue("cmi.session_time", "PT3M");
    api.SetValue("cmi.exit", "normal");
    api.Commit("");
    api.Terminate("");
    window.close();
  });
});
"""


def popup_2004_zip() -> bytes:
    manifest = STORYLINE_2004.replace(
        'href="scormdriver/indexAPI.html"', 'href="course/index.html"'
    ).replace(
        '<file href="scormdriver/indexAPI.html"/>\n      <file href="scormdriver/sco.js"/>',
        '<file href="course/index.html"/><file href="course/lesson.html"/>',
    )
    return build_zip(
        {
            "imsmanifest.xml": manifest,
            "course/index.html": POPUP_LAUNCH_PAGE,
            "course/launch.js": POPUP_LAUNCH_JS,
            "course/lesson.html": POPUP_LESSON_PAGE,
            "course/lesson.js": POPUP_LESSON_JS,
            "scormcontent/index.html": PAGE,
            "scormcontent/lib/main.js": "var lessons = 4;",
        }
    )

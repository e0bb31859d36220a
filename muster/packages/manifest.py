"""Reading a package's manifest into an outline: SCORM imsmanifest.xml or cmi5.xml.

SCORM (Content Aggregation Model): the default `<organization>` lists `<item>`s in
order; a leaf item points (`identifierref`) to a `<resource>` whose `href` is the
file to launch and whose `adlcp:scormType` (`adlcp:scormtype` in 1.2) says
whether it talks to the runtime ("sco") or not ("asset"). `xml:base` on
`<resources>` and `<resource>` prefixes the hrefs. The version is read from
`<metadata><schemaversion>` ("1.2", "CAM 1.3", "2004 3rd Edition", "2004 4th
Edition"), else from the namespaces. cmi5: `<courseStructure>` with `<au>`s (url,
moveOn, masteryScore, launchMethod), possibly inside `<block>`s, first checked
against the course structure schema (cmi5_schema.py).

Every problem is reported with the file, the element and what is wrong, such as
"imsmanifest.xml: <resource identifier='r1'> has no href", and all problems are
collected, not only the first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from posixpath import normpath
from urllib.parse import parse_qsl, unquote, urlsplit
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.conf import settings

from muster import outbound
from muster.packages import cmi5_schema
from muster.packages.choices import PackageKind
from muster.packages.zipcheck import PackageError

ADLCP_12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
ADLCP_2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"
IMSSS = "http://www.imsglobal.org/xsd/imsss"
ADLSEQ = "http://www.adlnet.org/xsd/adlseq_v1p3"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
SCORM_TYPES = ("sco", "asset")


@dataclass
class OutlineItem:
    """One launchable thing: a SCORM item with its resource, or a cmi5 AU."""

    identifier: str
    title: str
    href: str
    scorm_type: str = "sco"
    parameters: str = ""
    mastery_score: Decimal | None = None
    scaled_passing_score: Decimal | None = None
    completion_threshold: Decimal | None = None
    data_from_lms: str = ""
    time_limit_action: str = ""
    max_time_allowed: str = ""
    move_on: str = ""
    launch_method: str = ""
    is_visible: bool = True
    depth: int = 0
    blocks: tuple[str, ...] = ()  # cmi5: the ids of the blocks holding the AU
    entitlement_key: str = ""
    # SCORM 2004: the activity's objectives with their maps to global objectives,
    # and its shared data maps (muster/packages/sharing.py reads them).
    objectives: list[dict] = field(default_factory=list)
    data_maps: list[dict] = field(default_factory=list)
    # SCORM 2004 rollup controls (SN book 5.1.3 deliveryControls, 5.1.7
    # rollupRules): whether the item counts towards the course's status.
    rollup: dict = field(default_factory=dict)


@dataclass
class Outline:
    """What a manifest says: the package's kind, title and launchable items."""

    kind: str
    edition: str
    identifier: str
    title: str
    description: str = ""
    items: list[OutlineItem] = field(default_factory=list)
    objectives_global_to_system: bool = True
    shared_data_global_to_system: bool = True
    # cmi5: the course structure's objectives (13.1.3), each with the blocks and
    # AUs that refer to it.
    cmi5_objectives: list[dict] = field(default_factory=list)
    # SCORM 2004: the activity tree's sequencing (`sequencing_tree`).
    sequencing: dict = field(default_factory=dict)


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def children(element: Element, name: str) -> list[Element]:
    return [child for child in element if local(child.tag) == name]


def child(element: Element, name: str) -> Element | None:
    found = children(element, name)
    return found[0] if found else None


def text_of(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def parse_xml(name: str, data: bytes) -> Element:
    try:
        return ElementTree.fromstring(data)
    except DefusedXmlException:
        raise PackageError(f"{name}: entities and DTDs are not allowed.") from None
    except ElementTree.ParseError as error:
        raise PackageError(f"{name}: not well-formed XML ({error}).") from None


def describe(element: Element) -> str:
    ident = element.get("identifier") or element.get("id")
    return (
        f"<{local(element.tag)} identifier='{ident}'>"
        if ident
        else f"<{local(element.tag)}>"
    )


# --- SCORM ---------------------------------------------------------------------


def read_scorm(data: bytes, files: set[str]) -> Outline:
    """The outline of imsmanifest.xml, checked against the package's `files`."""
    name = "imsmanifest.xml"
    root = parse_xml(name, data)
    if local(root.tag) != "manifest":
        raise PackageError(
            f"{name}: the root element is <{local(root.tag)}>, not <manifest>."
        )
    problems: list[str] = []
    kind, edition = scorm_version(root)
    resources = read_resources(root, files, problems)
    organization = default_organization(root, problems)
    outline = Outline(
        kind=kind,
        edition=edition,
        identifier=root.get("identifier", ""),
        title=text_of(child(organization, "title")) if organization is not None else "",
    )
    if organization is not None and kind == PackageKind.SCORM_2004:
        outline.objectives_global_to_system = boolean(
            organization, f"{{{ADLSEQ}}}objectivesGlobalToSystem", True, problems
        )
        outline.shared_data_global_to_system = boolean(
            organization, f"{{{ADLCP_2004}}}sharedDataGlobalToSystem", True, problems
        )
    if organization is not None:
        collection = sequencing_collection(root)
        walk_items(organization, resources, kind, outline, problems, 0, collection)
        if kind == PackageKind.SCORM_2004:
            outline.sequencing = sequencing_tree(organization, collection, problems)
    if not problems and not outline.items:
        problems.append(
            f"{name}: the organization has no item that launches a resource."
        )
    if problems:
        raise PackageError("\n".join(problems))
    outline.title = outline.title or outline.items[0].title
    return outline


def sequencing_collection(root: Element) -> dict[str, Element]:
    """The shared `<imsss:sequencing ID>`s of `<imsss:sequencingCollection>`."""
    group = root.find(f"{{{IMSSS}}}sequencingCollection")
    if group is None:
        return {}
    return {seq.get("ID"): seq for seq in group.findall(f"{{{IMSSS}}}sequencing")}


def scorm_version(root: Element) -> tuple[str, str]:
    """The SCORM version from <schemaversion>, else from the adlcp namespace."""
    metadata = child(root, "metadata")
    version = text_of(child(metadata, "schemaversion")) if metadata is not None else ""
    if version == "1.2":
        return PackageKind.SCORM_12, "1.2"
    if version in ("CAM 1.3", "2004 2nd Edition"):
        return PackageKind.SCORM_2004, "2004 2nd Edition"
    if version in ("2004 3rd Edition", "2004 4th Edition"):
        return PackageKind.SCORM_2004, version
    if version:
        raise PackageError(
            f"imsmanifest.xml: <schemaversion> is '{version}'; expected 1.2, CAM 1.3, "
            "2004 3rd Edition or 2004 4th Edition."
        )
    namespaces = {
        el.tag.split("}")[0][1:] for el in root.iter() if el.tag.startswith("{")
    }
    attributes = {
        a.split("}")[0][1:]
        for el in root.iter()
        for a in el.attrib
        if a.startswith("{")
    }
    if ADLCP_2004 in namespaces | attributes:
        return PackageKind.SCORM_2004, "2004 (edition not stated)"
    return PackageKind.SCORM_12, "1.2"


def read_resources(root: Element, files: set[str], problems: list[str]) -> dict:
    """Resources by identifier, each as (href with its xml:base, scormType)."""
    found: dict[str, tuple[str, str]] = {}
    group = child(root, "resources")
    if group is None:
        problems.append("imsmanifest.xml: there is no <resources> element.")
        return found
    base = resolve("", root.get(XML_BASE) or "", group.get(XML_BASE) or "")
    identifiers = {r.get("identifier") for r in children(group, "resource")}
    for resource in children(group, "resource"):
        ident = resource.get("identifier")
        if not ident:
            problems.append("imsmanifest.xml: a <resource> has no identifier.")
            continue
        for dependency in children(resource, "dependency"):
            ref = dependency.get("identifierref", "")
            if ref not in identifiers:
                problems.append(
                    f"imsmanifest.xml: {describe(resource)} has a <dependency "
                    f"identifierref='{ref}'>, which names no <resource>."
                )
        scorm_type = scorm_type_of(resource)
        if scorm_type not in SCORM_TYPES:
            problems.append(
                f"imsmanifest.xml: {describe(resource)} has adlcp:scormType "
                f"'{scorm_type}'; expected sco or asset."
            )
        href = resource.get("href", "")
        if href:
            href = resolve(base, resource.get(XML_BASE) or "", href)
            path = normpath(unquote(urlsplit(href).path))
            if path.startswith("../") or path.startswith("/") or "://" in href:
                problems.append(
                    f"imsmanifest.xml: {describe(resource)} href '{href}' leaves the package."
                )
            elif path not in files:
                problems.append(
                    f"imsmanifest.xml: {describe(resource)} href '{href}' is not in the package."
                )
        found[ident] = (href, scorm_type)
    return found


def scorm_type_of(resource: Element) -> str:
    """adlcp:scormType (2004) or adlcp:scormtype (1.2); authoring tools mix the
    spellings and namespaces, and the value is one word either way. The CAM's
    default, when absent, is asset."""
    for namespace in (ADLCP_2004, ADLCP_12):
        for name in ("scormType", "scormtype"):
            value = resource.get(f"{{{namespace}}}{name}")
            if value:
                return value.strip().lower()
    return "asset"


def resolve(*parts: str) -> str:
    """Each of `parts` (xml:base values, then an href) resolved against the ones
    before it as RFC 3986 resolves a relative reference (XML Base says so):
    "res/" then "index.html" is "res/index.html", but "res" then "index.html" is
    "index.html". An absolute part replaces what came before; "../" is kept, for
    the caller to refuse what leaves the package."""
    url = ""
    for part in parts:
        if not part:
            continue
        if urlsplit(part).scheme or part.startswith("/"):
            url = part
            continue
        directory = url.rsplit("/", 1)[0] + "/" if "/" in url else ""
        url = directory + part
    return url


def launch_href(href: str, parameters: str) -> str:
    """The href with the item's `parameters` added, by the CAM's rules for them
    (SCORM 2004 CAM 3.4.1.x, the same in 1.2): a leading "?" or "&" is dropped; a
    "#fragment" is added only when the href has none; else the parameters join
    the href's query with "&", or start one with "?"."""
    parameters = (parameters or "").strip()
    while parameters[:1] in ("?", "&"):
        parameters = parameters[1:]
    if not parameters:
        return href
    if parameters.startswith("#"):
        return href if "#" in href else href + parameters
    fragment = ""
    if "#" in href:
        href, fragment = href.split("#", 1)
        fragment = "#" + fragment
    joiner = "&" if "?" in href else "?"
    return href + joiner + parameters + fragment


def default_organization(root: Element, problems: list[str]) -> Element | None:
    group = child(root, "organizations")
    organizations = children(group, "organization") if group is not None else []
    if not organizations:
        problems.append("imsmanifest.xml: there is no <organization>.")
        return None
    wanted = group.get("default") if group is not None else None
    if wanted:
        for organization in organizations:
            if organization.get("identifier") == wanted:
                return organization
        problems.append(
            f"imsmanifest.xml: <organizations default='{wanted}'> names no <organization>."
        )
    return organizations[0]


def walk_items(parent, resources, kind, outline, problems, depth, collection) -> None:
    for item in children(parent, "item"):
        ref = item.get("identifierref")
        nested = children(item, "item")
        if ref:
            if ref not in resources:
                problems.append(
                    f"imsmanifest.xml: {describe(item)} refers to resource '{ref}', which does not exist."
                )
            elif not resources[ref][0]:
                problems.append(
                    f"imsmanifest.xml: <resource identifier='{ref}'> has no href."
                )
            else:
                outline.items.append(
                    scorm_item(item, resources[ref], kind, depth, problems, collection)
                )
        elif not nested:
            problems.append(
                f"imsmanifest.xml: {describe(item)} has neither an identifierref nor child items."
            )
        walk_items(item, resources, kind, outline, problems, depth + 1, collection)


def scorm_item(item, resource, kind, depth, problems, collection) -> OutlineItem:
    href, scorm_type = resource
    adlcp = ADLCP_12 if kind == PackageKind.SCORM_12 else ADLCP_2004

    def adl(name: str) -> str:
        return text_of(item.find(f"{{{adlcp}}}{name}"))

    found = OutlineItem(
        identifier=item.get("identifier", ""),
        title=text_of(child(item, "title")) or item.get("identifier", ""),
        href=href,
        scorm_type=scorm_type,
        parameters=item.get("parameters", ""),
        is_visible=item.get("isvisible", "true") != "false",
        depth=depth,
    )
    if kind == PackageKind.SCORM_12:
        found.mastery_score = number(
            adl("masteryscore"), item, "adlcp:masteryscore", problems, 0, 100
        )
        found.data_from_lms = adl("datafromlms")
        found.max_time_allowed = adl("maxtimeallowed")
        found.time_limit_action = adl("timelimitaction")
    else:
        found.data_from_lms = adl("dataFromLMS")
        found.time_limit_action = adl("timeLimitAction")
        found.completion_threshold = completion_threshold(item, problems)
        found.scaled_passing_score = passing_score(item, problems, collection)
        found.objectives = objectives(item, problems, collection)
        found.data_maps = data_maps(item, problems)
        found.rollup = rollup_controls(item, problems, collection)
    return found


def rollup_controls(item: Element, problems: list[str], collection=None) -> dict:
    """`<imsss:deliveryControls tracked>` and `<imsss:rollupRules
    rollupObjectiveSatisfied rollupProgressCompletion objectiveMeasureWeight>`
    (defaults true, true, true, 1.0): whether, and how, the item counts towards
    its parent's (the course's) rollup."""
    where = f"imsmanifest.xml: {describe(item)}"
    delivery = sequencing_part(item, collection, f"{{{IMSSS}}}deliveryControls")
    rules = sequencing_part(item, collection, f"{{{IMSSS}}}rollupRules")
    found = {"tracked": True, "satisfied": True, "completion": True, "weight": "1.0"}
    if delivery is not None:
        found["tracked"] = boolean(
            delivery, "tracked", True, problems, f"{where}, <imsss:deliveryControls>,"
        )
    if rules is not None:
        named = f"{where}, <imsss:rollupRules>,"
        found["satisfied"] = boolean(
            rules, "rollupObjectiveSatisfied", True, problems, named
        )
        found["completion"] = boolean(
            rules, "rollupProgressCompletion", True, problems, named
        )
        raw = (rules.get("objectiveMeasureWeight") or "1.0").strip()
        weight = number(raw, rules, "objectiveMeasureWeight", [], 0, 1)
        if weight is None:
            problems.append(
                f"{named} has objectiveMeasureWeight '{raw[:40]}'; expected a "
                "number from 0 to 1."
            )
        else:
            found["weight"] = str(weight)
    return found


def completion_threshold(item: Element, problems: list[str]) -> Decimal | None:
    """adlcp:completionThreshold: text in 3rd edition, minProgressMeasure in 4th."""
    element = item.find(f"{{{ADLCP_2004}}}completionThreshold")
    if element is None:
        return None
    if element.get("completedByMeasure") == "true":
        raw = element.get("minProgressMeasure", "1.0")
    elif "minProgressMeasure" in element.attrib:
        return None
    else:
        raw = text_of(element)
    return number(raw, item, "adlcp:completionThreshold", problems, 0, 1)


def passing_score(
    item: Element, problems: list[str], collection=None
) -> Decimal | None:
    """imsss:minNormalizedMeasure of a primary objective satisfied by measure: the
    item's own `<imsss:sequencing>`, else the one of `<imsss:sequencingCollection>`
    its IDRef names (SN book 5.1: the item's own elements override the
    collection's)."""
    path = f"{{{IMSSS}}}objectives/{{{IMSSS}}}primaryObjective"
    sequencing = item.find(f"{{{IMSSS}}}sequencing")
    primary = sequencing.find(path) if sequencing is not None else None
    ref = sequencing.get("IDRef") if sequencing is not None else None
    if primary is None and ref:
        shared = (collection or {}).get(ref)
        if shared is None:
            problems.append(
                f"imsmanifest.xml: {describe(item)} has <imsss:sequencing "
                f"IDRef='{ref}'>, which names no <imsss:sequencing> of the "
                "<imsss:sequencingCollection>."
            )
            return None
        primary = shared.find(path)
    if primary is None or primary.get("satisfiedByMeasure") != "true":
        return None
    measure = text_of(primary.find(f"{{{IMSSS}}}minNormalizedMeasure")) or "1.0"
    return number(measure, item, "imsss:minNormalizedMeasure", problems, -1, 1)


def boolean(
    element: Element, name: str, default: bool, problems: list[str], where: str = ""
) -> bool:
    """An xs:boolean attribute ("true", "false", "1" or "0"), else `default`;
    `where` names the element in a problem, if not its own identifier."""
    raw = element.get(name)
    if raw is None:
        return default
    value = raw.strip()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    shown = local(name) if "}" not in name else f"{_prefix(name)}:{local(name)}"
    where = where or f"imsmanifest.xml: {describe(element)}"
    problems.append(f"{where} has {shown}='{raw[:40]}'; expected true or false.")
    return default


def _prefix(name: str) -> str:
    namespace = name[1:].split("}", 1)[0]
    return {ADLSEQ: "adlseq", ADLCP_2004: "adlcp", IMSSS: "imsss"}.get(namespace, "")


def sequencing_part(item: Element, collection: dict, name: str) -> Element | None:
    """The `name` child of the item's `<imsss:sequencing>`, else of the
    `<imsss:sequencingCollection>` entry its IDRef names (SN book 5.1: the item's
    own elements override the collection's). An IDRef naming nothing is reported
    by `passing_score`."""
    sequencing = item.find(f"{{{IMSSS}}}sequencing")
    if sequencing is None:
        return None
    found = sequencing.find(name)
    if found is None and sequencing.get("IDRef"):
        shared = (collection or {}).get(sequencing.get("IDRef"))
        found = shared.find(name) if shared is not None else None
    return found


# Map flags (SN book, 4th edition, 5.1.5 imsss:mapInfo and adlseq:mapInfo):
# reads default to true, writes to false.
IMSSS_MAP = {
    "read_satisfied": ("readSatisfiedStatus", True),
    "read_measure": ("readNormalizedMeasure", True),
    "write_satisfied": ("writeSatisfiedStatus", False),
    "write_measure": ("writeNormalizedMeasure", False),
}
ADLSEQ_MAP = {
    "read_raw": ("readRawScore", True),
    "read_min": ("readMinScore", True),
    "read_max": ("readMaxScore", True),
    "read_completion": ("readCompletionStatus", True),
    "read_progress": ("readProgressMeasure", True),
    "write_raw": ("writeRawScore", False),
    "write_min": ("writeMinScore", False),
    "write_max": ("writeMaxScore", False),
    "write_completion": ("writeCompletionStatus", False),
    "write_progress": ("writeProgressMeasure", False),
}
MAP_FLAGS = (*IMSSS_MAP, *ADLSEQ_MAP)


def objectives(item: Element, problems: list[str], collection=None) -> list[dict]:
    """The activity's objectives (primary first) with their global objective maps.

    `<imsss:objectives>` holds one `<imsss:primaryObjective>` and any number of
    `<imsss:objective>`s, each with an objectiveID (optional on the primary one),
    `satisfiedByMeasure`, `<imsss:minNormalizedMeasure>` and `<imsss:mapInfo>`s
    (targetObjectiveID, read/write of satisfied status and normalized measure).
    4th edition adds `<adlseq:objectives>`, whose `<adlseq:objective objectiveID>`
    names one of those and maps raw/min/max score, completion status and
    progress measure the same way.
    """
    where = f"imsmanifest.xml: {describe(item)}"
    group = sequencing_part(item, collection, f"{{{IMSSS}}}objectives")
    found: list[dict] = []
    if group is not None:
        primaries = group.findall(f"{{{IMSSS}}}primaryObjective")
        if len(primaries) != 1:
            problems.append(
                f"{where} has <imsss:objectives> with {len(primaries)} "
                "<imsss:primaryObjective>; it must have exactly one."
            )
        for element in [*primaries, *group.findall(f"{{{IMSSS}}}objective")]:
            found.append(_objective(element, where, problems))
    seen: set[str] = set()
    for objective in found:
        if objective["id"] and objective["id"] in seen:
            problems.append(
                f"{where} has two objectives with objectiveID '{objective['id'][:80]}'; "
                "an activity's objective IDs must differ."
            )
        seen.add(objective["id"])
    extra = sequencing_part(item, collection, f"{{{ADLSEQ}}}objectives")
    for element in extra.findall(f"{{{ADLSEQ}}}objective") if extra is not None else []:
        ident = (element.get("objectiveID") or "").strip()
        target = next((o for o in found if ident and o["id"] == ident), None)
        if target is None:
            problems.append(
                f"{where} has <adlseq:objective objectiveID='{ident[:80]}'>, which "
                "names no <imsss:primaryObjective> or <imsss:objective> of the item."
            )
            continue
        for info in element.findall(f"{{{ADLSEQ}}}mapInfo"):
            mapped = _map(info, ADLSEQ_MAP, "adlseq", where, problems)
            if mapped:
                target["maps"].append(mapped)
    return found


def _objective(element: Element, where: str, problems: list[str]) -> dict:
    primary = local(element.tag) == "primaryObjective"
    ident = (element.get("objectiveID") or "").strip()
    if not ident and not primary:
        problems.append(f"{where} has an <imsss:objective> without an objectiveID.")
    named = f"{where}, <imsss:{local(element.tag)} objectiveID='{ident[:80]}'>,"
    by_measure = boolean(element, "satisfiedByMeasure", False, problems, named)
    raw = text_of(element.find(f"{{{IMSSS}}}minNormalizedMeasure")) or "1.0"
    # A primary objective satisfied by measure has its measure checked by
    # `passing_score`, which reports a bad one.
    found: list[str] = []
    measure = number(raw, element, "imsss:minNormalizedMeasure", found, -1, 1)
    if found and not (primary and by_measure):
        problems.append(
            f"{named} has imsss:minNormalizedMeasure '{raw[:40]}'; expected a "
            "number from -1 to 1."
        )
    maps = []
    for info in element.findall(f"{{{IMSSS}}}mapInfo"):
        mapped = _map(info, IMSSS_MAP, "imsss", where, problems)
        if mapped:
            maps.append(mapped)
    return {
        "id": ident,
        "primary": primary,
        "satisfied_by_measure": by_measure,
        "min_measure": str(measure if measure is not None else Decimal("1.0")),
        "maps": maps,
    }


def _map(info: Element, flags: dict, prefix: str, where: str, problems) -> dict:
    target = (info.get("targetObjectiveID") or "").strip()
    if not target:
        problems.append(
            f"{where} has an <{prefix}:mapInfo> without a targetObjectiveID."
        )
        return {}
    mapped = {"target": target, **dict.fromkeys(MAP_FLAGS, False)}
    named = f"{where}, <{prefix}:mapInfo targetObjectiveID='{target[:80]}'>,"
    for key, (attribute, default) in flags.items():
        mapped[key] = boolean(info, attribute, default, problems, named)
    return mapped


def data_maps(item: Element, problems: list[str]) -> list[dict]:
    """4th edition shared data: `<adlcp:data>` of `<adlcp:map targetID
    readSharedData writeSharedData>` (reads default to true, writes to false);
    a targetID once per item."""
    where = f"imsmanifest.xml: {describe(item)}"
    group = item.find(f"{{{ADLCP_2004}}}data")
    found: list[dict] = []
    for element in group.findall(f"{{{ADLCP_2004}}}map") if group is not None else []:
        target = (element.get("targetID") or "").strip()
        if not target:
            problems.append(f"{where} has an <adlcp:map> without a targetID.")
            continue
        if any(m["target"] == target for m in found):
            problems.append(
                f"{where} has two <adlcp:map>s with targetID '{target[:80]}'."
            )
            continue
        named = f"{where}, <adlcp:map targetID='{target[:80]}'>,"
        found.append(
            {
                "target": target,
                "read": boolean(element, "readSharedData", True, problems, named),
                "write": boolean(element, "writeSharedData", False, problems, named),
            }
        )
    return found


def number(
    raw: str, element, what: str, problems, low, high, source="imsmanifest.xml"
) -> Decimal | None:
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not low <= value <= high:
        problems.append(
            f"{source}: {describe(element)} has {what} '{raw}'; expected a number from {low} to {high}."
        )
        return None
    return value


# --- SCORM 2004 sequencing (SN book, 4th edition, 5.1) --------------------------

CONTROL_MODES = {
    # attribute: default (SN 5.1.1 imsss:controlMode)
    "choice": True,
    "choiceExit": True,
    "flow": False,
    "forwardOnly": False,
}
PRE_ACTIONS = ("skip", "disabled", "hiddenFromChoice", "stopForwardTraversal")
# SN 5.1.2: post-condition rules act when an attempt ends; exit rules on the
# clusters above the activity whose attempt ends.
POST_ACTIONS = ("exitParent", "exitAll", "retry", "retryAll", "continue", "previous")
EXIT_ACTIONS = ("exit",)
CONDITION_RULES = {
    # element: (key in the activity's sequencing, actions allowed)
    "preConditionRule": ("pre", PRE_ACTIONS),
    "exitConditionRule": ("exit", EXIT_ACTIONS),
    "postConditionRule": ("post", POST_ACTIONS),
}
RULE_CONDITIONS = (
    "satisfied",
    "objectiveStatusKnown",
    "objectiveMeasureKnown",
    "objectiveMeasureGreaterThan",
    "objectiveMeasureLessThan",
    "completed",
    "activityProgressKnown",
    "attempted",
    "attemptLimitExceeded",
    "timeLimitExceeded",
    "outsideAvailableTimeRange",
    "always",
)
ROLLUP_CONDITIONS = (
    "satisfied",
    "objectiveStatusKnown",
    "objectiveMeasureKnown",
    "completed",
    "activityProgressKnown",
    "attempted",
    "attemptLimitExceeded",
    "timeLimitExceeded",
    "outsideAvailableTimeRange",
)
ROLLUP_ACTIONS = ("satisfied", "notSatisfied", "completed", "incomplete")
CHILD_SETS = ("all", "any", "none", "atLeastCount", "atLeastPercent")


def sequencing_tree(organization: Element, collection: dict, problems) -> dict:
    """The activity tree with what Muster applies of each activity's sequencing:
    the organization (the root) and every item, leaf or cluster, by identifier,
    each with its parent, children, control modes, attempt limit, precondition
    rules and rollup rules. `defined` says whether the manifest has any
    `<imsss:sequencing>` at all (credit then follows the rolled-up status)."""
    tree = {
        "root": organization.get("identifier", ""),
        "activities": {},
        "defined": False,
    }

    def visit(element: Element, parent: str | None) -> str:
        ident = element.get("identifier", "")
        node = activity_sequencing(element, collection, problems)
        node["parent"] = parent
        node["children"] = []
        if element.find(f"{{{IMSSS}}}sequencing") is not None:
            tree["defined"] = True
        tree["activities"][ident] = node
        for item in children(element, "item"):
            node["children"].append(visit(item, ident))
        return ident

    visit(organization, None)
    return tree


def activity_sequencing(element: Element, collection: dict, problems) -> dict:
    where = f"imsmanifest.xml: {describe(element)}"
    found: dict = {
        "title": text_of(child(element, "title")) or element.get("identifier", ""),
        "control": dict(CONTROL_MODES),
        "limit": None,
        "duration_limit": None,
        "pre": [],
        "exit": [],
        "post": [],
        "rollup_rules": [],
    }
    if children(element, "item"):
        # A leaf's rollup controls are the item's own (`rollup_controls`, named
        # there); a cluster's or the organization's are read here.
        found["controls"] = rollup_controls(element, problems, collection)
        # RB.1.2.a: a cluster's (or the course's) primary objective satisfied by
        # measure is judged by its rolled-up measure, ahead of rollup rules.
        primary = sequencing_part(element, collection, f"{{{IMSSS}}}objectives")
        primary = (
            primary.find(f"{{{IMSSS}}}primaryObjective")
            if primary is not None
            else None
        )
        if primary is not None and boolean(
            primary,
            "satisfiedByMeasure",
            False,
            problems,
            f"{where}, <imsss:primaryObjective>,",
        ):
            raw = text_of(primary.find(f"{{{IMSSS}}}minNormalizedMeasure")) or "1.0"
            measure = number(raw, primary, "imsss:minNormalizedMeasure", [], -1, 1)
            if measure is None:
                problems.append(
                    f"{where}, <imsss:primaryObjective>, has "
                    f"imsss:minNormalizedMeasure '{raw[:40]}'; expected a number "
                    "from -1 to 1."
                )
            else:
                found["min_measure"] = str(measure)
    mode = sequencing_part(element, collection, f"{{{IMSSS}}}controlMode")
    if mode is not None:
        named = f"{where}, <imsss:controlMode>,"
        for name, default in CONTROL_MODES.items():
            found["control"][name] = boolean(mode, name, default, problems, named)
    limits = sequencing_part(element, collection, f"{{{IMSSS}}}limitConditions")
    if limits is not None and limits.get("attemptLimit") is not None:
        raw = limits.get("attemptLimit", "").strip()
        if not raw.isdigit():
            problems.append(
                f"{where}, <imsss:limitConditions>, has attemptLimit '{raw[:40]}'; "
                "expected a whole number of 0 or more."
            )
        elif int(raw) > 0:
            # SN 5.1.4: 0 means no limit.
            found["limit"] = int(raw)
    if limits is not None and limits.get("attemptAbsoluteDurationLimit") is not None:
        raw = limits.get("attemptAbsoluteDurationLimit", "").strip()
        seconds = duration_seconds(raw)
        if seconds is None:
            problems.append(
                f"{where}, <imsss:limitConditions>, has attemptAbsoluteDurationLimit "
                f"'{raw[:40]}'; expected a duration such as PT1H30M."
            )
        elif seconds > 0:
            found["duration_limit"] = str(seconds)
    found["randomization"] = randomization_controls(
        element, collection, where, problems
    )
    found["considerations"] = rollup_considerations(
        element, collection, where, problems
    )
    group = sequencing_part(element, collection, f"{{{IMSSS}}}objectives")
    objective_ids = set()
    if group is not None:
        for objective in group:
            if local(objective.tag) in ("primaryObjective", "objective"):
                objective_ids.add((objective.get("objectiveID") or "").strip())
    rules = sequencing_part(element, collection, f"{{{IMSSS}}}sequencingRules")
    for rule in list(rules) if rules is not None else []:
        if local(rule.tag) not in CONDITION_RULES:
            continue
        key, actions = CONDITION_RULES[local(rule.tag)]
        parsed = condition_rule(rule, actions, where, objective_ids, problems)
        if parsed:
            found[key].append(parsed)
    rollups = sequencing_part(element, collection, f"{{{IMSSS}}}rollupRules")
    for rule in (
        rollups.findall(f"{{{IMSSS}}}rollupRule") if rollups is not None else []
    ):
        parsed = rollup_rule(rule, where, problems)
        if parsed:
            found["rollup_rules"].append(parsed)
    return found


TIMINGS = ("never", "once", "onEachNewAttempt")
REQUIRED_FOR = ("always", "ifAttempted", "ifNotSkipped", "ifNotSuspended")
CONSIDERATIONS = {
    # attribute: key (SN 5.1.8 adlseq:rollupConsiderations; default "always")
    "requiredForSatisfied": "satisfied",
    "requiredForNotSatisfied": "notSatisfied",
    "requiredForCompleted": "completed",
    "requiredForIncomplete": "incomplete",
}


def randomization_controls(element: Element, collection: dict, where, problems):
    """`<imsss:randomizationControls randomizationTiming selectCount
    reorderChildren selectionTiming>` (SN 5.1.9; timings never, once or
    onEachNewAttempt, default never; reorderChildren default false), or None
    when the activity has none (its children keep the manifest's order)."""
    controls = sequencing_part(element, collection, f"{{{IMSSS}}}randomizationControls")
    if controls is None:
        return None
    named = f"{where}, <imsss:randomizationControls>,"
    found = {
        "randomization_timing": _token(
            controls, "randomizationTiming", TIMINGS, "never", named, problems
        ),
        "selection_timing": _token(
            controls, "selectionTiming", TIMINGS, "never", named, problems
        ),
        "reorder": boolean(controls, "reorderChildren", False, problems, named),
        "select_count": None,
    }
    raw = controls.get("selectCount")
    if raw is not None:
        if not raw.strip().isdigit():
            problems.append(
                f"{named} has selectCount '{raw[:40]}'; expected a whole number of "
                "0 or more."
            )
        else:
            found["select_count"] = int(raw.strip())
    return found


def rollup_considerations(element: Element, collection: dict, where, problems):
    """4th edition `<adlseq:rollupConsiderations>` (SN 5.1.8): when the activity
    is included in its parent's rollup of each status, and
    measureSatisfactionIfActive (default true)."""
    found = {**dict.fromkeys(CONSIDERATIONS.values(), "always"), "if_active": True}
    controls = sequencing_part(element, collection, f"{{{ADLSEQ}}}rollupConsiderations")
    if controls is None:
        return found
    named = f"{where}, <adlseq:rollupConsiderations>,"
    for attribute, key in CONSIDERATIONS.items():
        found[key] = (
            _token(controls, attribute, REQUIRED_FOR, "always", named, problems)
            or "always"
        )
    found["if_active"] = boolean(
        controls, "measureSatisfactionIfActive", True, problems, named
    )
    return found


def _token(element, name, allowed, default, named, problems) -> str | None:
    raw = element.get(name)
    if raw is None:
        return default
    value = raw.strip()
    if value not in allowed:
        problems.append(
            f"{named} has {name} '{raw[:40]}'; expected one of {', '.join(allowed)}."
        )
        return None
    return value


def duration_seconds(raw: str) -> Decimal | None:
    """An xs:duration (SN 5.1.4 limit durations, e.g. "PT1H30M") in seconds;
    None if it is not one. Years and months count 365 and 30 days (a limit
    that long is never reached by an attempt anyway)."""
    match = DURATION.fullmatch(raw)
    if not match or raw in ("P", "PT") or raw.endswith("T"):
        return None
    parts = [Decimal(v) if v else Decimal(0) for v in match.groups()]
    years, months, days, hours, minutes, seconds = parts
    return (
        ((years * 365 + months * 30 + days) * 24 + hours) * 60 + minutes
    ) * 60 + seconds


DURATION = re.compile(
    r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?"
)


def condition_rule(rule: Element, actions, where: str, objective_ids, problems) -> dict:
    """A `<imsss:preConditionRule>`, `<imsss:exitConditionRule>` or
    `<imsss:postConditionRule>` (SN 5.1.2): its conditions and its action,
    one of `actions`."""
    named = f"{where}, <imsss:{local(rule.tag)}>,"
    action_element = rule.find(f"{{{IMSSS}}}ruleAction")
    if action_element is None:
        problems.append(f"{named} has no <imsss:ruleAction>.")
        return {}
    action = _token(
        action_element,
        "action",
        actions,
        None,
        f"{named} <imsss:ruleAction>",
        problems,
    )
    if action is None:
        if action_element.get("action") is None:
            problems.append(f"{named} <imsss:ruleAction> has no action.")
        return {}
    group = rule.find(f"{{{IMSSS}}}ruleConditions")
    if group is None:
        problems.append(f"{named} has no <imsss:ruleConditions>.")
        return {}
    combination = _token(
        group,
        "conditionCombination",
        ("all", "any"),
        "all",
        f"{named} <imsss:ruleConditions>",
        problems,
    )
    conditions = []
    for condition in group.findall(f"{{{IMSSS}}}ruleCondition"):
        parsed = _condition(
            condition, RULE_CONDITIONS, f"{named} <imsss:ruleCondition>", problems
        )
        if parsed is None:
            continue
        ref = (condition.get("referencedObjective") or "").strip()
        if ref and ref not in objective_ids:
            problems.append(
                f"{named} <imsss:ruleCondition> has referencedObjective '{ref[:80]}', "
                "which names no objective of the activity."
            )
            continue
        parsed["objective"] = ref
        raw = (condition.get("measureThreshold") or "0.0").strip()
        threshold = number(raw, condition, "measureThreshold", [], -1, 1)
        if threshold is None:
            problems.append(
                f"{named} <imsss:ruleCondition> has measureThreshold '{raw[:40]}'; "
                "expected a number from -1 to 1."
            )
            continue
        parsed["threshold"] = str(threshold)
        conditions.append(parsed)
    if not conditions:
        problems.append(f"{named} has no valid <imsss:ruleCondition>.")
        return {}
    return {
        "action": action,
        "combination": combination or "all",
        "conditions": conditions,
    }


def _condition(element: Element, allowed, named: str, problems) -> dict | None:
    if element.get("condition") is None:
        problems.append(f"{named} has no condition.")
        return None
    condition = _token(element, "condition", allowed, None, named, problems)
    operator = _token(element, "operator", ("not", "noOp"), "noOp", named, problems)
    if condition is None or operator is None:
        return None
    return {"condition": condition, "not": operator == "not"}


def rollup_rule(rule: Element, where: str, problems) -> dict:
    named = f"{where}, <imsss:rollupRule>,"
    child_set = _token(rule, "childActivitySet", CHILD_SETS, "all", named, problems)
    raw_count = (rule.get("minimumCount") or "0").strip()
    if not raw_count.isdigit():
        problems.append(
            f"{named} has minimumCount '{raw_count[:40]}'; expected a whole number of 0 or more."
        )
        return {}
    raw_percent = (rule.get("minimumPercent") or "0").strip()
    percent = number(raw_percent, rule, "minimumPercent", [], 0, 1)
    if percent is None:
        problems.append(
            f"{named} has minimumPercent '{raw_percent[:40]}'; expected a number from 0 to 1."
        )
        return {}
    action_element = rule.find(f"{{{IMSSS}}}rollupAction")
    if action_element is None or action_element.get("action") is None:
        problems.append(f"{named} has no <imsss:rollupAction action>.")
        return {}
    action = _token(
        action_element,
        "action",
        ROLLUP_ACTIONS,
        None,
        f"{named} <imsss:rollupAction>",
        problems,
    )
    group = rule.find(f"{{{IMSSS}}}rollupConditions")
    if group is None:
        problems.append(f"{named} has no <imsss:rollupConditions>.")
        return {}
    # SN 5.1.7: the rollup conditions' combination defaults to any.
    combination = _token(
        group,
        "conditionCombination",
        ("all", "any"),
        "any",
        f"{named} <imsss:rollupConditions>",
        problems,
    )
    conditions = []
    for condition in group.findall(f"{{{IMSSS}}}rollupCondition"):
        parsed = _condition(
            condition, ROLLUP_CONDITIONS, f"{named} <imsss:rollupCondition>", problems
        )
        if parsed is not None:
            conditions.append(parsed)
    if not conditions:
        problems.append(f"{named} has no valid <imsss:rollupCondition>.")
        return {}
    if None in (child_set, action, combination):
        return {}
    return {
        "set": child_set,
        "count": int(raw_count),
        "percent": str(percent),
        "action": action,
        "combination": combination,
        "conditions": conditions,
    }


# --- cmi5 ----------------------------------------------------------------------

# What Muster keeps of an AU (PackageItem's columns): longer values would have
# to be cut, and the publisher id must reach the LRS unaltered (9.6.2.3), the
# launch parameters and entitlement key whole (10.0), so they are refused.
CMI5_LIMITS = {"id": 200, "url": 2000, "launchParameters": 1000, "entitlementKey": 1000}
# The launch parameters the LMS adds to an AU's url (8.1): the url's own query
# "MUST NOT collide" with them.
LAUNCH_PARAMETERS = ("endpoint", "fetch", "actor", "registration", "activityId")


def read_cmi5(data: bytes, files: set[str] | None) -> Outline:
    """The outline of cmi5.xml, checked against the course structure schema
    (cmi5_schema) and then the rules the schema cannot say.

    `files` are the zip's file names; None when the course structure came
    without a zip (14.2), when every AU url must be fully qualified.
    """
    name = "cmi5.xml"
    root = parse_xml(name, data)
    problems = cmi5_schema.problems(root)
    if problems:
        raise PackageError("\n".join(problems))
    course = child(root, "course")
    outline = Outline(
        kind=PackageKind.CMI5,
        edition="cmi5",
        identifier=_attribute(course, "id"),
        title=lang_text(child(course, "title")),
        description=lang_text(child(course, "description")),
    )
    walk_aus(root, outline, files, problems, ())
    unique_ids(root, problems)
    outline.cmi5_objectives = cmi5_objectives(root, problems)
    if len(outline.identifier) > CMI5_LIMITS["id"]:
        problems.append(_too_long("<course>", "id", outline.identifier))
    if problems:
        raise PackageError("\n".join(problems))
    return outline


def _too_long(where: str, what: str, value: str) -> str:
    return (
        f"cmi5.xml: {where}: its {what} is {len(value)} characters long; Muster "
        f"keeps at most {CMI5_LIMITS[what]} and will not cut it."
    )


def cmi5_objectives(root: Element, problems: list[str]) -> list[dict]:
    """The course structure's objectives (13.1.3: id, title, description), and
    which blocks and AUs refer to them (13.1.2, 13.1.4: `<objective idref>`).
    A reference to an objective the structure does not declare is a problem."""
    declared: dict[str, dict] = {}
    listing = child(root, "objectives")
    for objective in children(listing, "objective") if listing is not None else []:
        ident = _attribute(objective, "id")
        declared[ident] = {
            "id": ident,
            "title": lang_text(child(objective, "title")),
            "description": lang_text(child(objective, "description")),
            "blocks": [],
            "aus": [],
        }
    for element in root.iter():
        kind = local(element.tag)
        if kind not in ("block", "au"):
            continue
        references = child(element, "objectives")
        for reference in (
            children(references, "objective") if references is not None else []
        ):
            idref = _attribute(reference, "idref")
            owner = _attribute(element, "id")
            if idref not in declared:
                problems.append(
                    f"cmi5.xml: <{kind} id='{owner}'> refers to objective "
                    f"'{idref}', which <objectives> does not declare (13.1.3)."
                )
                continue
            declared[idref]["blocks" if kind == "block" else "aus"].append(owner)
    return list(declared.values())


def unique_ids(root: Element, problems: list[str]) -> None:
    """Course, block, AU and objective ids are each the course structure's only
    one (cmi5 13.1.1, 13.1.2, 13.1.3, 13.1.4: "MUST be unique")."""
    seen: dict[str, str] = {}
    for element in root.iter():
        name = local(element.tag)
        if name not in ("course", "block", "au", "objective"):
            continue
        ident = (element.get("id") or "").strip()
        if not ident:
            continue
        if ident in seen:
            problems.append(
                f"cmi5.xml: <{name} id='{ident}'> has the id of an earlier "
                f"<{seen[ident]}>; every id must be unique (13.1)."
            )
        else:
            seen[ident] = name


def _attribute(element: Element, name: str, default: str = "") -> str:
    """An attribute with the whitespace around it trimmed (13.1)."""
    return (element.get(name) or default).strip()


def lang_text(element: Element | None) -> str:
    """The first <langstring> of a cmi5 title or description."""
    if element is None:
        return ""
    strings = children(element, "langstring")
    return text_of(strings[0]) if strings else text_of(element)


def walk_aus(parent, outline, files, problems, blocks: tuple[str, ...]) -> None:
    for element in parent:
        if local(element.tag) == "block":
            block_id = _attribute(element, "id")
            if len(block_id) > CMI5_LIMITS["id"]:
                problems.append(_too_long(f"<block id='{block_id}'>", "id", block_id))
            walk_aus(element, outline, files, problems, (*blocks, block_id))
        elif local(element.tag) == "au":
            outline.items.append(cmi5_au(element, files, problems, blocks))


def cmi5_au(
    au: Element, files: set[str] | None, problems: list[str], blocks: tuple[str, ...]
) -> OutlineItem:
    ident = _attribute(au, "id")
    where = f"<au id='{ident}'>"
    url = text_of(child(au, "url"))
    why = au_url_problem(url, files)
    if why:
        problems.append(f"cmi5.xml: {where} url '{url}' {why}")
    parameters = text_of(child(au, "launchParameters"))
    entitlement = text_of(child(au, "entitlementKey"))
    score = _attribute(au, "masteryScore")
    for what, value in (
        ("id", ident),
        ("url", url),
        ("launchParameters", parameters),
        ("entitlementKey", entitlement),
    ):
        if len(value) > CMI5_LIMITS[what]:
            problems.append(_too_long(where, what, value))
    return OutlineItem(
        identifier=ident,
        title=lang_text(child(au, "title")) or ident,
        href=url,
        scorm_type="au",
        parameters=parameters,
        mastery_score=Decimal(score) if score else None,  # checked by the schema
        move_on=_attribute(au, "moveOn", "NotApplicable"),
        launch_method=_attribute(au, "launchMethod", "AnyWindow"),
        depth=len(blocks),
        blocks=blocks,
        entitlement_key=entitlement,
    )


def au_url_problem(url: str, files: set[str] | None) -> str:
    """Why an AU's url cannot launch, completing the sentence "url '…' ", or "".

    13.1.4: a relative or fully qualified URL conforming to RFC 1738; 14.1: media
    in the zip by relative URL, media elsewhere by a fully qualified one; 14.2:
    without a zip, every url fully qualified; 8.1: its query's names must not
    collide with the launch parameters the LMS adds.
    """
    parts = urlsplit(url)
    if any(c.isspace() for c in url) or (
        parts.scheme and (parts.scheme not in ("http", "https") or not parts.netloc)
    ):
        return (
            "is not a valid URL (an http or https URL, or a path in the package, "
            "without spaces; 13.1.4)."
        )
    if parts.scheme:
        host = absolute_host_problem(parts.hostname or "")
        if host:
            return host
    elif files is None:
        return (
            "is relative, and this course structure came without a zip: every url "
            "must then be fully qualified, such as https://… (14.2)."
        )
    elif normpath(unquote(parts.path)) not in files:
        return "is not in the package (14.1)."
    clashes = sorted(
        {k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
        & set(LAUNCH_PARAMETERS)
    )
    if clashes:
        return (
            f"has '{clashes[0]}' in its query, a name of the launch parameters "
            f"Muster adds ({', '.join(LAUNCH_PARAMETERS)}); they must not collide (8.1)."
        )
    return ""


def absolute_host_problem(host: str) -> str:
    """Why an AU hosted elsewhere may not be at `host`, or "".

    Muster never requests an AU's url itself (the learner's browser does), so
    there is nothing to resolve; but a course structure must not send learners'
    browsers, with their launch credentials, to addresses inside a network:
    the literal addresses Muster's outbound rules refuse, and localhost (both
    allowed with MUSTER_OUTBOUND_ALLOW_LOOPBACK, as outbound requests are).
    """
    name = host.lower().rstrip(".")
    local = name == "localhost" or name.endswith(".localhost")
    if local and not settings.OUTBOUND_ALLOW_LOOPBACK:
        return "points at localhost; an AU elsewhere must be on a public host."
    try:
        why = outbound.refusal(name)
    except ValueError:
        return ""  # a host name, not an address
    return f"points at {why}; an AU elsewhere must be on a public host." if why else ""

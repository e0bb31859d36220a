"""cmi5.xml checked against the course structure schema (cmi5 Quartz 13.2).

cmi5 6.1: the LMS "MUST support course structures conforming to the XSD schema
defined in Section 13.2", and 13.2: every course structure made for import
"MUST conform to this XSD". This module is Muster's own reading of that schema's
content models, written from the element tables of 13.1 and the schema's
structure (not a copy of it), so that a structure the schema refuses is refused
here too, each problem named by file, element and what is wrong:

- the elements are in the cmi5 namespace (`CMI5`), in the schema's order:
  `<courseStructure>` holds `<course>`, then `<objectives>` (optional), then one
  or more `<au>` and `<block>`; a `<block>` and an `<au>` begin with `<title>` and
  `<description>` (both required); an `<au>` then has `<objectives>` (optional),
  `<url>` (required, not empty), `<launchParameters>` and `<entitlementKey>`
  (both optional); titles and descriptions hold one or more `<langstring>`;
- elements and attributes of other namespaces (13.1.5 vendor extensions) are
  allowed where the schema allows them: an element after the schema's own at
  the end of each element-only content, an attribute on the elements that take
  them; anything without a namespace the schema does not name is refused;
- attribute values: ids (course, block, AU, objective) and objective references
  are fully qualified IRIs (cmi5 3.0: "IRI's in this spec MUST be fully
  qualified and not IRI References"), moveOn, launchMethod and
  authenticationMethod from their lists, masteryScore a decimal from 0 to 1, a
  langstring's lang a language tag;
- text only where the schema has simple content (langstring, url), elements
  only elsewhere.

One deliberate leniency: 13.1 says the LMS MUST remove leading and trailing
whitespace on import from every data element, so `moveOn=" Passed "` is read
as Passed, where the schema's string enumeration alone would refuse it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

CMI5 = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
FILE = "cmi5.xml"
MOVE_ON = (
    "Passed",
    "Completed",
    "CompletedAndPassed",
    "CompletedOrPassed",
    "NotApplicable",
)
LAUNCH_METHODS = ("AnyWindow", "OwnWindow")
# An absolute IRI: a scheme, a colon and something after it, no white space
# (RFC 3987 2.2; a reference such as "example.com/course" has no scheme).
ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")
# xs:language (XML Schema Part 2, 3.3.3).
LANGUAGE = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
# xs:decimal's lexical space (no exponent, no NaN or infinity).
DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
OTHER = "##other"  # an element of a namespace other than cmi5's
ROOT = "<courseStructure>"


def _iri(value: str) -> str:
    if ABSOLUTE_IRI.match(value):
        return ""
    return (
        "expected a fully qualified IRI such as https://example.com/… "
        "(cmi5 3.0: IRIs are fully qualified, not references)"
    )


def _choice(*allowed: str):
    def check(value: str) -> str:
        return "" if value in allowed else f"expected one of {', '.join(allowed)}"

    return check


def _score(value: str) -> str:
    if DECIMAL.match(value) and 0 <= float(value) <= 1:
        return ""
    return "expected a number from 0 to 1"


def _language(value: str) -> str:
    return "" if LANGUAGE.match(value) else "expected a language tag such as en-US"


def _string(value: str) -> str:
    return ""


@dataclass(frozen=True)
class Particle:
    """One step of an element-only content model: these names, low to high times."""

    names: tuple[str, ...]
    low: int = 1
    high: int | None = 1  # None: unbounded

    def label(self) -> str:
        if self.names == (OTHER,):
            return "elements of other namespaces"
        return " or ".join(f"<{name}>" for name in self.names)


@dataclass(frozen=True)
class Kind:
    """An element's type: its content and attributes."""

    particles: tuple[Particle, ...] = ()
    children: dict[str, str] = field(default_factory=dict)  # element -> kind
    text_only: bool = False  # simple content: text, no elements
    unordered: bool = False  # xs:all: each particle once, in any order
    anything: bool = False  # xs:anyType: any content, any attributes
    attributes: dict = field(default_factory=dict)  # name -> value check
    required: tuple[str, ...] = ()
    foreign_attributes: bool = True  # attributes of other namespaces


def _any() -> Particle:
    return Particle((OTHER,), 0, None)


TEXT = {"title": "text", "description": "text"}
KINDS: dict[str, Kind] = {
    "courseStructure": Kind(
        particles=(
            Particle(("course",)),
            Particle(("objectives",), 0),
            Particle(("au", "block"), 1, None),
            _any(),
        ),
        children={
            "course": "course",
            "objectives": "objectives",
            "au": "au",
            "block": "block",
        },
    ),
    "course": Kind(
        particles=(Particle(("title",)), Particle(("description",)), _any()),
        children=TEXT,
        attributes={"id": _iri},
        required=("id",),
    ),
    "objectives": Kind(
        particles=(Particle(("objective",), 1, None), _any()),
        children={"objective": "objective"},
    ),
    "objective": Kind(
        particles=(Particle(("title",)), Particle(("description",))),
        children=TEXT,
        unordered=True,
        attributes={"id": _iri},
        required=("id",),
        foreign_attributes=False,
    ),
    "block": Kind(
        particles=(
            Particle(("title",)),
            Particle(("description",)),
            Particle(("objectives",), 0),
            Particle(("au", "block"), 1, None),
            _any(),
        ),
        children={
            **TEXT,
            "objectives": "references",
            "au": "au",
            "block": "block",
        },
        attributes={"id": _iri},
        required=("id",),
    ),
    "au": Kind(
        particles=(
            Particle(("title",)),
            Particle(("description",)),
            Particle(("objectives",), 0),
            Particle(("url",)),
            Particle(("launchParameters",), 0),
            Particle(("entitlementKey",), 0),
            _any(),
        ),
        children={
            **TEXT,
            "objectives": "references",
            "url": "url",
            "launchParameters": "anything",
            "entitlementKey": "anything",
        },
        attributes={
            "id": _iri,
            "moveOn": _choice(*MOVE_ON),
            "masteryScore": _score,
            "launchMethod": _choice(*LAUNCH_METHODS),
            "authenticationMethod": _choice("Basic"),
            "activityType": _string,
        },
        required=("id",),
    ),
    "references": Kind(
        particles=(Particle(("objective",), 1, None), _any()),
        children={"objective": "reference"},
    ),
    "reference": Kind(attributes={"idref": _iri}, foreign_attributes=False),
    "text": Kind(
        particles=(Particle(("langstring",), 1, None), _any()),
        children={"langstring": "langstring"},
    ),
    "langstring": Kind(text_only=True, attributes={"lang": _language}),
    "url": Kind(text_only=True, foreign_attributes=False),
    "anything": Kind(anything=True),
}


def split(tag: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag or attribute name."""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def describe(element: Element, where: str) -> str:
    """How a problem names an element: by its id when it has one, else by its
    place under the element named `where`."""
    _, name = split(element.tag)
    ident = (element.get("id") or "").strip()
    if ident:
        return f"<{name} id='{ident}'>"
    if where in ("", ROOT):
        return f"<{name}>"  # the root's children need no more to be found
    return f"{where}, <{name}>"


def problems(root: Element) -> list[str]:
    """Every way `root` (the parsed cmi5.xml) breaks the course structure schema;
    empty when it conforms."""
    namespace, name = split(root.tag)
    if name != "courseStructure":
        return [f"{FILE}: the root element is <{name}>, not <courseStructure>."]
    if namespace != CMI5:
        found = f"the namespace '{namespace}'" if namespace else "no namespace"
        return [
            f"{FILE}: <courseStructure> is in {found}; a cmi5 course structure's "
            f"elements are in {CMI5} (13.2)."
        ]
    found: list[str] = []
    _check(root, "courseStructure", ROOT, found)
    return found


def _check(element: Element, kind_name: str, where: str, found: list[str]) -> None:
    kind = KINDS[kind_name]
    if kind.anything:
        return
    _check_attributes(element, kind, where, found)
    if kind.text_only:
        for child in element:
            _, name = split(child.tag)
            found.append(
                f"{FILE}: {where} holds text only; <{name}> is not allowed in it (13.2)."
            )
            return
        if kind_name == "url" and not (element.text or "").strip():
            found.append(f"{FILE}: {where} is empty; the AU's url is required (13.2).")
        return
    stray = [element.text, *(child.tail for child in element)]
    text = next((t.strip() for t in stray if t and t.strip()), "")
    if text:
        found.append(
            f"{FILE}: {where} has the text '{text[:40]}' between its elements, "
            "where only elements belong (13.2)."
        )
    if not _check_order(element, kind, where, found):
        return
    for child in element:
        namespace, name = split(child.tag)
        if namespace == CMI5 and name in kind.children:
            _check(child, kind.children[name], describe(child, where), found)


def _check_attributes(element: Element, kind: Kind, where: str, found) -> None:
    for attribute, raw in element.attrib.items():
        namespace, name = split(attribute)
        if namespace and namespace != CMI5:
            if not kind.foreign_attributes:
                found.append(
                    f"{FILE}: {where} has the attribute '{name}' of {namespace}; "
                    "this element takes no attributes of other namespaces (13.2)."
                )
            continue
        if namespace or name not in kind.attributes:
            found.append(
                f"{FILE}: {where} has the attribute '{name}', which the course "
                "structure schema does not define; a vendor's attributes need a "
                "namespace of their own (13.1.5, 13.2)."
            )
            continue
        value = raw.strip()  # 13.1: whitespace removed on import
        why = kind.attributes[name](value)
        if why:
            found.append(f"{FILE}: {where} has {name} '{value}'; {why}.")
    for name in kind.required:
        if not (element.get(name) or "").strip():
            found.append(f"{FILE}: {where} has no {name}; it is required (13.2).")


def _model(kind: Kind) -> str:
    """The content model in words, for the messages."""
    parts = []
    for particle in kind.particles:
        if particle.names == (OTHER,):
            continue
        label = particle.label()
        if particle.low == 0:
            label += " (optional)"
        elif particle.high is None:
            label += " (one or more)"
        parts.append(label)
    joiner = " and " if kind.unordered else ", then "
    return joiner.join(parts)


def _check_order(element: Element, kind: Kind, where: str, found) -> bool:
    """The children against the content model; False when they do not fit (the
    children are then not checked further, so one mistake is named once)."""
    children = [split(child.tag) for child in element]
    for namespace, name in children:
        if not namespace:
            found.append(
                f"{FILE}: {where} has <{name}>, an element without a namespace; "
                f"the schema's elements are in {CMI5}, a vendor's in a namespace "
                "of its own (13.1.5, 13.2)."
            )
            return False
    tokens = [OTHER if ns != CMI5 else name for ns, name in children]
    if kind.unordered:
        return _check_all(tokens, kind, where, found)
    index, count = 0, 0
    particles = kind.particles
    for token in tokens:
        while index < len(particles):
            particle = particles[index]
            fits = token in particle.names
            if fits and (particle.high is None or count < particle.high):
                count += 1
                break
            if count >= particle.low:
                index, count = index + 1, 0
                continue
            found.append(
                f"{FILE}: {where} has {_token(token)} where {particle.label()} is "
                f"expected; the schema wants {_model(kind)} (13.2)."
            )
            return False
        else:
            found.append(
                f"{FILE}: {where} has {_token(token)} after everything the schema "
                f"allows there ({_model(kind)}; 13.2)."
            )
            return False
    for particle in particles[index:]:
        if count < particle.low:
            found.append(
                f"{FILE}: {where} lacks {particle.label()}; the schema wants "
                f"{_model(kind)} (13.2)."
            )
            return False
        count = 0
    return True


def _check_all(tokens: list[str], kind: Kind, where: str, found) -> bool:
    wanted = [particle.names[0] for particle in kind.particles]
    for token in tokens:
        if token not in wanted or tokens.count(token) > 1:
            found.append(
                f"{FILE}: {where} has {_token(token)}; it holds exactly "
                f"{_model(kind)}, in any order (13.2)."
            )
            return False
    for name in wanted:
        if name not in tokens:
            found.append(
                f"{FILE}: {where} lacks <{name}>; it holds exactly {_model(kind)}, "
                "in any order (13.2)."
            )
            return False
    return True


def _token(token: str) -> str:
    return "an element of another namespace" if token == OTHER else f"<{token}>"

"""Read mandate YAML files into `Mandate` objects, refusing any file that is wrong.

Every refusal is a `MandateError` whose message names the file, the key, what is
wrong and how to fix it, because the people who edit these files review law, not
Python tracebacks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import ValidationError

from muster.rules import schema
from muster.rules.errors import MandateError
from muster.rules.mandate import (
    SURNAME,
    Alternative,
    Applicability,
    BreakRule,
    Cap,
    CapValue,
    CarryOverRule,
    ConsequenceRule,
    CountRule,
    Cycle,
    GraceRule,
    Mandate,
    NewLicenseeRule,
    Requirement,
    RequirementValue,
    ShortfallRule,
    SurnameGroup,
    Tier,
    UncertainNote,
    WaiverRule,
)
from muster.rules.model import Citation

PACKAGE_DIR = Path(__file__).parent
MANDATES_DIR = PACKAGE_DIR / "mandates"
VOCABULARY_FILE = PACKAGE_DIR / "topics.yaml"
GUIDE = "See docs/adding-a-state.md."


@dataclass(frozen=True)
class Vocabulary:
    """The closed lists of areas, topics, deliveries, providers and roles."""

    areas: frozenset[str]
    topics: frozenset[str]
    deliveries: frozenset[str]
    providers: frozenset[str]
    disciplines: frozenset[str] = frozenset()
    attributes: frozenset[str] = frozenset()
    descriptions: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Jurisdiction:
    """A state: its name, regulator and mandates (one per group of disciplines)."""

    code: str
    name: str
    regulator: str
    description: str
    mandates: tuple[Mandate, ...]


@dataclass(frozen=True)
class Library:
    """Every jurisdiction found under one mandates folder."""

    jurisdictions: dict[str, Jurisdiction]
    vocabulary: Vocabulary

    def get(self, code: str) -> Jurisdiction:
        try:
            return self.jurisdictions[code.upper()]
        except KeyError:
            known = ", ".join(sorted(self.jurisdictions))
            raise MandateError(
                f"unknown jurisdiction {code!r}; known jurisdictions are {known}"
            ) from None

    def mandate(self, mandate_id: str) -> Mandate:
        for jurisdiction in self.jurisdictions.values():
            for mandate in jurisdiction.mandates:
                if mandate.id == mandate_id:
                    return mandate
        raise MandateError(f"unknown mandate {mandate_id!r}")


# LibYAML's parser when PyYAML was built with it (the wheels are): the same safe
# constructors, about ten times quicker than the pure-Python parser.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """A YAML loader that refuses a key written twice in one mapping."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            line = key_node.start_mark.line + 1
            raise MandateError(
                f"duplicate key {key!r} on line {line}; each key may appear once in a "
                "mapping. Merge the two entries or rename one."
            )
        seen.add(key)
    return loader.construct_mapping(node)


def _construct_timestamp(loader: _StrictLoader, node: yaml.ScalarNode) -> str:
    # Keep dates as text so that the schema, not the YAML parser, judges them and
    # can name the key of an impossible date such as 2017-02-30.
    return loader.construct_scalar(node)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


# The largest shipped file has some 14,000 characters and a few thousand nodes
# once every alias is expanded. A what-if draft is typed on a page: a few lines
# of anchors (`b: [*a, *a]`, or `<<: [*a, *a]` merges) would make the parser
# build billions of nodes, so text and expansion are bounded before building.
MAX_TEXT_CHARS = 200_000
MAX_EXPANDED_NODES = 100_000


def read_yaml(path: Path, text: str | None = None) -> Any:
    """Parse one YAML file (or `text`, as if it were that file), naming the file in
    any error."""
    try:
        if text is None:
            text = path.read_text(encoding="utf-8")
        if len(text) > MAX_TEXT_CHARS:
            raise MandateError(
                f"is {len(text):,} characters long; a mandate file may have at "
                f"most {MAX_TEXT_CHARS:,}"
            )
        loader = _StrictLoader(text)
        try:
            root = loader.get_single_node()
            if root is None:
                return None
            _check_expansion(root)
            return loader.construct_document(root)
        finally:
            loader.dispose()
    except MandateError as error:
        raise MandateError(f"{display(path)}: {error}") from None
    except yaml.YAMLError as error:
        raise MandateError(f"{display(path)}: not valid YAML: {error}") from None
    except RecursionError:
        raise MandateError(f"{display(path)}: nested too deeply") from None


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a document whose aliases, expanded, would exceed MAX_EXPANDED_NODES
    nodes, or an alias to a node that holds it (a loop)."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            line = node.start_mark.line + 1
            raise MandateError(f"the YAML node of line {line} contains itself")
        open_nodes.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        open_nodes.discard(key)
        if total > MAX_EXPANDED_NODES:
            raise MandateError(
                f"the YAML from line {node.start_mark.line + 1} expands (anchors and "
                f"aliases repeated) to more than {MAX_EXPANDED_NODES:,} values; "
                "write the values out instead of repeating aliases"
            )
        sizes[key] = total
        return total

    size(root)


def display(path: Path) -> str:
    """A short path for messages: relative to the package when possible."""
    try:
        return str(path.relative_to(PACKAGE_DIR))
    except ValueError:
        return str(path)


# Keys whose value comes from a short closed list, named when the key is missing.
CHOICES = {
    "source": ", ".join(get_args(schema.SourceKind)),
    "confidence": ", ".join(get_args(schema.Confidence)),
}


def _describe(error: dict[str, Any]) -> str:
    where = " > ".join(str(part) for part in error["loc"]) or "(top level)"
    kind = error["type"]
    key = error["loc"][-1] if error["loc"] else ""
    if kind == "missing" and key in CHOICES:
        return f"key `{where}` is missing; add `{key}:`, one of {CHOICES[key]}"
    if kind == "missing":
        return f"key `{where}` is missing; add `{key}:` with a value"
    if kind == "extra_forbidden":
        return f"key `{where}` is not a known key; remove it or check its spelling"
    if kind.startswith("date"):
        return f"`{where}` is not a date ({error['msg']}); write dates as YYYY-MM-DD"
    return f"`{where}`: {error['msg']}"


def parse(spec_class: type[schema.Spec], data: Any, path: Path) -> Any:
    try:
        return spec_class.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(_describe(e) for e in error.errors())  # type: ignore[arg-type]
        raise MandateError(f"{display(path)}: {problems}. {GUIDE}") from None


@cache
def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    spec = parse(schema.VocabularySpec, read_yaml(path), path)
    return Vocabulary(
        areas=frozenset(spec.areas),
        topics=frozenset(spec.topics),
        deliveries=frozenset(spec.deliveries),
        providers=frozenset(spec.providers),
        disciplines=frozenset(spec.disciplines),
        attributes=frozenset(spec.attributes),
        descriptions={
            **spec.areas,
            **spec.topics,
            **spec.deliveries,
            **spec.providers,
            **spec.disciplines,
            **spec.attributes,
        },
    )


def load_mandates(root: Path | None = None) -> Library:
    """Load every jurisdiction below `root` (default: the shipped mandates).

    The default library is loaded once per process and shared.
    """
    if root is None:
        return _default_library()
    return _load_library(Path(root))


@cache
def _default_library() -> Library:
    return _load_library(MANDATES_DIR)


def _load_library(root: Path) -> Library:
    vocabulary = load_vocabulary()
    jurisdictions: dict[str, Jurisdiction] = {}
    for folder in sorted({path.parent for path in root.glob("*/*/*.yaml")}):
        if not (folder / "index.yaml").exists():
            raise MandateError(
                f"{display(folder)}: has mandate files but no index.yaml, so none of "
                f"them would be loaded. Add an index.yaml. {GUIDE}"
            )
        # Folders are named after their codes and ids after their paths, so
        # neither a code nor a mandate id can be used twice.
        jurisdiction = load_jurisdiction(folder, vocabulary)
        jurisdictions[jurisdiction.code] = jurisdiction
    if not jurisdictions:
        raise MandateError(f"{root}: no jurisdiction folders with an index.yaml found")
    return Library(jurisdictions, vocabulary)


def load_jurisdiction(folder: Path, vocabulary: Vocabulary) -> Jurisdiction:
    index_path = folder / "index.yaml"
    index = parse(schema.JurisdictionSpec, read_yaml(index_path), index_path)
    if index.code.lower() != folder.name:
        raise MandateError(
            f"{display(index_path)}: `code` is {index.code} but the folder is "
            f"{folder.name}/; name the folder after the state's code in lower case "
            f"({index.code.lower()}/) or fix the code. {GUIDE}"
        )
    mandates = tuple(
        load_mandate_file(path, vocabulary)
        for path in sorted(folder.glob("*.yaml"))
        if path.name != "index.yaml"
    )
    for mandate in mandates:
        if mandate.jurisdiction != index.code:
            raise MandateError(
                f"{display(Path(mandate.source))}: `jurisdiction` is "
                f"{mandate.jurisdiction} but the folder's index.yaml says {index.code}; "
                "make them agree."
            )
    return Jurisdiction(
        index.code, index.name, index.regulator, index.description.strip(), mandates
    )


def load_mandate_file(path: Path, vocabulary: Vocabulary | None = None) -> Mandate:
    """Load and check one mandate file."""
    vocabulary = vocabulary or load_vocabulary()
    spec: schema.MandateSpec = parse(schema.MandateSpec, read_yaml(path), path)
    _check_id(path, spec)
    return _MandateBuilder(path, spec, vocabulary).build()


def load_mandate_text(
    text: str, path: Path, vocabulary: Vocabulary | None = None
) -> Mandate:
    """Load and check a mandate from `text` as if it were the file `path` (a draft
    edited on a page): the same checks and messages, and nothing read from disk."""
    vocabulary = vocabulary or load_vocabulary()
    spec: schema.MandateSpec = parse(schema.MandateSpec, read_yaml(path, text), path)
    _check_id(path, spec)
    return _MandateBuilder(path, spec, vocabulary).build()


def expected_id(path: Path, jurisdiction: str) -> str:
    """The id a mandate file must carry: `<country>.<state folder>.<file name>`.

    A file outside a state folder (a test fixture) is named after its
    `jurisdiction` instead.

    >>> expected_id(Path("mandates/us/mo/peace_officer.yaml"), "TX")
    'us.mo.peace_officer'
    >>> expected_id(Path("tests/invalid/wrong_id.yaml"), "ZZ")
    'us.zz.wrong_id'
    """
    folder = path.parent.name
    if len(folder) == 2 and folder.isalpha() and folder.islower():
        return f"{path.parent.parent.name}.{folder}.{path.stem}"
    return f"us.{jurisdiction.lower()}.{path.stem}"


def _check_id(path: Path, spec: schema.MandateSpec) -> None:
    """The id names the file: a file under mo/ cannot claim to be a Texas rule.

    A file whose `jurisdiction` disagrees with its folder is refused by
    `load_jurisdiction`, which holds it to the folder's index.yaml.
    """
    wanted = expected_id(path, spec.jurisdiction)
    if spec.id != wanted:
        raise MandateError(
            f"{display(path)}: `id` is {spec.id} but this file's path makes it "
            f"{wanted}. Make `id` match the path (us.<state>.<file name>), or move "
            f"the file to the folder of the state it describes. {GUIDE}"
        )


class _MandateBuilder:
    """Turns a validated spec into engine objects, checking what pydantic cannot."""

    def __init__(
        self, path: Path, spec: schema.MandateSpec, vocabulary: Vocabulary
    ) -> None:
        self.path = path
        self.spec = spec
        self.vocabulary = vocabulary
        self.file_citation = self.citation(spec.reference)

    def fail(self, where: str, problem: str, fix: str) -> MandateError:
        return MandateError(f"{display(self.path)}: `{where}` {problem}. {fix} {GUIDE}")

    def citation(self, reference: schema.ReferenceSpec | None) -> Citation | None:
        if reference is None:
            return None
        return Citation(
            reference.title, reference.href, reference.source, reference.confidence
        )

    def cite(
        self, where: str, entry: schema.DatedSpec, fallback: Citation | None
    ) -> Citation:
        found = self.citation(entry.reference) or fallback or self.file_citation
        if found is None:
            raise self.fail(
                where,
                f"has no reference for the value starting {entry.from_}",
                "Add `reference` (title and href) to that entry, to its requirement "
                "or to the whole file.",
            )
        return found

    def check_sorted(self, where: str, entries: Sequence[schema.DatedSpec]) -> None:
        days = [entry.from_ for entry in entries]
        for earlier, later in zip(days, days[1:], strict=False):
            if later <= earlier:
                raise self.fail(
                    where,
                    f"has entries out of order ({later} after {earlier})",
                    "List dated entries from oldest to newest, each date once; a change "
                    "in the law is a new entry with a later `from`.",
                )

    def check_words(
        self, where: str, words: Iterable[str], allowed: frozenset[str], kind: str
    ) -> None:
        for word in words:
            if word not in allowed:
                raise self.fail(
                    where,
                    f"names unknown {kind} {word!r}",
                    f"Use one of: {', '.join(sorted(allowed))}; or add it to topics.yaml.",
                )

    def check_prorate_unit(
        self, where: str, spec: schema.NewLicenseeSpec | schema.WaiverRuleSpec
    ) -> None:
        if spec.unit_months < 1 or spec.hours_per_unit <= 0:
            raise self.fail(
                where,
                "prorates without a unit",
                "Give `unit_months` (say 3) and `hours_per_unit` (say 10).",
            )

    def build(self) -> Mandate:
        spec = self.spec
        cycles = {
            key: self.build_cycle(key, cycle) for key, cycle in spec.cycles.items()
        }
        for key, cycle in cycles.items():
            other = cycles.get(cycle.due_end_of_first_full)
            if cycle.due_end_of_first_full and (
                other is None or other.is_per_person or not other.months
            ):
                raise self.fail(
                    f"cycles > {key} > per_person > due_end_of_first_full",
                    f"names {cycle.due_end_of_first_full!r}, which is not a repeating "
                    "cycle of the same file",
                    f"Use one of: {', '.join(sorted(k for k, c in cycles.items() if c.months and not c.is_per_person))}.",
                )
        requirements = tuple(
            self.build_requirement(key, requirement, cycles)
            for key, requirement in spec.requirements.items()
        )
        self.check_sorted("carry_over", spec.carry_over)
        carry_over = tuple(
            self.build_carry_over(i, entry, requirements, cycles)
            for i, entry in enumerate(spec.carry_over)
        )
        self.check_sorted("new_licensee", spec.new_licensee)
        self.check_sorted("waivers", spec.waivers)
        self.check_status(requirements)
        uncertain = self.build_uncertain(spec.uncertain, requirements)
        return Mandate(
            id=spec.id,
            jurisdiction=spec.jurisdiction,
            title=spec.title,
            regulator=spec.regulator,
            is_verified=spec.status == "verified",
            last_checked=spec.last_checked,
            citation=self.file_citation or Citation(spec.title),
            applies_to=tuple(
                self.build_applicability(f"applies_to > {i}", a)
                for i, a in enumerate(spec.applies_to)
            ),
            cycles=cycles,
            requirements=requirements,
            new_licensee=tuple(
                self.build_new_licensee(i, entry)
                for i, entry in enumerate(spec.new_licensee)
            ),
            waivers=tuple(
                self.build_waiver_rule(i, entry, cycles)
                for i, entry in enumerate(spec.waivers)
            ),
            carry_over=carry_over,
            uncertain=uncertain,
            reporting=" ".join(spec.reporting.split()),
            consequence=" ".join(spec.consequence.split()),
            source=str(self.path),
        )

    def build_uncertain(
        self,
        entries: Sequence[str | schema.UncertainSpec],
        requirements: Sequence[Requirement],
    ) -> tuple[UncertainNote, ...]:
        """Each uncertain note, tied to the requirements (and values) it qualifies,
        or file-wide when it says so (or is a plain sentence)."""
        found = []
        for index, entry in enumerate(entries):
            if isinstance(entry, str):
                found.append(UncertainNote(" ".join(entry.split())))
                continue
            self.check_uncertain_ties(f"uncertain > {index}", entry, requirements)
            found.append(
                UncertainNote(
                    " ".join(entry.note.split()),
                    frozenset(entry.concerns),
                    frozenset(entry.values),
                )
            )
        return tuple(found)

    def check_uncertain_ties(
        self,
        where: str,
        entry: schema.UncertainSpec,
        requirements: Sequence[Requirement],
    ) -> None:
        """A note names existing requirements and values, or says it is file-wide."""
        if entry.file_wide == bool(entry.concerns):
            raise self.fail(
                where,
                "names requirements and says `file_wide: true`"
                if entry.file_wide
                else "is tied to nothing",
                "Give `concerns: [requirement ids]` for a note about some figures, or "
                "`file_wide: true` for one about the mandate as a whole, not both.",
            )
        if entry.values and entry.file_wide:
            raise self.fail(
                f"{where} > values",
                "names values of a file-wide note",
                "Name the requirements whose values it qualifies in `concerns`.",
            )
        by_id = {r.id: r for r in requirements}
        for name in entry.concerns:
            if name not in by_id:
                raise self.fail(
                    f"{where} > concerns",
                    f"names unknown requirement {name!r}",
                    f"Use requirement ids of this file: {', '.join(by_id)}.",
                )
            starts = [v.starts_on for v in by_id[name].values]
            for day in entry.values:
                if day not in starts:
                    raise self.fail(
                        f"{where} > values",
                        f"names {day}, when no value of requirement {name!r} starts",
                        f"Use the `from` of one of its values: "
                        f"{', '.join(str(s) for s in starts)}.",
                    )

    def check_status(self, requirements: Sequence[Requirement]) -> None:
        """A file cannot call itself verified while one of its figures is unconfirmed.

        How sure each figure is lives on its citation; `status` only summarises.
        """
        if self.spec.status != "verified":
            return
        for requirement in requirements:
            # A figure is a value with hours; `hours: null` (repealed, or not
            # found) asserts none, so it may cite an unconfirmed absence.
            citations = [
                v.citation for v in requirement.values if v.hours is not None
            ] + [
                v.citation
                for cap in requirement.caps
                for v in cap.values
                if v.hours is not None
            ]
            for citation in citations:
                if citation.confidence == "unconfirmed":
                    raise self.fail(
                        f"requirements > {requirement.id}",
                        f"rests on {citation.title!r}, marked `confidence: "
                        "unconfirmed`, but the file says `status: verified`",
                        "Set `status: unverified` (every evaluation then warns), or "
                        "confirm the figure and give its source.",
                    )

    def build_cycle(self, key: str, spec: schema.CycleSpec) -> Cycle:
        where = f"cycles > {key}"
        if spec.per_person is not None:
            return self.build_per_person_cycle(key, spec)
        repeating = spec.months is not None and spec.anchor is not None
        if repeating == (spec.once is not None):
            raise self.fail(
                where,
                "must be either repeating or one-time",
                "Give `months` and `anchor` (a first-of-month start of one period), "
                "or `once` with `from` and `due`, not both.",
            )
        if spec.anchor is not None and spec.anchor.day != 1:
            raise self.fail(
                f"{where} > anchor",
                f"is {spec.anchor}, not the first of a month",
                "Set the anchor to the first day of any one period.",
            )
        citation = self.citation(spec.reference) or self.file_citation
        if citation is None:
            raise self.fail(where, "has no reference", "Add `reference` to the cycle.")
        return Cycle(
            id=key,
            label=spec.label,
            citation=citation,
            months=spec.months or 0,
            anchor=spec.anchor,
            once_from=spec.once.from_ if spec.once else None,
            once_due=spec.once.due if spec.once else None,
            grace=self.build_graces(f"{where} > grace", spec.grace, citation),
            note=" ".join(spec.note.split()),
        )

    def build_per_person_cycle(self, key: str, spec: schema.CycleSpec) -> Cycle:
        """A cycle from each person's own date: repeating (`months`, optionally
        `anchor_month`) or one-time (`due_months` or `due_end_of_first_full`)."""
        where = f"cycles > {key} > per_person"
        own = spec.per_person
        assert own is not None
        if spec.anchor is not None or spec.once is not None:
            raise self.fail(
                where,
                "is given with `anchor` or `once`",
                "A per-person cycle takes its start from the person's date: drop "
                "`anchor` and `once`.",
            )
        if own.surname_groups:
            return self.build_surname_cycle(key, spec)
        if own.date is None:
            raise self.fail(
                where,
                "names neither `date` nor `surname_groups`",
                "Give `date` (licensed_on, appointed_on or returned_on), or "
                "`surname_groups` for a cycle staggered by surname.",
            )
        if own.before_first_note:
            raise self.fail(
                f"{where} > before_first_note",
                "is given on a cycle that runs from a person's date",
                "It says why the periods before a surname group's first are not "
                "known: give it only with `surname_groups`.",
            )
        if own.opens is not None and own.date != "returned_on":
            raise self.fail(
                f"{where} > opens",
                f"is given for a cycle counted from {own.date}",
                "A window that opens on the separation is due on the return: give "
                "`date: returned_on`.",
            )
        one_time = (
            bool(own.due_months)
            + bool(own.due_end_of_first_full)
            + (own.opens is not None)
        )
        if (spec.months is not None) == bool(one_time) or one_time > 1:
            raise self.fail(
                where,
                "must be either repeating or one-time",
                "Give `months` on the cycle (repeating, optionally `anchor_month`), "
                "or one of `due_months`, `due_end_of_first_full` and `opens` "
                "(one-time).",
            )
        if own.anchor_month and spec.months is None:
            raise self.fail(
                f"{where} > anchor_month",
                "is given for a one-time window",
                "`anchor_month` places repeating periods; drop it.",
            )
        citation = self.citation(spec.reference) or self.file_citation
        if citation is None:
            raise self.fail(where, "has no reference", "Add `reference` to the cycle.")
        if spec.grace and spec.months is None:
            raise self.fail(
                f"cycles > {key} > grace",
                "is given for a one-time window",
                "A make-up window follows the end of a repeating period: drop "
                "`grace`, or give `months`.",
            )
        return Cycle(
            id=key,
            label=spec.label,
            citation=citation,
            months=spec.months or 0,
            grace=self.build_graces(f"cycles > {key} > grace", spec.grace, citation),
            note=" ".join(spec.note.split()),
            person_date=own.date,
            anchor_month=own.anchor_month,
            due_months=own.due_months,
            due_end_of_first_full=own.due_end_of_first_full,
            opens_from=own.opens or "",
            date_label=" ".join(own.date_label.split()),
        )

    def build_surname_cycle(self, key: str, spec: schema.CycleSpec) -> Cycle:
        """A repeating cycle staggered by surname: each group of letters has its
        own first day, from which its periods of `months` (whole years) run."""
        where = f"cycles > {key} > per_person"
        own = spec.per_person
        assert own is not None
        if own.date is not None or own.anchor_month or own.due_months:
            raise self.fail(
                where,
                "gives `surname_groups` with `date`, `anchor_month` or `due_months`",
                "A cycle staggered by surname runs from each group's `starts_on`: "
                "drop the others.",
            )
        if own.due_end_of_first_full or own.opens is not None:
            raise self.fail(
                where,
                "gives `surname_groups` with a one-time window",
                "Drop `due_end_of_first_full` and `opens`.",
            )
        if spec.months is None or spec.months % 12:
            raise self.fail(
                f"cycles > {key} > months",
                f"is {spec.months}, not a whole number of years",
                "A surname group's periods start on its own day of the year: give "
                "`months` as 12, 24, 36, ...",
            )
        citation = self.citation(spec.reference) or self.file_citation
        if citation is None:
            raise self.fail(where, "has no reference", "Add `reference` to the cycle.")
        taken: dict[str, str] = {}
        groups = []
        for i, group in enumerate(own.surname_groups):
            at_ = f"{where} > surname_groups > {i}"
            first, last = group.letters.split("-")
            if first > last:
                raise self.fail(
                    f"{at_} > letters",
                    f"is {group.letters}, which runs backwards",
                    "Give the first letter, then the last (A-G).",
                )
            for letter in map(chr, range(ord(first), ord(last) + 1)):
                if letter in taken:
                    raise self.fail(
                        f"{at_} > letters",
                        f"{group.letters} repeats {letter}, already in {taken[letter]}",
                        "Give each letter to one group.",
                    )
                taken[letter] = group.letters
            if (group.starts_on.month, group.starts_on.day) == (2, 29):
                raise self.fail(
                    f"{at_} > starts_on",
                    "is 29 February, which most years do not have",
                    "Give the day the group's periods start in every year.",
                )
            group_citation = self.citation(group.reference)
            groups.append(
                SurnameGroup(
                    first,
                    last,
                    group.starts_on,
                    group_citation,
                    " ".join(group.note.split()),
                    self.build_graces(f"{at_} > grace", group.grace, group_citation),
                )
            )
        return Cycle(
            id=key,
            label=spec.label,
            citation=citation,
            months=spec.months,
            grace=self.build_graces(f"cycles > {key} > grace", spec.grace, citation),
            note=" ".join(spec.note.split()),
            person_date=SURNAME,
            date_label=" ".join(own.date_label.split()),
            surname_groups=tuple(groups),
            before_first=" ".join(own.before_first_note.split()),
        )

    def build_graces(
        self, where: str, specs: Sequence[schema.GraceSpec], fallback: Citation
    ) -> tuple[GraceRule, ...]:
        """A cycle's (or a surname group's) dated make-up windows, in order."""
        self.check_sorted(where, specs)
        return tuple(
            self.build_grace(f"{where} > {i}", g, fallback) for i, g in enumerate(specs)
        )

    def build_grace(
        self, where: str, spec: schema.GraceSpec, fallback: Citation
    ) -> GraceRule:
        month, day = (int(part) for part in spec.until.split("-"))
        try:
            date(2001, month, day)
        except ValueError:
            raise self.fail(
                f"{where} > until",
                f"is {spec.until!r}, not a day of the year",
                'Write it as MM-DD, for example "03-15".',
            ) from None
        return GraceRule(spec.from_, month, day, self.cite(where, spec, fallback))

    def build_carry_over(
        self,
        index: int,
        spec: schema.CarryOverSpec,
        requirements: Sequence[Requirement],
        cycles: dict[str, Cycle],
    ) -> CarryOverRule:
        """Carry-over names hours requirements of repeating cycles, if any."""
        where = f"carry_over > {index}"
        by_id = {r.id: r for r in requirements}
        for key in spec.requirements:
            found = by_id.get(key)
            if found is None or found.kind != "hours":
                raise self.fail(
                    f"{where} > requirements",
                    f"names {key!r}, which is not an hours requirement of this file",
                    "Name hours requirements, or leave the list out for all of them.",
                )
            if cycles[found.cycle].once_from is not None:
                raise self.fail(
                    f"{where} > requirements",
                    f"names {key!r}, counted over a one-time window",
                    "Hours carry over from one period to the next: name a "
                    "requirement of a repeating cycle.",
                )
        return CarryOverRule(
            spec.from_,
            spec.hours,
            self.cite(where, spec, None),
            frozenset(spec.requirements),
        )

    def build_new_licensee(
        self, index: int, spec: schema.NewLicenseeSpec
    ) -> NewLicenseeRule:
        where = f"new_licensee > {index}"
        if spec.rule == "prorate":
            self.check_prorate_unit(where, spec)
        return NewLicenseeRule(
            spec.from_,
            spec.rule,
            self.cite(where, spec, None),
            spec.unit_months,
            spec.hours_per_unit,
        )

    def build_waiver_rule(
        self, index: int, spec: schema.WaiverRuleSpec, cycles: dict[str, Cycle]
    ) -> WaiverRule:
        where = f"waivers > {index}"
        if spec.rule == "prorate":
            self.check_prorate_unit(where, spec)
            uneven = [
                c.id
                for c in cycles.values()
                if c.months and c.months % spec.unit_months
            ]
            if uneven:
                raise self.fail(
                    f"{where} > unit_months",
                    f"does not divide the {', '.join(uneven)} cycle into whole blocks",
                    "Choose a unit that divides every repeating cycle's months.",
                )
        return WaiverRule(
            spec.from_,
            spec.rule,
            self.cite(where, spec, None),
            spec.unit_months,
            spec.hours_per_unit,
        )

    def build_applicability(
        self, where: str, spec: schema.ApplicabilitySpec
    ) -> Applicability:
        vocabulary = self.vocabulary
        self.check_words(
            f"{where} > disciplines",
            spec.disciplines,
            vocabulary.disciplines,
            "discipline",
        )
        for key in ("attributes", "without_attributes"):
            self.check_words(
                f"{where} > {key}",
                getattr(spec, key),
                vocabulary.attributes,
                "attribute",
            )
        return Applicability(
            frozenset(spec.disciplines),
            frozenset(spec.attributes),
            frozenset(spec.without_attributes),
        )

    def build_counts(self, where: str, spec: schema.CountsSpec) -> CountRule:
        vocabulary = self.vocabulary
        self.check_words(f"{where} > areas", spec.areas, vocabulary.areas, "area")
        self.check_words(f"{where} > topics", spec.topics, vocabulary.topics, "topic")
        self.check_words(
            f"{where} > delivery", spec.delivery, vocabulary.deliveries, "delivery"
        )
        self.check_words(
            f"{where} > providers", spec.providers, vocabulary.providers, "provider"
        )
        return CountRule(
            frozenset(spec.areas),
            frozenset(spec.topics),
            frozenset(spec.delivery),
            frozenset(spec.providers),
            spec.min_hours,
        )

    def build_requirement(
        self, key: str, spec: schema.RequirementSpec, cycles: dict[str, Cycle]
    ) -> Requirement:
        where = f"requirements > {key}"
        if spec.cycle not in cycles:
            raise self.fail(
                f"{where} > cycle",
                f"names cycle {spec.cycle!r}, which is not defined",
                f"Use one of: {', '.join(sorted(cycles))}.",
            )
        self.check_sorted(f"{where} > values", spec.values)
        fallback = self.citation(spec.reference)
        values = tuple(
            self.build_value(f"{where} > values > {i}", value, fallback)
            for i, value in enumerate(spec.values)
        )
        if spec.kind != "hours" and any(v.hours not in (None, 1) for v in values):
            raise self.fail(
                f"{where} > values",
                f"asks for a number of {spec.kind}s other than 1",
                "A qualification or completion requirement has `hours: 1` (met once) "
                "or `hours: null` (repealed).",
            )
        caps = tuple(
            self.build_cap(f"{where} > caps > {i}", cap, fallback)
            for i, cap in enumerate(spec.caps)
        )
        return Requirement(
            id=key,
            label=spec.label,
            cycle=spec.cycle,
            kind=spec.kind,
            counts=self.build_counts(f"{where} > counts", spec.counts),
            values=values,
            applies_to=tuple(
                self.build_applicability(f"{where} > applies_to > {i}", a)
                for i, a in enumerate(spec.applies_to)
            ),
            caps=caps,
            is_waivable=spec.waivable,
            shortfalls=self.build_shortfalls(where, spec, fallback),
            consequences=self.build_consequences(where, spec, fallback),
            satisfied_by=tuple(
                self.build_alternative(f"{where} > satisfied_by > {i}", a, fallback)
                for i, a in enumerate(spec.satisfied_by)
            ),
            after_break=self.build_break(where, spec, cycles[spec.cycle]),
        )

    def build_alternative(
        self, where: str, spec: schema.AlternativeSpec, fallback: Citation | None
    ) -> Alternative:
        counts = self.build_counts(f"{where} > counts", spec.counts)
        if counts == CountRule():
            raise self.fail(
                f"{where} > counts",
                "is empty, so any line on the subject would satisfy the whole "
                "requirement",
                "Name the course's or test's topic (say `topics: [test-out]`).",
            )
        return Alternative(
            spec.from_,
            spec.label,
            spec.kind,
            counts,
            self.cite(where, spec, fallback),
            " ".join(spec.note.split()),
        )

    def build_break(
        self, where: str, spec: schema.RequirementSpec, cycle: Cycle
    ) -> BreakRule | None:
        """A reactivation requirement counts from the return to service."""
        found = spec.after_break
        if found is None:
            return None
        where = f"{where} > after_break"
        if cycle.person_date != "returned_on":
            raise self.fail(
                where,
                f"is given for a requirement counted over cycle {cycle.id!r}",
                "A requirement owed after a break in service counts from the return: "
                "give its cycle `per_person: {date: returned_on, due_months: N}` "
                "(or `opens: separated_on`, due on the return).",
            )
        lower = max(found.more_than_months, found.at_least_months)
        upper = found.less_than_months or found.at_most_months
        if (
            not (lower or upper)
            or (found.more_than_months and found.at_least_months)
            or (found.less_than_months and found.at_most_months)
            or (found.less_than_months and found.less_than_months <= lower)
            or (found.at_most_months and found.at_most_months < lower)
            or (found.at_most_months and found.at_most_months == found.more_than_months)
        ):
            raise self.fail(
                where,
                "does not give a length of break",
                "Give `more_than_months` or `at_least_months` (not both), and "
                "optionally a larger `less_than_months` or `at_most_months` (not "
                "both).",
            )
        return BreakRule(
            found.more_than_months,
            found.at_least_months,
            found.less_than_months,
            found.at_most_months,
        )

    def build_shortfalls(
        self, where: str, spec: schema.RequirementSpec, fallback: Citation | None
    ) -> tuple[ShortfallRule, ...]:
        where = f"{where} > tolerated_shortfall"
        self.check_sorted(where, spec.tolerated_shortfall)
        if spec.tolerated_shortfall and spec.kind != "hours":
            raise self.fail(
                where,
                f"is given for a {spec.kind} requirement",
                "A shortfall is a share of hours: give it to an hours requirement.",
            )
        return tuple(
            ShortfallRule(
                entry.from_,
                entry.share,
                self.cite(f"{where} > {i}", entry, fallback),
                " ".join(entry.note.split()),
            )
            for i, entry in enumerate(spec.tolerated_shortfall)
        )

    def build_consequences(
        self, where: str, spec: schema.RequirementSpec, fallback: Citation | None
    ) -> tuple[ConsequenceRule, ...]:
        where = f"{where} > consequences"
        entries = sorted(spec.consequences, key=lambda e: (e.from_, e.misses))
        if entries != list(spec.consequences):
            raise self.fail(
                where,
                "has entries out of order",
                "List them by `from`, then by `misses` (1 before 2).",
            )
        return tuple(
            ConsequenceRule(
                entry.from_,
                entry.misses,
                " ".join(entry.consequence.split()),
                self.cite(f"{where} > {i}", entry, fallback),
            )
            for i, entry in enumerate(spec.consequences)
        )

    def build_value(
        self, where: str, spec: schema.ValueSpec, fallback: Citation | None
    ) -> RequirementValue:
        tiers = tuple(
            sorted(
                (Tier(t.from_years, t.hours) for t in spec.tiers),
                key=lambda tier: tier.from_years,
            )
        )
        if tiers and tiers[0].from_years != 0:
            raise self.fail(
                f"{where} > tiers",
                "does not start at 0 years of service",
                "Add a tier with `from_years: 0` so that every person owes something.",
            )
        roles = self.vocabulary.disciplines | self.vocabulary.attributes
        self.check_words(f"{where} > by_role", spec.by_role, roles, "role")
        if spec.hours is None and (spec.by_role or tiers):
            raise self.fail(
                where,
                "repeals the requirement but still lists roles or tiers",
                "A repeal is `hours: null` alone.",
            )
        return RequirementValue(
            starts_on=spec.from_,
            hours=spec.hours,
            citation=self.cite(where, spec, fallback),
            by_role=tuple((role, Decimal(h)) for role, h in spec.by_role.items()),
            tiers=tiers,
            note=" ".join(spec.note.split()),
            applies_within=spec.applies_within,
        )

    def build_cap(
        self, where: str, spec: schema.CapSpec, fallback: Citation | None
    ) -> Cap:
        self.check_sorted(f"{where} > values", spec.values)
        return Cap(
            counts=self.build_counts(f"{where} > counts", spec.counts),
            label=spec.label,
            values=tuple(
                CapValue(
                    v.from_,
                    v.hours,
                    self.cite(f"{where} > values > {i}", v, fallback),
                    " ".join(v.note.split()),
                    v.applies_within,
                )
                for i, v in enumerate(spec.values)
            ),
        )


def stale_mandates(library: Library, today: date, days: int = 365) -> list[Mandate]:
    """Mandates whose source was last checked more than `days` before `today`."""
    return [
        mandate
        for jurisdiction in library.jurisdictions.values()
        for mandate in jurisdiction.mandates
        if (today - mandate.last_checked).days > days
    ]

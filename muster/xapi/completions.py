"""Completion statements become training records, through the one recording action.

A statement means completion when its verb is `completed` or `passed` with a
duration in the result, or cmi5's `satisfied`. Its activity must be mapped, once,
by a coordinator, to a course (its state approval gives the hours) or to hours,
area and topics; until then the completion waits, listed on the agency's xAPI
page. The statement itself is kept as the record's evidence file.
"""

from __future__ import annotations

import json
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from muster.agencies.actions import DuplicateTraining, record_training
from muster.agencies.choices import Delivery, RecordSource, Result
from muster.agencies.models import Employment, Person
from muster.xapi.identity import normal_mbox
from muster.xapi.models import ActivityMapping, Completion, Statement
from muster.xapi.validation import Invalid, parse_timestamp

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
PASSED = "http://adlnet.gov/expapi/verbs/passed"
SATISFIED = "https://w3id.org/xapi/adl/verbs/satisfied"


def means_completion(data: dict) -> bool:
    verb = data["verb"]["id"]
    target = data["object"]
    if target.get("objectType", "Activity") != "Activity":
        return False
    if verb == SATISFIED:
        return True
    return verb in (COMPLETED, PASSED) and "duration" in data.get("result", {})


def record_completions(rows: list[Statement]) -> None:
    """Note each completion among `rows` and record those already mapped."""
    for row in rows:
        if not means_completion(row.data):
            continue
        mapping = _mapping_for(row)
        completion = Completion.objects.create(statement=row, mapping=mapping)
        if mapping.is_mapped:
            record_completion(completion)


def _mapping_for(row: Statement) -> ActivityMapping:
    target = row.data["object"]
    mapping = ActivityMapping.objects.filter(
        agency=row.agency, activity_id=target["id"]
    ).first()
    if mapping is None:
        names = target.get("definition", {}).get("name", {})
        name = names.get("en-US") or names.get("en") or next(iter(names.values()), "")
        mapping = ActivityMapping.objects.create(
            agency=row.agency, activity_id=target["id"], name=name[:200]
        )
    return mapping


def record_completion(completion: Completion) -> None:
    """Make the training record of one completion, or note why there is none."""
    statement = completion.statement
    mapping = completion.mapping
    person = find_person(statement)
    if person is None:
        completion.problem = (
            "No officer currently at the agency has this actor's email or badge "
            "number (account name)."
        )
        completion.save(update_fields=["problem"])
        return
    try:
        with transaction.atomic():
            record = record_training(
                actor=mapping.mapped_by,
                person=person,
                agency=statement.agency,
                fields=_fields(statement, mapping),
                lines=_lines(person, mapping),
                files=[_evidence(statement)],
                evidence_description=f"xAPI statement {statement.statement_id}",
                source=RecordSource.XAPI,
                reason=f"xAPI statement {statement.statement_id}",
            )
            completion.record = record
            completion.problem = ""
            completion.save(update_fields=["record", "problem"])
    except (DuplicateTraining, ValidationError, ValueError, Invalid) as problem:
        completion.problem = str(problem)[:300]
        completion.save(update_fields=["problem"])


def find_person(statement: Statement) -> Person | None:
    """The officer the actor names: by mbox email, or account name = badge number,
    among the agency's current staff."""
    actor = statement.data["actor"]
    staff = Person.objects.filter(
        pk__in=Employment.objects.current()
        .filter(agency=statement.agency)
        .values("person")
    )
    if "mbox" in actor:
        email = normal_mbox(actor["mbox"]).removeprefix("mailto:")
        return staff.filter(email__iexact=email).first()
    if "account" in actor:
        return staff.filter(external_id=actor["account"]["name"]).first()
    return None


def _completed_on(statement: Statement) -> date:
    moment = parse_timestamp(statement.data["timestamp"], "timestamp")
    return moment.date()


def _fields(statement: Statement, mapping: ActivityMapping) -> dict:
    fields = {
        "title": (mapping.course.title if mapping.course else mapping.name)
        or mapping.activity_id[:200],
        "completed_on": _completed_on(statement),
        "provider_name": (
            mapping.course.provider.name
            if mapping.course
            else (statement.client.name if statement.client else "")
        ),
        "delivery": Delivery.ONLINE,
    }
    if statement.data.get("result", {}).get("success") is True:
        fields["result"] = Result.PASS
    return fields


def _lines(person: Person, mapping: ActivityMapping) -> list[dict]:
    if mapping.course is None:
        return [
            {"hours": mapping.hours, "area": mapping.area, "topics": mapping.topics}
        ]
    from muster.learning.actions import approved_jurisdiction

    approval = approved_jurisdiction(person, mapping.course)
    if approval is None:
        raise ValueError(
            f"{mapping.course} is not approved in any state where {person} is licensed."
        )
    return [
        {"hours": credit.hours, "area": credit.area, "topics": credit.topics}
        for credit in approval.credits.all()
    ]


def _evidence(statement: Statement) -> ContentFile:
    text = json.dumps(statement.data, indent=2, sort_keys=True)
    return ContentFile(text.encode(), name=f"xapi-{statement.statement_id}.json")

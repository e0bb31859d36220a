"""A course's roster from the platform (Names and Role Provisioning 2.0) into the
platform's agency, under the rules of a roster import (muster/transfers/roster.py).

A member is matched first by the platform account already linked, then by email
among the agency's own staff only. Someone another agency employs is never linked,
moved or changed: the plan says only that the account is held elsewhere, in the
roster import's words, and names nobody the platform did not name. Only the
platform's own agency is ever touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from muster.agencies.compliance.standings import refresh_standings
from muster.agencies.models import Employment, Person
from muster.audit.choices import Action
from muster.audit.log import Event, record_events
from muster.lti import claims
from muster.lti.models import Identity, ResourceLink

HELD_ELSEWHERE = "held elsewhere: not linked; ask for a transfer (docs/transfers.md)"
SHARED_EMAIL = "several of the agency's people have this email: not linked"
NO_LICENSE = (
    "added without a license: a roster import row with this email adds it (or "
    "add it on the person page) to earn credit"
)
ACTIVE = ("Active", None)


@dataclass
class MemberPlan:
    """What a sync does with one member of the platform's course."""

    action: str  # "link", "create", "unchanged", "held elsewhere", "skip"
    label: str
    subject: str
    note: str = ""
    person_id: int | None = None
    member: dict = field(default_factory=dict)


def plan_sync(link: ResourceLink, members: list[dict]) -> list[MemberPlan]:
    """What syncing these members into the link's agency would do; writes nothing."""
    agency_id = link.platform.agency_id
    staff = set(
        Employment.objects.current()
        .filter(agency_id=agency_id)
        .values_list("person_id", flat=True)
    )
    linked = dict(
        Identity.objects.filter(platform=link.platform).values_list(
            "subject", "person_id"
        )
    )
    return [_plan_member(m, staff, linked) for m in members]


def _label(member: dict) -> str:
    """Only what the platform sent: its name for the member, else its user id."""
    name = member.get("name") or " ".join(
        x for x in (member.get("given_name"), member.get("family_name")) if x
    )
    return name or f"user {member.get('user_id')}"


def _plan_member(member: dict, staff: set[int], linked: dict) -> MemberPlan:
    subject = str(member.get("user_id") or "")
    label = _label(member)
    if not subject:
        return MemberPlan("skip", label, subject, "no user_id")
    if member.get("status") not in ACTIVE or not claims.is_learner(
        member.get("roles", [])
    ):
        return MemberPlan(
            "skip", label, subject, "not an active learner", member=member
        )
    if subject in linked:
        known = linked[subject]
        if known in staff:
            return MemberPlan("unchanged", label, subject, person_id=known)
        return MemberPlan("held elsewhere", label, subject, HELD_ELSEWHERE)
    email = (member.get("email") or "").strip()
    if email:
        matches = list(
            Person.objects.filter(email__iexact=email).values_list("pk", flat=True)
        )
        ours = [pk for pk in matches if pk in staff]
        if len(ours) == 1:
            return MemberPlan("link", label, subject, person_id=ours[0], member=member)
        if ours:
            return MemberPlan("skip", label, subject, SHARED_EMAIL)
        if matches:
            return MemberPlan("held elsewhere", label, subject, HELD_ELSEWHERE)
    return MemberPlan("create", label, subject, NO_LICENSE, member=member)


def apply_sync(
    link: ResourceLink, members: list[dict], *, discipline: str, actor, request=None
) -> dict[str, int]:
    """Plan again inside the transaction (so it acts on what is true now), then
    link and add people; counts by action."""
    with transaction.atomic():
        # One sync at a time per platform: the second waits and sees the first's
        # links; and none while a roster import of the agency is confirmed (it
        # locks the agency too), which could match by email whom this adds.
        platform = (
            type(link.platform).objects.select_for_update().get(pk=link.platform_id)
        )
        type(platform.agency).objects.select_for_update().only("pk").get(
            pk=platform.agency_id
        )
        plans = plan_sync(link, members)
        events = _link(link, [p for p in plans if p.action == "link"], actor, request)
        new = [p for p in plans if p.action == "create"]
        events += _create(link, new, discipline, actor, request)
        record_events(events)
        refresh_standings({p.person_id for p in plans if p.person_id})
    counts: dict[str, int] = {}
    for plan in plans:
        counts[plan.action] = counts.get(plan.action, 0) + 1
    return counts


def _identity_event(identity: Identity, actor, request, reason: str) -> Event:
    return Event(
        Action.LTI_IDENTITY_LINK,
        actor=actor,
        obj=identity,
        agency_id=identity.platform.agency_id,
        reason=reason,
        request=request,
        after={"subject": identity.subject, "person": identity.person_id},
        label=f"{identity.person}: {identity.platform.name}",
    )


def _link(link, plans, actor, request) -> list[Event]:
    events = []
    for plan in plans:
        identity = Identity.objects.create(
            platform=link.platform, subject=plan.subject, person_id=plan.person_id
        )
        events.append(_identity_event(identity, actor, request, "Matched by email"))
    return events


def _create(link, plans, discipline, actor, request) -> list[Event]:
    agency = link.platform.agency
    events = []
    today = timezone.localdate()
    for plan in plans:
        m = plan.member
        person = Person.objects.create(
            first_name=(m.get("given_name") or plan.label.split(" ")[0])[:100],
            last_name=(m.get("family_name") or plan.label.split(" ")[-1])[:100],
            email=(m.get("email") or "")[:254],
            discipline=discipline,
        )
        job = Employment.objects.create(person=person, agency=agency, starts_on=today)
        identity = Identity.objects.create(
            platform=link.platform, subject=plan.subject, person=person
        )
        plan.person_id = person.pk
        reason = f"Course roster from {link.platform.name}"
        for action, obj in (
            (Action.PERSON_CREATE, person),
            (Action.EMPLOYMENT_CREATE, job),
        ):
            events.append(
                Event(action, actor=actor, obj=obj, agency_id=agency.pk, reason=reason,
                      request=request, label=str(person))
            )  # fmt: skip
        events.append(_identity_event(identity, actor, request, reason))
    return events

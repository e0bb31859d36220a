"""Who may see and change what: the one place where access is decided.

Every view and API endpoint gets its rows through these functions, never through
`Model.objects` directly, so an agency's data cannot leak through a forgotten
filter. The rules (also in docs/security.md, "Roles"):

- A platform administrator sees everything.
- Coordinators and agency heads see their agencies' people: those employed there
  today, and former staff only through the records their agency entered itself.
  A person's records follow them: a current employer sees all of them, whoever
  entered them, because compliance counts every hour across employers. A former
  employer learns nothing of the person's later career: not their later jobs,
  nor the dates of their own on the license (`follows_today`), nor anything
  worked out from the records it cannot read: the person's standing, plan and
  totals are for those who follow the person today (`sees_standing`); the plan
  page and the API's standings of the person answer a former employer 404.
- A state auditor reads what the agencies of their state read, and the state's
  own pages (docs/state.md); never writes agency data. The one thing they write
  is a draft of their state's rules for a what-if (docs/plans.md), which changes
  no record and no rule.
- An officer sees their own person, records, qualifications and exemptions.
- Only a coordinator of the agency that entered a record or a qualification may
  correct or void it, and only a coordinator of a current employer may add
  records for a person.
- A person's name, email, badge number, discipline and licenses are shared by
  every agency employing them: while a second agency employs the person too, no
  coordinator changes them, by the person form or a roster import
  (`kept_fields`); each agency changes only its own job there.
- The audit trail is read by platform administrators (all of it), state
  auditors (entries about the agencies of their state), and coordinators and
  heads (entries about their own agencies); by nobody else.
- A transfer request (docs/transfers.md) is read by the requesting agency (it
  holds only what that agency typed), the releasing agency and the officer. The
  releasing agency's coordinators and heads approve or decline it, the officer
  accepts or declines it, a coordinator of the requesting agency withdraws it,
  and a platform administrator may decide any (the only one who can for an
  officer with no employer and no sign-in).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from muster.accounts.choices import Role
from muster.agencies.choices import Approval, State
from muster.agencies.models import (
    Agency,
    Employment,
    Exemption,
    Person,
    Qualification,
    TrainingRecord,
)
from muster.audit.models import AuditEntry
from muster.learning.models import Attempt, Certificate, Enrollment
from muster.plans.models import MandateDraft, WhatIfRun
from muster.transfers.models import (
    ExportJob,
    ImportBatch,
    TransferRequest,
    TransferStatus,
)

READERS = (Role.COORDINATOR, Role.AGENCY_HEAD)
WRITERS = (Role.COORDINATOR,)
# Who reads their own agencies' audit trail (state auditors read their states').
AUDIT_READERS = (Role.COORDINATOR, Role.AGENCY_HEAD)


def _grants(user) -> list:
    """The user's active grants, read once per request and kept on the user."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_active_grants", None)
    if cached is None:
        cached = list(user.active_grants())
        user._active_grants = cached
    return cached


def is_platform_admin(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or any(
        g.role == Role.PLATFORM_ADMIN for g in _grants(user)
    )


def agency_ids(user, roles: Iterable[str]) -> set[int]:
    """Agencies where the user holds one of `roles` (not counting auditors)."""
    wanted = set(roles)
    return {g.agency_id for g in _grants(user) if g.role in wanted and g.agency_id}


def auditor_states(user) -> set[str]:
    return {g.state for g in _grants(user) if g.role == Role.STATE_AUDITOR}


def readable_agencies(user) -> QuerySet[Agency]:
    """Agencies whose people and records the user may read."""
    if is_platform_admin(user):
        return Agency.objects.all()
    return Agency.objects.filter(
        Q(pk__in=agency_ids(user, READERS)) | Q(state__in=auditor_states(user))
    )


def writable_agencies(user) -> QuerySet[Agency]:
    """Agencies for which the user may enter and correct training."""
    if is_platform_admin(user):
        return Agency.objects.all()
    return Agency.objects.filter(pk__in=agency_ids(user, WRITERS))


def _current_staff_of(agencies: QuerySet[Agency]) -> QuerySet[Employment]:
    return Employment.objects.current().filter(agency__in=agencies)


def people(user) -> QuerySet[Person]:
    """People the user may see."""
    if is_platform_admin(user):
        return Person.objects.all()
    agencies = readable_agencies(user)
    own = getattr(user, "person_id", None)
    return Person.objects.filter(
        Q(pk__in=_current_staff_of(agencies).values("person"))
        | Q(pk__in=TrainingRecord.objects.filter(agency__in=agencies).values("person"))
        | Q(pk=own)
    ).distinct()


def managed_people(user) -> QuerySet[Person]:
    """People for whom the user may add training: current staff of their agencies."""
    if is_platform_admin(user):
        return Person.objects.all()
    staff = _current_staff_of(writable_agencies(user))
    return Person.objects.filter(pk__in=staff.values("person"))


def records(user) -> QuerySet[TrainingRecord]:
    """Training records the user may read."""
    return _about_visible_people(TrainingRecord.objects.all(), user)


def editable_records(user) -> QuerySet[TrainingRecord]:
    """Records the user may correct or void: those their agency entered."""
    if is_platform_admin(user):
        return TrainingRecord.objects.all()
    return TrainingRecord.objects.filter(agency__in=writable_agencies(user))


def qualifications(user) -> QuerySet[Qualification]:
    """Firearms qualifications the user may read."""
    return _about_visible_people(Qualification.objects.all(), user)


def editable_qualifications(user) -> QuerySet[Qualification]:
    """Qualifications the user may correct or void: those their agency entered."""
    if is_platform_admin(user):
        return Qualification.objects.all()
    return Qualification.objects.filter(agency__in=writable_agencies(user))


def exemptions(user) -> QuerySet[Exemption]:
    """Waivers and extensions the user may read."""
    return _about_visible_people(Exemption.objects.all(), user)


def decidable_exemptions(user) -> QuerySet[Exemption]:
    """Proposed exemptions the user may approve or reject: those of the agencies
    they head (a coordinator proposes; only the head decides, see `is_head`)."""
    pending = exemptions(user).filter(approval=Approval.PENDING)
    if is_platform_admin(user):
        return pending
    return pending.filter(agency_id__in=agency_ids(user, [Role.AGENCY_HEAD]))


def decidable_exemption_locked(user, pk: int) -> Exemption:
    """The pending exemption `pk` the user decides, row-locked for the decision;
    Exemption.DoesNotExist otherwise. Locked through a subquery: the access
    queryset may be DISTINCT, which PostgreSQL does not lock."""
    return (
        Exemption.objects.select_for_update(of=("self",))
        .select_related("agency")
        .filter(pk__in=decidable_exemptions(user).values("pk"))
        .get(pk=pk)
    )


def _about_visible_people(rows: QuerySet, user) -> QuerySet:
    """Rows about a person (with an entering `agency`) that the user may read.

    A current employer reads everything about its staff, whoever entered it; an
    agency keeps reading what it entered itself; an officer reads their own.
    """
    if is_platform_admin(user):
        return rows
    agencies = readable_agencies(user)
    own = getattr(user, "person_id", None)
    return rows.filter(
        Q(person__in=_current_staff_of(agencies).values("person"))
        | Q(agency__in=agencies)
        | Q(person=own)
    ).distinct()


def get_agency(user, code: str, roles: Iterable[str] = READERS) -> Agency:
    """The agency named `code` if the user holds one of `roles` there, else 404.

    State auditors may read (the default `roles`) the agencies of their state, but
    never pass a check for any other set of roles, such as WRITERS. A 404 (not 403) keeps other agencies' existence private.
    """
    wanted = set(roles)
    if is_platform_admin(user):
        return _agency_or_404(Agency.objects.all(), code)
    allowed = Agency.objects.filter(pk__in=agency_ids(user, wanted))
    if wanted == set(READERS):
        allowed = allowed | Agency.objects.filter(state__in=auditor_states(user))
    return _agency_or_404(allowed, code)


def _agency_or_404(agencies: QuerySet[Agency], code: str) -> Agency:
    try:
        return agencies.get(code=code)
    except Agency.DoesNotExist:
        raise Http404("No such agency.") from None


def writable_agency(user, code: str) -> Agency:
    """The agency named `code` if the user may enter training there (a coordinator
    of it, or a platform administrator), else 404. State auditors never pass: they
    read only (see `get_agency`)."""
    return get_agency(user, code, WRITERS)


def can_write_at(user, agency: Agency) -> bool:
    """Whether the user may enter and correct training for `agency`: the same
    test as `writable_agencies`, from the grants read once per request."""
    return is_platform_admin(user) or agency.pk in agency_ids(user, WRITERS)


def is_head(user, agency: Agency) -> bool:
    """Whether the user decides `agency`'s waivers and extensions: its head (or a
    platform administrator). A coordinator proposes; only the head decides."""
    return is_platform_admin(user) or agency.pk in agency_ids(user, [Role.AGENCY_HEAD])


def readable_person(user, pk: int, *, prefetch: Iterable[str] = ()) -> Person:
    """The person `pk` if the user may see them, else 404."""
    return _one_or_404(people(user).prefetch_related(*prefetch), pk, "person")


def reads_every_record(
    user, person: Person, readable: int | None = None, *, follows: bool | None = None
) -> bool:
    """Whether the user is shown what counts every record of `person`: their
    standings, their plan and their totals (`sees_standing`).

    `readable` is how many records the caller already read through
    `records(user)`, and `follows` what `follows_today(user, person)` answered
    in the same request, to save asking again.
    """
    return sees_standing(user, person, readable, follows=follows)


def sees_standing(
    user, person: Person, readable: int | None = None, *, follows: bool | None = None
) -> bool:
    """Whether the user sees the person's standing today and what is worked out
    from it (their plan, their totals, what a course would add).

    A standing counts every record, whoever entered it, and the person's licenses
    and exemptions as they are today, so it is shown only to those who follow the
    person today (`follows_today`: the person themself, the coordinators and
    heads of a current employer, the auditors of a current employer's state,
    platform administrators), who read each record. A former employer (or the
    auditor of a state the person left) reads the records it entered and
    nothing worked out from the rest, even when it entered every record: a
    standing would tell of the person's later licenses, exemptions and years.
    """
    if is_platform_admin(user):
        return True
    if follows is None:
        follows = follows_today(user, person)
    if not follows:
        return False
    if readable is None:
        readable = records(user).filter(person=person).count()
    return readable == TrainingRecord.objects.filter(person=person).count()


def followed_person(user, pk: int, *, prefetch: Iterable[str] = ()) -> Person:
    """The person `pk` if the user sees their standing and plan (`sees_standing`),
    else 404: the plan page and the API's standings of one person. A former
    employer, who still reads the person, is told no more than that the page does
    not exist."""
    person = readable_person(user, pk, prefetch=prefetch)
    if not sees_standing(user, person):
        raise Http404("No such person.")
    return person


def staff(user, agency: Agency) -> QuerySet[Person]:
    """People working at `agency` today for whom the user may add training."""
    working = _current_staff_of(Agency.objects.filter(pk=agency.pk))
    return managed_people(user).filter(pk__in=working.values("person"))


def staff_member(user, agency: Agency, pk: int) -> Person:
    """A person working at `agency` today whom the user manages, else 404."""
    return _one_or_404(staff(user, agency), pk, "person")


def recordable_person(user, pk: int) -> Person:
    """A person the user may type training for: one they manage, or themselves
    (an officer reporting their own), else 404."""
    own = Person.objects.filter(pk=getattr(user, "person_id", None))
    recordable = managed_people(user) | own
    return _one_or_404(recordable.prefetch_related("licenses"), pk, "person")


def employment_at(user, person: Person, agency: Agency) -> Employment:
    """The person's current job at `agency`, which the user may change, else 404."""
    jobs = _current_staff_of(writable_agencies(user)).filter(agency=agency)
    return _one_or_404(jobs.filter(person=person), None, "job")


# A person's own details and their licenses are one record, relied on by every
# agency that employs them (a reserve post, a part-time job): while another
# agency employs the person too, no agency changes them, neither through the
# person form nor through a roster import; only its own job stays the agency's
# to change (docs/transfers.md, "People two agencies employ"). A platform
# administrator, who acts for the state across agencies, still may.
SHARED_FIELDS = {
    "person": ("first_name", "last_name", "external_id", "email", "discipline"),
    "license": (
        "number",
        "discipline",
        "license_class",
        "licensed_on",
        "status",
        "attributes",
        "appointed_on",
        "separated_on",
        "returned_on",
        "earlier_breaks",
    ),
}
NOTHING_KEPT = {"person": (), "license": ()}
# The words both write paths give: nothing about which agency, or its job.
SHARED_REASON = "another agency employs this person too"


def shared_details_kept(user, agency: Agency, person_ids: Iterable[int]) -> set[int]:
    """Of `person_ids`, the people whose shared details (`SHARED_FIELDS`) the
    user may not change for `agency`: those another agency employs too, today or
    from a later day (a hire not yet begun counts, as on a roster). Someone who
    only used to work elsewhere is this agency's alone to keep."""
    if is_platform_admin(user):
        return set()
    today = timezone.localdate()
    ids = sorted(set(person_ids))
    kept: set[int] = set()
    for start in range(0, len(ids), 900):
        kept |= set(
            Employment.objects.filter(
                Q(ends_on__isnull=True) | Q(ends_on__gte=today),
                person_id__in=ids[start : start + 900],
            )
            .exclude(agency=agency)
            .values_list("person_id", flat=True)
        )
    return kept


def kept_fields_of(
    user, agency: Agency, person_ids: Iterable[int]
) -> dict[int, dict[str, tuple[str, ...]]]:
    """For each of `person_ids` whose shared details the user may not change for
    `agency`, those fields by model ("person", "license"); people left out may
    be changed in full. What a roster import is given to keep (its features do
    not decide access: the import's view passes this, bound to the user)."""
    return {pk: SHARED_FIELDS for pk in shared_details_kept(user, agency, person_ids)}


def kept_fields(user, agency: Agency, person: Person) -> dict[str, tuple[str, ...]]:
    """Which of the person's shared fields the user may not change for `agency`,
    by model ("person", "license"): all of them while another agency employs
    the person too (`shared_details_kept`), else none. The person form shows
    them read-only and `edit_person` refuses a change to any of them."""
    return kept_fields_of(user, agency, [person.pk]).get(person.pk, NOTHING_KEPT)


def own_employment(user) -> Employment | None:
    """The signed-in officer's current job (the first, if several), or None."""
    own = getattr(user, "person_id", None)
    if own is None:
        return None
    jobs = Employment.objects.current().filter(person_id=own)
    return jobs.select_related("agency").first()


def employers_writable(user, person: Person) -> QuerySet[Agency]:
    """The person's current employers where the user may add training for them."""
    employers = Employment.objects.current().filter(person=person).values("agency")
    return writable_agencies(user).filter(pk__in=employers)


def employers_readable(user, person: Person) -> QuerySet[Agency]:
    """The person's current employers whose records the user may read (each prints
    a transcript)."""
    employers = Employment.objects.current().filter(person=person).values("agency")
    return readable_agencies(user).filter(pk__in=employers)


def licenses_of(people: QuerySet[Person]):
    """The licenses of `people`, a queryset the caller got from this module."""
    from muster.agencies.models import License

    return License.objects.filter(person__in=people.values("pk"))


def _one_or_404(rows: QuerySet, pk: int | None, what: str):
    try:
        return rows.get() if pk is None else rows.get(pk=pk)
    except rows.model.DoesNotExist:
        raise Http404(f"No such {what}.") from None


def can_write(user) -> bool:
    """Whether the user may write anything at all (state auditors never may)."""
    return is_platform_admin(user) or bool(agency_ids(user, WRITERS))


def audit_entries(user) -> QuerySet[AuditEntry]:
    """Audit entries the user may read: all for a platform administrator; those
    about their state's agencies for a state auditor; those about their own
    agencies for a coordinator or head; none for anyone else."""
    if is_platform_admin(user):
        return AuditEntry.objects.all()
    agencies = Agency.objects.filter(
        Q(pk__in=agency_ids(user, AUDIT_READERS)) | Q(state__in=auditor_states(user))
    ).values("pk")
    return AuditEntry.objects.filter(agency_id__in=agencies)


def history(user, rows: list) -> dict[str, list[AuditEntry]]:
    """The audit entries about each of `rows` (of one model), oldest first, keyed by
    the row's pk as text, all in one query.

    The history of a record is part of the record: whoever may read a row reads
    its history (an officer their own record's, a new employer a former one's
    entries about its staff), but nothing about rows they may not read, which are
    left out here even if a caller passes them.
    """
    if not rows:
        return {}
    model = type(rows[0])
    readable = _READABLE_WITH_HISTORY[model._meta.label](user)
    allowed = readable.filter(pk__in=[row.pk for row in rows]).values_list(
        "pk", flat=True
    )
    entries = AuditEntry.objects.filter(
        object_type=model._meta.label, object_id__in=[str(pk) for pk in allowed]
    ).select_related("actor")
    histories: dict[str, list[AuditEntry]] = {}
    for entry in entries.order_by("sequence"):
        histories.setdefault(entry.object_id, []).append(entry)
    return histories


_READABLE_WITH_HISTORY = {
    "agencies.TrainingRecord": lambda user: records(user),
    "agencies.Qualification": lambda user: qualifications(user),
    "agencies.Exemption": lambda user: exemptions(user),
}


def agency_names(user) -> dict[int, str]:
    """Names of the agencies whose audit entries the user may read, by pk."""
    return dict(readable_agencies(user).values_list("pk", "name"))


def can_read_audit(user) -> bool:
    return (
        is_platform_admin(user)
        or bool(auditor_states(user))
        or bool(agency_ids(user, AUDIT_READERS))
    )


# A state's own pages (docs/state.md): its auditors and platform administrators.


def audited_states(user) -> list[str]:
    """The states whose pages the user may read: those they audit (every state
    with an agency, for a platform administrator)."""
    if is_platform_admin(user):
        return sorted(set(Agency.objects.values_list("state", flat=True)))
    return sorted(auditor_states(user))


def audited_state(user, state: str) -> str:
    """The two-letter code of `state` (any case) if the user audits it, else 404."""
    code = state.upper()
    if code in State.values and (
        is_platform_admin(user) or code in auditor_states(user)
    ):
        return code
    raise Http404("No such state.")


def state_agencies(user, state: str) -> QuerySet[Agency]:
    """Every agency of a state the user audits (else 404)."""
    return Agency.objects.filter(state=audited_state(user, state))


def state_agency(user, state: str, code: str) -> Agency:
    """An agency of a state the user audits, by code, else 404."""
    return _agency_or_404(state_agencies(user, state), code)


def state_people(user, state: str) -> QuerySet[Person]:
    """The people working today at the agencies of a state the user audits."""
    staff = _current_staff_of(state_agencies(user, state))
    return Person.objects.filter(pk__in=staff.values("person"))


def agency_records(user, agency: Agency) -> QuerySet[TrainingRecord]:
    """Training records about an agency that the user may read: those of its
    current staff, whoever entered them, and those it entered itself."""
    return records(user).filter(_about_agency(agency))


def agency_qualifications(user, agency: Agency) -> QuerySet[Qualification]:
    return qualifications(user).filter(_about_agency(agency))


def agency_exemptions(user, agency: Agency) -> QuerySet[Exemption]:
    return exemptions(user).filter(_about_agency(agency))


def _about_agency(agency: Agency) -> Q:
    working = _current_staff_of(Agency.objects.filter(pk=agency.pk))
    return Q(person__in=working.values("person")) | Q(agency=agency)


def mandate_drafts(user, state: str) -> QuerySet[MandateDraft]:
    """The what-if drafts of a state the user audits (else 404)."""
    return MandateDraft.objects.filter(state=audited_state(user, state))


def mandate_draft(user, state: str, pk: int) -> MandateDraft:
    """One what-if draft of a state the user audits, else 404."""
    return _one_or_404(mandate_drafts(user, state), pk, "draft")


def what_if_run(user, state: str, pk: int, run: int) -> WhatIfRun:
    """One run of a what-if draft of a state the user audits, else 404."""
    draft = mandate_draft(user, state, pk)
    return _one_or_404(WhatIfRun.objects.filter(draft=draft), run, "run")


# Online courses. A learner acts only on their own enrollments; coordinators and
# heads of the learner's current agency may read them and their certificates.


def learner_enrollments(user) -> QuerySet[Enrollment]:
    """Enrollments the user takes part in as the learner: their own person's."""
    own = getattr(user, "person_id", None)
    if not getattr(user, "is_authenticated", False) or own is None:
        return Enrollment.objects.none()
    return Enrollment.objects.filter(person_id=own)


def enrollments(user) -> QuerySet[Enrollment]:
    """Enrollments the user may read: their own, and their agencies' current staff's."""
    if is_platform_admin(user):
        return Enrollment.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Enrollment.objects.none()
    staff = _current_staff_of(Agency.objects.filter(pk__in=agency_ids(user, READERS)))
    own = getattr(user, "person_id", None)
    return Enrollment.objects.filter(
        Q(person__in=staff.values("person")) | Q(person_id=own)
    ).distinct()


def certificates(user) -> QuerySet[Certificate]:
    """Certificates whose PDF the user may download: those of readable enrollments."""
    return Certificate.objects.filter(enrollment__in=enrollments(user).values("pk"))


def can_revoke_certificate(user, certificate) -> bool:
    """Platform administrators, and authors of the provider that owns the course."""
    if is_platform_admin(user):
        return True
    provider_id = certificate.enrollment.course.provider_id
    return provider_id in agency_ids(user, (Role.COURSE_AUTHOR,))


def learner_attempts(user) -> QuerySet[Attempt]:
    """Assessment attempts of the user's own enrollments."""
    return Attempt.objects.filter(enrollment__in=learner_enrollments(user))


def certificate_to_verify(code: str) -> Certificate | None:
    """The certificate with `code`, for the public verification page (anyone with
    the code may confirm it; the page shows name, course, hours and date only)."""
    certificates = Certificate.objects.select_related(
        "enrollment__person", "enrollment__course", "enrollment__record"
    )
    return certificates.filter(code=code).first()


def badge_issuer(code: str):
    """The provider `code` if it has a badge signing key, else 404: its DID
    document and status list are public, like the certificates they check."""
    agency = Agency.objects.filter(code=code, issuer_keys__isnull=False).first()
    if agency is None:
        raise Http404("No such badge issuer.")
    return agency


def revocable_certificate(user, code: str) -> Certificate:
    """The certificate with `code` if the user may revoke it, else 404."""
    certificate = Certificate.objects.select_related("enrollment__course")
    certificate = certificate.filter(code=code).first()
    if certificate is None or not can_revoke_certificate(user, certificate):
        raise Http404("No such certificate.")
    return certificate


# Courses. Any signed-in user browses the catalog; course authors change the
# courses of the providers where they hold the course-author role, and platform
# administrators change any (docs/catalog.md).

AUTHORS = (Role.COURSE_AUTHOR,)


def catalog_courses(user):
    """Courses the catalog shows: published and not retired, to signed-in users."""
    from muster.catalog.models import Course

    if not getattr(user, "is_authenticated", False):
        return Course.objects.none()
    return Course.objects.listed()


def startable_courses(user):
    """Courses the user may enroll in today: published, released, not retired."""
    from muster.catalog.models import Course

    if not getattr(user, "is_authenticated", False):
        return Course.objects.none()
    return Course.objects.available()


def learner_courses(user):
    """Courses the learner may start, and those they already took (kept after a
    course is retired, so its record and certificate stay reachable)."""
    from muster.catalog.models import Course

    taken = learner_enrollments(user).values("course")
    return Course.objects.filter(
        Q(pk__in=startable_courses(user).values("pk")) | Q(pk__in=taken)
    )


def course_asset(user, course, pk: int):
    """A lesson file of `course` (got from `asset_courses(user)`), else 404."""
    from muster.catalog.models import LessonAsset

    if not asset_courses(user).filter(pk=course.pk).exists():
        raise Http404("No such file.")
    return _one_or_404(LessonAsset.objects.filter(lesson__course=course), pk, "file")


def authoring_providers(user) -> QuerySet[Agency]:
    """Providers (agencies) whose courses the user may create and change."""
    if is_platform_admin(user):
        return Agency.objects.all()
    return Agency.objects.filter(pk__in=agency_ids(user, AUTHORS))


def authored_courses(user):
    """Courses the user may edit, preview and publish, drafts included."""
    from muster.catalog.models import Course

    if is_platform_admin(user):
        return Course.objects.all()
    return Course.objects.filter(provider_id__in=agency_ids(user, AUTHORS))


def exportable_cmi5_package(user, slug: str):
    """The cmi5 package of course `slug`, if the user authors the course (its
    provider's course authors); else 404. They may export its course structure
    (cmi5 6.1)."""
    from muster.packages.models import Package

    package = (
        Package.objects.filter(
            kind="cmi5", course__in=authored_courses(user), course__slug=slug
        )
        .select_related("course")
        .first()
    )
    if package is None:
        raise Http404("No such course.")
    return package


def asset_courses(user):
    """Courses whose lesson files the user may open: those they may see or take.

    The catalog's courses, the ones the user authors, and those the user is (or
    was) enrolled in, so a learner keeps a course's images and handouts after it
    is retired or unpublished mid-course.
    """
    from muster.catalog.models import Course

    taken = learner_enrollments(user).values("course")
    return Course.objects.filter(
        Q(pk__in=catalog_courses(user).values("pk"))
        | Q(pk__in=authored_courses(user).values("pk"))
        | Q(pk__in=taken)
    )


def can_author(user) -> bool:
    return is_platform_admin(user) or bool(agency_ids(user, AUTHORS))


# Content packages (docs/packages.md). The learner plays a package only through
# their own open enrollment (learner_enrollments). On the content origin no
# session cookie is sent: there the only credential is the signed launch token
# (muster/packages/launch.py), which names one enrollment and one item of that
# enrollment's course; a token whose item belongs to another course is refused.


def launched_item(launch):
    """The enrollment and package item a verified launch names; else 404."""
    from muster.packages.models import PackageItem

    enrollment = Enrollment.objects.filter(pk=launch.enrollment_id).first()
    item = (
        PackageItem.objects.select_related("package").filter(pk=launch.item_id).first()
    )
    if enrollment is None or item is None:
        raise Http404("No such launch.")
    if item.package.course_id != enrollment.course_id:
        raise Http404("No such launch.")
    return enrollment, item


# Transfer requests. A 404 for anything the user may not act on, as elsewhere.


def outgoing_transfers(user) -> QuerySet[TransferRequest]:
    """Requests filed by the agencies where the user is a coordinator or head."""
    if is_platform_admin(user):
        return TransferRequest.objects.all()
    return TransferRequest.objects.filter(
        requesting_agency_id__in=agency_ids(user, READERS)
    )


def incoming_transfers(user) -> QuerySet[TransferRequest]:
    """Requests to release people of the agencies where the user is a coordinator
    or head; for a platform administrator, also those naming no employer."""
    if is_platform_admin(user):
        return TransferRequest.objects.all()
    return TransferRequest.objects.filter(
        releasing_agency_id__in=agency_ids(user, READERS)
    )


def own_transfers(user) -> QuerySet[TransferRequest]:
    """Requests to employ the signed-in officer."""
    own = getattr(user, "person_id", None)
    if not getattr(user, "is_authenticated", False) or own is None:
        return TransferRequest.objects.none()
    return TransferRequest.objects.filter(person_id=own)


def _pending_or_404(requests: QuerySet[TransferRequest], pk: int) -> TransferRequest:
    try:
        return requests.get(pk=pk, status=TransferStatus.PENDING)
    except TransferRequest.DoesNotExist:
        raise Http404("No such transfer request.") from None


def releasable_transfer(user, agency: Agency, pk: int) -> TransferRequest:
    """A pending request to release one of `agency`'s people, which the user (a
    coordinator or head there) may approve or decline, else 404.

    A platform administrator also decides, from the requesting agency's page, a
    request that names no releasing agency: the officer had no employer.
    """
    requests = incoming_transfers(user).filter(releasing_agency=agency)
    if is_platform_admin(user):
        requests = TransferRequest.objects.filter(
            Q(releasing_agency=agency)
            | Q(releasing_agency__isnull=True, requesting_agency=agency)
        )
    return _pending_or_404(requests, pk)


def withdrawable_transfer(user, agency: Agency, pk: int) -> TransferRequest:
    """A pending request filed by `agency`, where the user is a coordinator."""
    if not writable_agencies(user).filter(pk=agency.pk).exists():
        raise Http404("No such transfer request.")
    return _pending_or_404(TransferRequest.objects.filter(requesting_agency=agency), pk)


def import_batch(user, code: str, pk: int) -> ImportBatch:
    """An import of agency `code`, if the user may import there, else 404."""
    agency = writable_agency(user, code)
    return _one_or_404(ImportBatch.objects.filter(agency=agency), pk, "import")


def export_job(user, code: str, pk: int) -> ExportJob:
    """A compliance export of agency `code`, for whoever may see that agency's
    compliance export (`get_agency`'s readers), else 404: the progress page, its
    fragment and the download all come through here."""
    agency = get_agency(user, code)
    return _one_or_404(ExportJob.objects.filter(agency=agency), pk, "export")


def answerable_transfer(user, pk: int) -> TransferRequest:
    """A pending request to employ the signed-in officer, which they may answer."""
    return _pending_or_404(own_transfers(user), pk)


# The xAPI learning record store (docs/xapi.md). An LRS client acts only on its
# own agency's statements and documents; coordinators of an agency manage its
# clients, activity mappings and forwarding.


def lrs_agency(client) -> Agency:
    """The agency whose statements and documents an authenticated LRS client
    reads and writes: the one that issued its credential, and no other."""
    return client.agency


def lrs_managed_agency(user, code: str) -> Agency:
    """The agency named `code` if the user coordinates it, else 404."""
    return get_agency(user, code, WRITERS)


def lrs_clients(agency: Agency):
    from muster.xapi.models import LRSClient

    return LRSClient.objects.filter(agency=agency)


def activity_mappings(agency: Agency):
    from muster.xapi.models import ActivityMapping

    return ActivityMapping.objects.filter(agency=agency)


# API tokens (docs/api.md). A request made with a token acts as a `TokenHolder`:
# the token's user with their grants narrowed to what the token allows, so that
# every function above decides API requests exactly as it decides pages.


class TokenHolder:
    """Who an API request acts as: a user's rights, narrowed by one token.

    It answers the questions the functions of this module ask of a user
    (`is_authenticated`, `is_superuser`, `person_id`, the active grants); writes
    are attributed to `user`, a real account.
    """

    is_authenticated = True
    is_anonymous = False

    def __init__(self, token, grants: list, person_id, is_superuser: bool) -> None:
        self.token = token
        self.user = token.user
        self.pk = token.user.pk
        self.person_id = person_id
        self.is_superuser = is_superuser
        self._active_grants = grants


def token_holder(token) -> TokenHolder | None:
    """What a usable token may act as, or None when it grants nothing any more.

    - A personal token carries its owner's roles and own records; narrowed to one
      agency, only the roles held there (a platform administrator's become a
      coordinator's there).
    - A service token acts as a coordinator of its one agency, with no person of
      its own, while the user who issued it still may issue it (coordinates
      that agency, or administers the platform); a departed issuer's tokens
      stop working.
    Whether the token may write at all is `token_may_write`.
    """
    from muster.api.choices import TokenKind

    owner = token.user
    if not owner.is_active:
        return None
    grants = list(owner.active_grants())
    owner._active_grants = grants
    if token.kind == TokenKind.SERVICE:
        if not may_issue_service_token(owner, token.agency):
            return None
        return TokenHolder(token, [_coordinator_of(token.agency)], None, False)
    if token.agency_id is None:
        return TokenHolder(token, grants, owner.person_id, owner.is_superuser)
    narrowed = [g for g in grants if g.agency_id == token.agency_id]
    if is_platform_admin(owner):
        narrowed = [_coordinator_of(token.agency)]
    return TokenHolder(token, narrowed, owner.person_id, False)


def _coordinator_of(agency: Agency):
    from muster.accounts.models import RoleGrant

    # Never saved: it only answers `agency_ids` for the token's one agency.
    return RoleGrant(role=Role.COORDINATOR, agency=agency, agency_id=agency.pk)


def token_may_write(holder) -> bool:
    """Whether an API request may write: a read-write token of someone who may."""
    return bool(holder.token.may_write) and can_write(holder)


def token_may_decide(holder) -> bool:
    """Whether an API request may approve or reject: a read-write token. Which
    rows it may decide is `decidable_exemptions` (an agency head's own)."""
    return bool(holder.token.may_write)


def may_issue_service_token(user, agency: Agency | None) -> bool:
    """Coordinators of the agency, and platform administrators, issue its tokens."""
    if agency is None:
        return False
    return writable_agencies(user).filter(pk=agency.pk).exists()


def service_token_agencies(user) -> QuerySet[Agency]:
    """Agencies for which the user may issue and revoke service tokens."""
    return writable_agencies(user)


def token_agencies(user) -> QuerySet[Agency]:
    """Agencies a personal token of the user may be narrowed to: those they read
    (as coordinator or head; a platform administrator, any)."""
    if is_platform_admin(user):
        return Agency.objects.all()
    return Agency.objects.filter(pk__in=agency_ids(user, READERS))


def manageable_tokens(user):
    """Tokens listed on the user's security page, which they may revoke: their
    own, and the service tokens of the agencies they coordinate."""
    from muster.api.choices import TokenKind
    from muster.api.models import ApiToken

    if not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(
        Q(user=user)
        | Q(kind=TokenKind.SERVICE, agency__in=service_token_agencies(user))
    ).select_related("agency", "user")


def api_person_for_recording(user, agency_code: str, pk: int) -> Person:
    """A person the user may add training for at the agency named: a current
    employee there whom the user manages, as on the screens; else 404."""
    agency = _agency_or_404(writable_agencies(user), agency_code)
    staff = Employment.objects.current().filter(agency=agency).values("person")
    try:
        return managed_people(user).filter(pk__in=staff).get(pk=pk)
    except Person.DoesNotExist:
        raise Http404("No such person on that agency's staff.") from None


def agency_staff(user, agency: Agency) -> QuerySet[Person]:
    """The agency's current employees among the people the user may see."""
    staff = Employment.objects.current().filter(agency=agency).values("person")
    return people(user).filter(pk__in=staff)


def follows_today(user, person: Person) -> bool:
    """Whether the user follows `person` as they are today: a platform
    administrator, the person themself, or one who reads a current employer
    (its coordinators and heads, its state's auditors). A former employer, which
    still reads the records it entered, does not: the license's dates of the
    person's own (a first appointment, a break in service and the rehire after
    it) tell of their later career, as their later jobs would."""
    if is_platform_admin(user) or getattr(user, "person_id", None) == person.pk:
        return True
    return _current_staff_of(readable_agencies(user)).filter(person=person).exists()


def visible_employments(user, person: Person) -> QuerySet[Employment]:
    """A visible person's jobs: all of them for a platform administrator, the
    person themself and a current employer; otherwise only those at the
    agencies the user reads (a former employer does not learn where the person
    went)."""
    jobs = Employment.objects.filter(person=person).select_related("agency")
    if follows_today(user, person):
        return jobs
    return jobs.filter(agency__in=readable_agencies(user))


def lrs_statements(client):
    """Statements an LRS client may read: its agency's."""
    from muster.xapi.models import Statement

    return Statement.objects.filter(agency=lrs_agency(client))


def lrs_activities(client):
    from muster.xapi.models import Activity

    return Activity.objects.filter(agency=lrs_agency(client))


def lrs_people(client):
    """The people an LRS client's agency may know as xAPI agents (the Agents
    resource joins their identifiers): its current staff, as completions are
    matched against. A former officer's details are now another agency's."""
    return Person.objects.filter(
        pk__in=Employment.objects.current()
        .filter(agency=lrs_agency(client))
        .values("person")
    )


def lrs_attachments(client):
    from muster.xapi.models import Attachment

    return Attachment.objects.filter(agency=lrs_agency(client))


def lrs_forward_target(agency: Agency):
    """The agency's forwarding target, if it set one."""
    from muster.xapi.models import ForwardTarget

    return ForwardTarget.objects.filter(agency=agency).first()


def _cmi5_enrollments_at(agency: Agency):
    return Enrollment.objects.filter(
        course__package__kind="cmi5",
        person__in=Employment.objects.current().filter(agency=agency).values("person"),
    )


def cmi5_enrollments(user, code: str):
    """Agency `code`, if the user reads it (coordinators, heads, the state's
    auditors), and the enrollments in cmi5 courses of the people now employed
    there: its coordinator's view of their registrations. Else 404."""
    agency = get_agency(user, code)
    return agency, _cmi5_enrollments_at(agency).select_related(
        "course__package", "person"
    )


def cmi5_readable_enrollment(user, code: str, enrollment_id: int):
    """An enrollment in a cmi5 course of someone now at agency `code`, if the
    user reads that agency (as `cmi5_enrollments`); else 404. Its AU statements
    are read from that agency's LRS only."""
    agency, enrollments = cmi5_enrollments(user, code)
    enrollment = enrollments.filter(pk=enrollment_id).first()
    if enrollment is None:
        raise Http404("No such enrollment.")
    return agency, enrollment


def cmi5_waivable_enrollment(user, code: str, enrollment_id: int):
    """An open enrollment in a cmi5 course of someone now at agency `code`, which
    the user coordinates; else 404. A coordinator may waive its AUs (cmi5 9.3.7)."""
    agency = get_agency(user, code, WRITERS)
    enrollment = (
        _cmi5_enrollments_at(agency)
        .filter(pk=enrollment_id, completed_at__isnull=True)
        .select_related("course__package", "person")
        .first()
    )
    if enrollment is None:
        raise Http404("No such enrollment.")
    return agency, enrollment


def lti_links(user, agency: Agency):
    """The LMS course links of `agency`'s platforms, for one who writes there
    (got from `writable_agency`)."""
    from muster.lti.models import ResourceLink

    if not can_write_at(user, agency):
        return ResourceLink.objects.none()
    return ResourceLink.objects.filter(platform__agency=agency).select_related(
        "platform", "course"
    )


def lti_link(user, pk: int):
    """An LMS course link whose roster the user may sync into its agency, else 404."""
    from muster.lti.models import ResourceLink

    agencies = writable_agencies(user)
    return _one_or_404(
        ResourceLink.objects.filter(platform__agency__in=agencies).select_related(
            "platform__agency", "course"
        ),
        pk,
        "LMS link",
    )


def linkable_courses():
    """Courses an LMS may link to: those anyone may start (the catalog's)."""
    from muster.catalog.models import Course

    return Course.objects.available()

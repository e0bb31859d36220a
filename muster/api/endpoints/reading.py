"""Read endpoints: agencies, people, records, qualifications, exemptions,
standings, courses, completions, certificates and mandates."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router
from ninja import Schema as NinjaSchema
from pydantic import Field

from muster.accounts import access
from muster.agencies.actions import record_snapshot
from muster.api import mandates, schemas, serializers, standings
from muster.api.conditional import etag_of, row_etag
from muster.api.endpoints.common import LIMIT_DOC, Day, Id, answers, holder
from muster.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, paginate
from muster.badges import actions as badge_actions
from muster.badges import credentials as badge_credentials

router = Router()


class Paging(NinjaSchema):
    # An unknown query parameter (a typo such as ?persn=) is a 422 naming it.
    model_config = {"extra": "forbid"}
    cursor: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="next_cursor of the page before (omit it for the first page).",
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=LIMIT_DOC)


class PeopleFilter(Paging):
    agency: str | None = Field(
        None, max_length=40, description="Current employees of this agency (code)."
    )
    external_id: str | None = Field(None, max_length=40)
    license_number: str | None = Field(None, max_length=40)
    name: str | None = Field(
        None, max_length=100, description="Part of the first or last name."
    )


class PersonRowsFilter(Paging):
    person: int | None = Field(None, ge=1, le=2**53)
    agency: str | None = Field(
        None, max_length=40, description="The entering agency (code)."
    )


class RecordFilter(PersonRowsFilter):
    completed_from: Day = None
    completed_to: Day = None
    include_void: bool = False


class CompletionFilter(Paging):
    person: int | None = Field(None, ge=1, le=2**53)
    course: str | None = Field(None, max_length=80)


class Judging(NinjaSchema):
    model_config = {"extra": "forbid"}
    on: Day = Field(None, description="The day to judge on (default today).")


# Agencies ---------------------------------------------------------------


@router.get("/agencies", response=answers({200: schemas.AgencyPage}), tags=["agencies"])
def list_agencies(request: HttpRequest, paging: Query[Paging]):
    rows = access.readable_agencies(holder(request))
    return paginate(rows, paging.cursor, paging.limit, serializers.agency)


@router.get(
    "/agencies/{code}", response=answers({200: schemas.Agency}), tags=["agencies"]
)
def get_agency(request: HttpRequest, code: str):
    return serializers.agency(access.get_agency(holder(request), code))


class AgencyJudging(NinjaSchema):
    model_config = {"extra": "forbid"}
    on: Day = Field(
        None,
        description="The day to judge on (default today), in a year whose "
        "standings are kept: the two years before this one to the next one. "
        "Another year is a 422 (`year-not-kept`) naming `query.on`.",
    )


@router.get(
    "/agencies/{code}/standings",
    response=answers({200: schemas.AgencyStanding}),
    tags=["standings"],
    openapi_extra={
        "responses": {
            422: {
                "description": "A query parameter is wrong, or `on` is in a year "
                "whose standings are not kept (`year-not-kept`, naming `query.on`)."
            }
        }
    },
)
def agency_standings(request: HttpRequest, code: str, judging: Query[AgencyJudging]):
    """Each current employee's status under each mandate and requirement, read
    from the stored standings: those of the two years before this one to the
    next. A day in another year is refused (422, `year-not-kept`) rather than
    answered with nobody: the standings of that year are not stored, and working
    them out for a whole agency is a compliance export job's work, not a
    request's; one person's are `GET /people/{id}/standings?year=`."""
    user = holder(request)
    agency = access.get_agency(user, code)
    on = judging.on or timezone.localdate()
    standings.require_kept_year(on)
    shown = set(access.agency_staff(user, agency).values_list("pk", flat=True))
    return standings.agency_standing(agency, shown, on)


# People -----------------------------------------------------------------


def _people(user):
    return access.people(user).prefetch_related("licenses")


@router.get("/people", response=answers({200: schemas.PersonPage}), tags=["people"])
def list_people(request: HttpRequest, filters: Query[PeopleFilter]):
    user = holder(request)
    rows = _people(user)
    if filters.agency:
        rows = rows.filter(
            pk__in=access.agency_staff(user, access.get_agency(user, filters.agency))
        )
    if filters.external_id:
        rows = rows.filter(external_id=filters.external_id)
    if filters.license_number:
        number = filters.license_number.strip().upper()
        rows = rows.filter(licenses__number=number).distinct()
    if filters.name:
        rows = rows.filter(
            Q(first_name__icontains=filters.name) | Q(last_name__icontains=filters.name)
        )
    return paginate(
        rows, filters.cursor, filters.limit, lambda p: serializers.person(p, user)
    )


def _person(request, pk: int):
    return get_object_or_404(_people(holder(request)), pk=pk)


@router.get("/people/{pk}", response=answers({200: schemas.Person}), tags=["people"])
def get_person(request: HttpRequest, pk: Id):
    return serializers.person(_person(request, pk), holder(request))


class StandingQuery(Judging):
    year: int | None = Field(
        None, ge=1950, le=2100, description="Default: the judging day's year."
    )


@router.get(
    "/people/{pk}/standings",
    response=answers({200: schemas.Standing}),
    tags=["standings"],
)
def person_standings(request: HttpRequest, pk: Id, query: Query[StandingQuery]):
    """The person's status per license, mandate and requirement, with the
    explanation of every credit line and the citation of every figure."""
    # A former employer reads the person, not a standing worked out from records
    # it cannot read (access.sees_standing): 404, as on the plan page.
    person = access.followed_person(holder(request), pk, prefetch=["licenses"])
    on = query.on or timezone.localdate()
    return standings.person_standing(person, query.year or on.year, on)


# Records, qualifications, exemptions -----------------------------------


def _by_person_and_agency(rows, filters: PersonRowsFilter):
    if filters.person:
        rows = rows.filter(person_id=filters.person)
    if filters.agency:
        rows = rows.filter(agency__code=filters.agency)
    return rows


def readable_records(user):
    return (
        access.records(user)
        .select_related("agency")
        .prefetch_related("credit_lines", "evidence")
    )


@router.get(
    "/records", response=answers({200: schemas.TrainingRecordPage}), tags=["records"]
)
def list_records(request: HttpRequest, filters: Query[RecordFilter]):
    rows = _by_person_and_agency(readable_records(holder(request)), filters)
    if filters.completed_from:
        rows = rows.filter(completed_on__gte=filters.completed_from)
    if filters.completed_to:
        rows = rows.filter(completed_on__lte=filters.completed_to)
    if not filters.include_void:
        rows = rows.filter(is_void=False)
    return paginate(rows, filters.cursor, filters.limit, serializers.record)


@router.get(
    "/records/{pk}", response=answers({200: schemas.TrainingRecord}), tags=["records"]
)
def get_record(request: HttpRequest, pk: Id, response: HttpResponse):
    """One record; its ETag goes in If-Match to correct or void it."""
    record = get_object_or_404(readable_records(holder(request)), pk=pk)
    response["ETag"] = etag_of(record_snapshot(record))
    return serializers.record(record)


@router.get(
    "/qualifications",
    response=answers({200: schemas.QualificationPage}),
    tags=["records"],
)
def list_qualifications(request: HttpRequest, filters: Query[PersonRowsFilter]):
    rows = access.qualifications(holder(request)).select_related("agency")
    rows = _by_person_and_agency(rows, filters)
    return paginate(rows, filters.cursor, filters.limit, serializers.qualification)


@router.get(
    "/qualifications/{pk}",
    response=answers({200: schemas.Qualification}),
    tags=["records"],
)
def get_qualification(request: HttpRequest, pk: Id, response: HttpResponse):
    """A qualification, with the ETag that a correction or void names."""
    rows = access.qualifications(holder(request)).select_related("agency")
    qualification = get_object_or_404(rows, pk=pk)
    response["ETag"] = row_etag(qualification)
    return serializers.qualification(qualification)


@router.get(
    "/exemptions", response=answers({200: schemas.ExemptionPage}), tags=["records"]
)
def list_exemptions(request: HttpRequest, filters: Query[PersonRowsFilter]):
    rows = access.exemptions(holder(request)).select_related("agency")
    rows = _by_person_and_agency(rows, filters)
    return paginate(rows, filters.cursor, filters.limit, serializers.exemption)


@router.get(
    "/exemptions/{pk}", response=answers({200: schemas.Exemption}), tags=["records"]
)
def get_exemption(request: HttpRequest, pk: Id, response: HttpResponse):
    """An exemption, with the ETag that a decision names."""
    rows = access.exemptions(holder(request)).select_related("agency")
    exemption = get_object_or_404(rows, pk=pk)
    response["ETag"] = row_etag(exemption)
    return serializers.exemption(exemption)


# Courses, completions, certificates ------------------------------------


@router.get("/courses", response=answers({200: schemas.CoursePage}), tags=["learning"])
def list_courses(request: HttpRequest, paging: Query[Paging]):
    rows = access.catalog_courses(holder(request)).select_related("provider")
    return paginate(rows, paging.cursor, paging.limit, serializers.course)


@router.get(
    "/courses/{slug}", response=answers({200: schemas.Course}), tags=["learning"]
)
def get_course(request: HttpRequest, slug: str):
    rows = access.catalog_courses(holder(request)).select_related("provider")
    return serializers.course(get_object_or_404(rows, slug=slug))


def _completions(user):
    return (
        access.enrollments(user)
        .filter(completed_at__isnull=False)
        .select_related("course", "certificate")
    )


@router.get(
    "/completions", response=answers({200: schemas.CompletionPage}), tags=["learning"]
)
def list_completions(request: HttpRequest, filters: Query[CompletionFilter]):
    rows = _completions(holder(request))
    if filters.person:
        rows = rows.filter(person_id=filters.person)
    if filters.course:
        rows = rows.filter(course__slug=filters.course)
    return paginate(rows, filters.cursor, filters.limit, serializers.completion)


@router.get(
    "/completions/{pk}", response=answers({200: schemas.Completion}), tags=["learning"]
)
def get_completion(request: HttpRequest, pk: Id):
    return serializers.completion(
        get_object_or_404(_completions(holder(request)), pk=pk)
    )


def _certificates(user):
    return access.certificates(user).select_related("enrollment__course")


@router.get(
    "/certificates", response=answers({200: schemas.CertificatePage}), tags=["learning"]
)
def list_certificates(request: HttpRequest, paging: Query[Paging]):
    rows = _certificates(holder(request))
    return paginate(rows, paging.cursor, paging.limit, serializers.certificate)


@router.get(
    "/certificates/{code}",
    response=answers({200: schemas.Certificate}),
    tags=["learning"],
)
def get_certificate(request: HttpRequest, code: str):
    rows = _certificates(holder(request))
    return serializers.certificate(get_object_or_404(rows, code=code))


@router.get(
    "/certificates/{code}/credential",
    response=answers({200: schemas.BadgeCredential}),
    tags=["learning"],
)
def get_certificate_credential(request: HttpRequest, code: str):
    """The certificate as an Open Badges 3.0 credential, signed as a VC-JWT by
    its provider's current key (docs/badges.md)."""
    rows = _certificates(holder(request)).select_related(
        "enrollment__person", "enrollment__record", "enrollment__course__provider"
    )
    certificate = get_object_or_404(rows, code=code)
    provider = certificate.enrollment.course.provider
    try:
        key = badge_actions.signing_key(provider)
    except badge_actions.NoSigningKey as missing:
        raise Http404(str(missing)) from None
    return {
        "media_type": badge_credentials.MEDIA_TYPE,
        "credential": badge_credentials.signed_badge(certificate, key),
        "id": badge_credentials.credential_url(certificate),
    }


# Mandates ---------------------------------------------------------------


@router.get(
    "/mandates/{jurisdiction}",
    response=answers({200: schemas.Jurisdiction}),
    tags=["mandates"],
)
def get_mandates(request: HttpRequest, jurisdiction: str, judging: Query[Judging]):
    """The jurisdiction's requirements in force on `on`, each with its citation."""
    found = mandates.jurisdiction_on(jurisdiction, judging.on or timezone.localdate())
    if found is None:
        raise Http404(f"No rules are encoded for {jurisdiction[:10]!r}.")
    return found

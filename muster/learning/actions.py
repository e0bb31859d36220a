"""Writes for online courses: enrolling, completing, and revoking a certificate.

Completion is the one that matters. It runs in one transaction holding a lock on
the enrollment, and does nothing if the enrollment is already complete, so a
double submit, a retry after a network error or two tabs produce exactly one
training record and one certificate; the one-to-one links from the enrollment to
its record and from the certificate to its enrollment hold that in the database
too. Callers check access first (muster.accounts.access).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from muster.agencies.actions import record_training
from muster.agencies.choices import Delivery, RecordSource, Result
from muster.agencies.models import Agency, Employment, Person
from muster.audit.choices import Action
from muster.audit.log import record_event, snapshot
from muster.catalog.models import Course, CourseApproval, Lesson
from muster.learning.assessment import grade_attempt, lessons_left
from muster.learning.certificates import new_code
from muster.learning.models import Attempt, Certificate, Enrollment, LessonProgress
from muster.learning.seat import has_met_seat_time, seat_time_summary
from muster.learning.signals import enrollment_completed


def emit(event: str, *args) -> None:
    """Tell the learner's agency's LRS (muster.xapi.emit) what just happened."""
    from muster.xapi import emit as statements

    handlers = {
        "launched": lambda enrollment: statements.emit(enrollment, "launched"),
        "progressed": statements.emit_progress,
        "passed": statements.emit_attempt,
        "completed": statements.emit_completion,
    }
    handlers[event](*args)


class NotAllowed(Exception):
    """The learner may not do this now; the message says why, for the page."""


def approved_jurisdiction(person: Person, course: Course) -> CourseApproval | None:
    """The approval of `course` in the first state where `person` holds a license."""
    for license in person.licenses.order_by("jurisdiction"):
        approval = course.approval_in(license.jurisdiction)
        if approval is not None:
            return approval
    return None


def enroll(*, user, course: Course, request: HttpRequest | None = None) -> Enrollment:
    """The person's open enrollment in `course`, started now if there is none.

    Raises NotAllowed when the course has not been released or the person holds no
    license in a state where it is approved.
    """
    person = user.person
    if not course.is_released():
        raise NotAllowed("This course has not been released yet.")
    open_one = Enrollment.objects.filter(
        person=person, course=course, completed_at__isnull=True
    ).first()
    if open_one is not None:
        return open_one
    approval = approved_jurisdiction(person, course)
    if approval is None:
        raise NotAllowed(
            "This course is not approved for credit in any state where you hold "
            "a license, so completing it would earn no credit."
        )
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                person=person,
                user=user,
                course=course,
                jurisdiction=approval.jurisdiction,
            )
            record_event(
                Action.LEARNING_ENROLL,
                actor=user,
                obj=enrollment,
                after=snapshot(enrollment),
                reason="Enrolled",
                request=request,
                agency_id=_employer_id(person),
            )
            emit("launched", enrollment)
    except IntegrityError:
        # Two enroll requests at once: the other one won; use its enrollment.
        return Enrollment.objects.get(
            person=person, course=course, completed_at__isnull=True
        )
    return enrollment


def view_lesson(enrollment: Enrollment, lesson: Lesson, *, done: bool = False) -> None:
    """Note that the learner opened (or finished) `lesson`, and resume there."""
    progress, created = LessonProgress.objects.get_or_create(
        enrollment=enrollment, lesson=lesson
    )
    if created:
        emit("progressed", enrollment, lesson)
    if done and progress.completed_at is None:
        progress.completed_at = timezone.now()
        progress.save(update_fields=["completed_at"])
    if enrollment.last_lesson_id != lesson.pk:
        enrollment.last_lesson = lesson
        enrollment.save(update_fields=["last_lesson"])


@dataclass(frozen=True)
class ContentCheck:
    """For a course whose content is played elsewhere (an imported package).

    `why_incomplete` replaces the lessons-and-assessment check ("" when done),
    `evidence` adds files to the record, `description` names them, `reason`
    is the completion's audit reason. See muster/packages/completion.py.
    """

    why_incomplete: Callable[[Enrollment], str]
    evidence: Callable[[Enrollment], list]
    description: str
    reason: str


def complete_enrollment(
    enrollment: Enrollment,
    *,
    request: HttpRequest | None = None,
    content: ContentCheck | None = None,
) -> Enrollment:
    """Credit a passed course: one training record, one certificate, audited.

    Idempotent: on an enrollment already complete it returns it unchanged.
    Raises NotAllowed when the seat time, the lessons or a passed attempt is
    missing, whatever the caller believes.
    """
    with transaction.atomic():
        locked = (
            Enrollment.objects.select_for_update()
            .select_related("course__provider", "person", "user")
            .get(pk=enrollment.pk)
        )
        if locked.is_complete:
            return locked
        _check_complete(locked, content)
        approval = locked.course.approval_in(locked.jurisdiction)
        if approval is None:
            raise NotAllowed(
                "The course's approval in this state has lapsed; ask the provider."
            )
        locked.record = _record(locked, approval, request, content)
        locked.completed_at = timezone.now()
        locked.save(update_fields=["record", "completed_at"])
        certificate = Certificate.objects.create(enrollment=locked, code=new_code())
        record_event(
            Action.LEARNING_COMPLETE,
            actor=locked.user,
            obj=locked,
            after={**snapshot(locked), "certificate": certificate.code},
            reason=content.reason if content else "Passed the final assessment",
            request=request,
            agency_id=locked.record.agency_id,
        )
        emit("completed", locked)
        transaction.on_commit(
            lambda: enrollment_completed.send(sender=Enrollment, enrollment=locked)
        )
    return locked


def submit_attempt(
    attempt: Attempt, answers: dict[str, list[str]], *, request=None
) -> Attempt:
    """Grade the attempt and, if it passed, complete the course, in one transaction.

    Submitting an attempt again changes nothing; if it passed, the completion is
    (re)attempted, which is itself idempotent, so a retry after a lost response
    ends in the same single record and certificate.
    """
    with transaction.atomic():
        graded = grade_attempt(attempt, answers)
        emit("passed", graded)
        if graded.is_passed:
            complete_enrollment(graded.enrollment, request=request)
    return graded


def _check_complete(enrollment: Enrollment, content: ContentCheck | None) -> None:
    if not has_met_seat_time(enrollment):
        raise NotAllowed("The course's seat time has not been reached.")
    if content is not None:
        # Content played elsewhere (a SCORM package): its own check replaces
        # the lessons and the final assessment.
        problem = content.why_incomplete(enrollment)
        if problem:
            raise NotAllowed(problem)
        return
    if lessons_left(enrollment):
        raise NotAllowed("Not every lesson has been viewed.")
    if not enrollment.attempts.filter(is_passed=True).exists():
        raise NotAllowed("The final assessment has not been passed.")


def is_package_course(course: Course) -> bool:
    """Whether the course plays an uploaded SCORM or cmi5 package."""
    return hasattr(course, "package")


def _record(enrollment: Enrollment, approval: CourseApproval, request, content):
    course = enrollment.course
    person = enrollment.person
    summary = ContentFile(
        seat_time_summary(enrollment).encode("utf-8"),
        name=f"seat-time-enrollment-{enrollment.pk}.csv",
    )
    record = record_training(
        actor=enrollment.user,
        person=person,
        agency=_employer(person),
        fields={
            "title": course.title,
            "started_on": timezone.localdate(enrollment.started_at),
            "completed_on": timezone.localdate(),
            "provider_name": course.provider.name,
            "provider_kind": approval.provider_kind,
            "course_number": approval.approval_number,
            "delivery": Delivery.ONLINE,
            "result": Result.PASS,
        },
        lines=[
            {"hours": credit.hours, "area": credit.area, "topics": credit.topics}
            for credit in approval.credits.all()
        ],
        files=[summary, *(content.evidence(enrollment) if content else [])],
        evidence_description="Seat-time log (server heartbeats)"
        + (f"; {content.description}" if content else ""),
        source=RecordSource.ONLINE_COURSE,
        reason=f"Online course completed (enrollment {enrollment.pk})",
        request=request,
    )
    return record


def _employer(person: Person) -> Agency | None:
    return employer_of(person.pk)


def employer_of(person_id: int) -> Agency | None:
    """The agency the person currently works for (latest start), or None."""
    employment = (
        Employment.objects.current()
        .filter(person_id=person_id)
        .select_related("agency")
        .order_by("-starts_on", "pk")
        .first()
    )
    return employment.agency if employment else None


def _employer_id(person: Person) -> int | None:
    employer = _employer(person)
    return employer.pk if employer else None


def revoke_certificate(
    *, actor, certificate: Certificate, reason: str, request=None
) -> Certificate:
    """Mark a certificate revoked (the public check then says so), with a reason.

    The training record is left alone: voiding it is the agency's decision, with
    its own reason, through the usual correction screens.
    """
    if not reason.strip():
        raise NotAllowed("Say why the certificate is revoked.")
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.is_revoked:
            raise NotAllowed("This certificate is already revoked.")
        before = snapshot(locked)
        locked.revoked_at = timezone.now()
        locked.revoke_reason = reason.strip()[:200]
        locked.save(update_fields=["revoked_at", "revoke_reason"])
        record_event(
            Action.CERTIFICATE_REVOKE,
            actor=actor,
            obj=locked,
            before=before,
            after=snapshot(locked),
            reason=locked.revoke_reason,
            request=request,
            agency_id=locked.enrollment.course.provider_id,
        )
    return locked

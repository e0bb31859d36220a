"""Shared setup for package tests: an author at Muster Academy and an imported course."""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from muster.accounts.choices import Role
from muster.agencies.choices import AgencyKind
from muster.agencies.models import Agency
from muster.catalog.models import ApprovalCredit, CourseApproval
from muster.packages.actions import import_package
from muster.test import make_user


class MediaMixin:
    def setUp(self) -> None:
        media = tempfile.TemporaryDirectory()
        self.addCleanup(media.cleanup)
        media_override = override_settings(MEDIA_ROOT=media.name)
        media_override.enable()
        self.addCleanup(media_override.disable)
        self.media_root = media.name
        super().setUp()


def academy() -> Agency:
    return Agency.objects.get_or_create(
        code="muster-academy",
        defaults={
            "name": "Muster Academy",
            "kind": AgencyKind.STATE_AGENCY,
            "state": "MO",
        },
    )[0]


def author(name: str = "ada"):
    return make_user(name, (Role.COURSE_AUTHOR, academy()))


def imported(data: bytes, *, actor=None, name="package.zip", publish=True):
    """Import `data` as a course approved in Missouri for 1 implicit-bias hour."""
    actor = actor or author()
    package = import_package(
        actor=actor,
        provider=academy(),
        upload=SimpleUploadedFile(name, data, content_type="application/zip"),
        credited_hours=Decimal("1"),
    )
    course = package.course
    approval = CourseApproval.objects.create(
        course=course,
        jurisdiction="MO",
        approval_number="VENDOR-MO-1",
        valid_from=date(2021, 1, 1),
    )
    ApprovalCredit.objects.create(
        approval=approval, hours=Decimal("1"), area="interpersonal",
        topics=["implicit-bias"],
    )  # fmt: skip
    if publish:
        course.is_published = True
        course.release_on = date(2021, 1, 1)
        course.save()
    return package

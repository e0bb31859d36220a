"""Writes for content packages: importing one, and keeping each runtime commit.

`import_package` reads the zip (or a cmi5 course structure uploaded alone, whose
AUs are at absolute URLs) fully and checks it before anything is stored, so a
refused package writes nothing (no course, no files). `record_commit` keeps
the commit as evidence, updates where the learner stands in the SCO and, once
every item is done, completes the enrollment through the same
`complete_enrollment` as native courses (seat time included).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import IO

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from muster.agencies.models import Agency
from muster.audit.choices import Action
from muster.audit.log import record_event, snapshot
from muster.catalog.models import Course
from muster.learning import actions as learning
from muster.learning.models import Enrollment
from muster.packages import manifest, objectives, runtime, shared_data
from muster.packages.completion import PACKAGE_CONTENT
from muster.packages.models import CmiCommit, Package, PackageItem, ScoState
from muster.packages.zipcheck import (
    BoundedEntry,
    Limits,
    PackageError,
    file_names,
    open_package,
    read_small,
    safe_name,
)

# A course structure uploaded alone (cmi5 14.2) is read whole; it is XML text,
# so this bounds it well above a structure of thousands of AUs (6.1).
MAX_STRUCTURE_BYTES = 10 * 1024 * 1024


def read_package(upload: IO[bytes], limits: Limits):
    """The zip (None for a cmi5 course structure uploaded alone) and the outline
    of its manifest, all checked; PackageError if refused."""
    if is_course_structure(upload):
        data = upload.read(MAX_STRUCTURE_BYTES + 1)
        if len(data) > MAX_STRUCTURE_BYTES:
            raise PackageError(
                f"cmi5.xml: larger than {MAX_STRUCTURE_BYTES} bytes; a course "
                "structure alone is XML text, at most that."
            )
        return None, manifest.read_cmi5(data, None)
    archive = open_package(upload, limits)
    names = file_names(archive)
    if "imsmanifest.xml" in names:
        data = read_small(archive, "imsmanifest.xml")
        return archive, manifest.read_scorm(data, names)
    if "cmi5.xml" in names:
        return archive, manifest.read_cmi5(read_small(archive, "cmi5.xml"), names)
    nested = sorted(
        n for n in names if n.rsplit("/", 1)[-1] in ("imsmanifest.xml", "cmi5.xml")
    )
    if nested:
        folder, manifest_name = nested[0].rsplit("/", 1)
        raise PackageError(
            f"{nested[0]}: the zip has {manifest_name} in the folder '{folder}/', "
            "not at its top level. Zip the contents of that folder, not the folder."
        )
    raise PackageError(
        "The zip has no imsmanifest.xml (SCORM) or cmi5.xml (cmi5) at its top level."
    )


def is_course_structure(upload: IO[bytes]) -> bool:
    """Whether the upload is XML rather than a zip: a cmi5 course structure
    without a zip (14.0: "a course structure XML file"; 14.2). SCORM has no
    such form, so an imsmanifest.xml alone is refused by the cmi5 reading."""
    upload.seek(0)
    start = upload.read(512)
    upload.seek(0)
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, by its BOM
        start = (
            start[2:]
            .decode("utf-16-le" if start[0] == 0xFF else "utf-16-be", "ignore")
            .encode()
        )
    return start.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def import_package(
    *, actor, provider: Agency, upload, credited_hours: Decimal, request=None
) -> Package:
    """A new unpublished course with the package's items; PackageError if refused.

    Files are copied to storage one at a time, in chunks, counting what is really
    unpacked; if anything fails, what was stored is removed and nothing is saved.
    """
    limits = Limits.from_settings()
    archive, outline = read_package(upload, limits)
    root = f"packages/{uuid.uuid4().hex}"
    stored: list[str] = []
    try:
        # A course structure alone has no files: its AUs are elsewhere (14.2).
        total = _store_files(archive, root, limits, stored) if archive else 0
        with transaction.atomic():
            package = _create(
                actor,
                provider,
                upload,
                outline,
                root,
                len(stored),
                total,
                credited_hours,
            )
            record_event(
                Action.PACKAGE_IMPORT,
                actor=actor,
                obj=package,
                after={**snapshot(package), "items": len(outline.items)},
                reason=f"Imported {outline.edition} package",
                request=request,
                agency_id=provider.pk,
                label=package.course.title,
            )
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return package


def _store_files(archive, root: str, limits: Limits, stored: list[str]) -> int:
    total = 0
    for entry in archive.infolist():
        if entry.is_dir():
            continue
        reader = BoundedEntry(archive, entry, limits.max_unzipped_bytes - total)
        try:
            name = f"{root}/{safe_name(entry.filename)}"
            stored.append(default_storage.save(name, File(reader, name=name)))
        finally:
            reader.close()
        total += reader.count
    return total


def _create(actor, provider, upload, outline, root, count, total, hours) -> Package:
    title = (outline.title or "Imported package")[:200]
    course = Course.objects.create(
        slug=_free_slug(title),
        title=title,
        summary=(outline.description or title)[:300],
        description=outline.description or f"{title} ({outline.edition} package).",
        provider=provider,
        credited_hours=hours,
    )
    upload.seek(0)
    package = Package.objects.create(
        course=course,
        kind=outline.kind,
        edition=outline.edition,
        identifier=outline.identifier[:200],
        original=ContentFile(
            upload.read(), name="package.zip" if count else "cmi5.xml"
        ),
        root=root,
        file_count=count,
        unzipped_bytes=total,
        uploaded_by=actor,
        objectives_global_to_system=outline.objectives_global_to_system,
        shared_data_global_to_system=outline.shared_data_global_to_system,
        cmi5_objectives=outline.cmi5_objectives,
        sequencing=outline.sequencing,
    )
    PackageItem.objects.bulk_create(
        PackageItem(
            package=package,
            position=position,
            identifier=item.identifier[:200],
            title=item.title[:300],
            href=item.href,
            scorm_type=item.scorm_type,
            parameters=item.parameters[:1000],
            depth=item.depth,
            is_visible=item.is_visible,
            mastery_score=item.mastery_score,
            scaled_passing_score=item.scaled_passing_score,
            completion_threshold=item.completion_threshold,
            data_from_lms=item.data_from_lms,
            time_limit_action=item.time_limit_action[:40],
            max_time_allowed=item.max_time_allowed[:40],
            move_on=item.move_on,
            launch_method=item.launch_method,
            blocks=list(item.blocks),
            entitlement_key=item.entitlement_key[:1000],
            objectives=item.objectives,
            data_maps=item.data_maps,
            rollup=item.rollup,
        )
        for position, item in enumerate(outline.items, start=1)
    )
    return package


def _free_slug(title: str) -> str:
    base = slugify(title)[:70] or "package"
    slug, n = base, 1
    while Course.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def launch_item(enrollment: Enrollment, item: PackageItem) -> ScoState | None:
    """Note a launch; an asset (no runtime) is done once launched (CAM 3.4.1.4)."""
    if item.talks_to_runtime:
        return ScoState.objects.filter(enrollment=enrollment, item=item).first()
    state, _ = ScoState.objects.get_or_create(
        enrollment=enrollment,
        item=item,
        defaults={"completion_status": "completed", "is_complete": True},
    )
    return state


def record_commit(
    *,
    enrollment: Enrollment,
    item: PackageItem,
    launch: str,
    data: object,
    request=None,
) -> ScoState:
    """Keep one commit and update the SCO's state; CommitError writes nothing."""
    kind = item.package.kind
    elements = runtime.check_commit(data, kind)
    judged = runtime.judge(elements, item, kind)
    local = objectives.local_objectives(elements, item, judged, kind)
    runtime.nav_request(elements, kind)
    stores = shared_data.checked_stores(elements, item, kind)
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        sequence = elements.get("commitSequence")
        commit = CmiCommit.objects.create(
            enrollment=locked,
            item=item,
            launch=launch[:40],
            sequence=sequence if isinstance(sequence, int) and sequence >= 0 else None,
            data=elements,
            session_seconds=judged.session_seconds,
            is_terminate=bool(elements.get("muster_terminate")),
            completion_status=judged.completion_status,
            success_status=judged.success_status,
        )
        state = _update_state(locked, item, judged, kind)
        objectives.write_global(locked, item, local, commit)
        shared_data.write_stores(locked, item, stores, commit, request=request)
    if state.is_complete and not locked.is_complete:
        try_to_complete(locked, request=request)
    return state


def _update_state(enrollment, item, judged, kind) -> ScoState:
    state, _ = ScoState.objects.get_or_create(enrollment=enrollment, item=item)
    state.completion_status = judged.completion_status
    state.success_status = judged.success_status
    state.score_raw = judged.score_raw
    state.score_scaled = judged.score_scaled
    state.location = judged.location
    state.suspend_data = judged.suspend_data
    state.exit = judged.exit
    state.reported_seconds = reported_total(enrollment, item)
    # Once done, a SCO stays done for credit: a later review that reports
    # "incomplete" does not take back what the learner already achieved.
    state.is_complete = state.is_complete or runtime.is_complete(judged, item, kind)
    state.updated_at = timezone.now()
    state.save()
    return state


def reported_total(enrollment, item) -> Decimal:
    """cmi total time: each launch's last reported session time, added up."""
    commits = CmiCommit.objects.filter(
        enrollment=enrollment, item=item, session_seconds__isnull=False
    )
    last = commits.values("launch").annotate(last=Max("pk")).values("last")
    times = CmiCommit.objects.filter(pk__in=last).values_list(
        "session_seconds", flat=True
    )
    return sum(times, Decimal(0))


def try_to_complete(enrollment: Enrollment, *, request=None) -> str:
    """Complete the enrollment if it may be now; else the reason it may not."""
    try:
        learning.complete_enrollment(
            enrollment, request=request, content=PACKAGE_CONTENT
        )
    except learning.NotAllowed as error:
        return str(error)
    return ""

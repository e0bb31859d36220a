"""Content packages (SCORM, cmi5) behind catalog courses, and what learners did in them.

A package is one more way to fill a catalog `Course`: its approvals, hours and
topics are the course's, edited on the same authoring screens. Runtime data is
kept twice: `ScoState` is the current state of one SCO for one enrollment (what
the next launch resumes from), and `CmiCommit` is every commit as received, only
ever added to, the evidence behind a completion.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from muster.catalog.models import Course
from muster.learning.models import Enrollment
from muster.packages.choices import PackageKind


class Package(models.Model):
    """An uploaded SCORM or cmi5 package, unpacked into storage under `root`."""

    course = models.OneToOneField(
        Course, on_delete=models.PROTECT, related_name="package"
    )
    kind = models.CharField(max_length=10, choices=PackageKind.choices)
    edition = models.CharField(max_length=40)
    identifier = models.CharField(max_length=200, blank=True)
    original = models.FileField(upload_to="packages/originals/%Y/")
    root = models.CharField(
        max_length=100, help_text="Storage folder holding the unpacked files."
    )
    file_count = models.PositiveIntegerField()
    unzipped_bytes = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    objectives_global_to_system = models.BooleanField(
        default=True,
        help_text="SCORM 2004 adlseq:objectivesGlobalToSystem: global objectives "
        "shared with the learner's other courses, else kept to this one.",
    )
    cmi5_objectives = models.JSONField(
        default=list,
        blank=True,
        help_text="cmi5 13.1.3: the course structure's objectives (id, title, "
        "description) and the publisher ids of the blocks and AUs that refer to them.",
    )
    shared_data_global_to_system = models.BooleanField(
        default=True,
        help_text="SCORM 2004 4th edition adlcp:sharedDataGlobalToSystem, likewise "
        "for shared data (adl.data).",
    )
    sequencing = models.JSONField(
        default=dict,
        blank=True,
        help_text="SCORM 2004: the activity tree (organization and items) with "
        "each activity's control modes, attempt limit, precondition rules and "
        "rollup rules, as muster/packages/sequencing.py applies them.",
    )

    def __str__(self) -> str:
        return f"{self.get_kind_display()} package of {self.course}"

    def storage_name(self, path: str) -> str:
        return f"{self.root}/{path}"


class PackageItem(models.Model):
    """One launchable SCO, asset or cmi5 AU, in the package's order."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    identifier = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    href = models.CharField(max_length=2000, help_text="Launch path in the package.")
    scorm_type = models.CharField(max_length=5, help_text="sco, asset or au.")
    parameters = models.CharField(max_length=1000, blank=True)
    depth = models.PositiveSmallIntegerField(default=0)
    is_visible = models.BooleanField(default=True)
    mastery_score = models.DecimalField(
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="SCORM 1.2: 0-100 raw; cmi5: 0-1 scaled.",
    )
    scaled_passing_score = models.DecimalField(
        max_digits=5, decimal_places=4, null=True, blank=True
    )
    completion_threshold = models.DecimalField(
        max_digits=5, decimal_places=4, null=True, blank=True
    )
    data_from_lms = models.TextField(blank=True)
    time_limit_action = models.CharField(max_length=40, blank=True)
    max_time_allowed = models.CharField(max_length=40, blank=True)
    move_on = models.CharField(max_length=20, blank=True)
    launch_method = models.CharField(max_length=10, blank=True)
    blocks = models.JSONField(
        default=list,
        blank=True,
        help_text="cmi5: the ids of the blocks holding the AU, outermost first.",
    )
    entitlement_key = models.CharField(max_length=1000, blank=True)
    objectives = models.JSONField(
        default=list,
        blank=True,
        help_text="SCORM 2004: the activity's objectives, primary first, each with "
        "its maps to global objectives (manifest.objectives).",
    )
    data_maps = models.JSONField(
        default=list,
        blank=True,
        help_text="SCORM 2004 4th edition: the item's adlcp:map shared data maps.",
    )
    rollup = models.JSONField(
        default=dict,
        blank=True,
        help_text="SCORM 2004 rollup controls: tracked, satisfied (rollupObjective"
        "Satisfied), completion (rollupProgressCompletion), weight "
        "(objectiveMeasureWeight); empty means the defaults.",
    )

    class Meta:
        ordering = ["package", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["package", "position"], name="one_item_per_position"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def talks_to_runtime(self) -> bool:
        return self.scorm_type in ("sco", "au")

    @property
    def counts_for_credit(self) -> bool:
        """Whether the course needs it done: a SCORM 2004 item that is not
        tracked, or whose satisfaction and completion are both left out of the
        rollup (SN book 4.6), does not count towards the course's status."""
        rollup = self.rollup or {}
        if not rollup.get("tracked", True):
            return False
        return rollup.get("satisfied", True) or rollup.get("completion", True)


class ScoState(models.Model):
    """Where one learner stands in one SCO: what the next launch resumes from."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="sco_states"
    )
    item = models.ForeignKey(PackageItem, on_delete=models.PROTECT, related_name="+")
    completion_status = models.CharField(
        max_length=20,
        default="not attempted",
        help_text="SCORM 1.2 cmi.core.lesson_status, or 2004 cmi.completion_status.",
    )
    success_status = models.CharField(max_length=10, default="unknown")
    score_raw = models.DecimalField(max_digits=12, decimal_places=4, null=True)
    score_scaled = models.DecimalField(max_digits=6, decimal_places=5, null=True)
    location = models.CharField(max_length=1000, blank=True)
    suspend_data = models.TextField(blank=True)
    exit = models.CharField(max_length=10, blank=True)
    reported_seconds = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text="Total time as the SCO reported it: its sessions' times added.",
    )
    is_complete = models.BooleanField(default=False)
    launched_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["enrollment", "item__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "item"], name="one_state_per_sco"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrollment}: {self.item} ({self.completion_status})"


class CmiCommit(models.Model):
    """One commit of the CMI data model as received from the runtime: evidence.

    Rows are only ever added; `save` refuses to change one and `delete` refuses.
    """

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="cmi_commits"
    )
    item = models.ForeignKey(PackageItem, on_delete=models.PROTECT, related_name="+")
    launch = models.CharField(
        max_length=40, help_text="One launch (session) of the SCO."
    )
    sequence = models.PositiveIntegerField(null=True)
    received_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(help_text="The commit, flattened (cmi.* keys), as sent.")
    session_seconds = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        help_text="The session time the SCO reported in this commit.",
    )
    is_terminate = models.BooleanField(default=False)
    completion_status = models.CharField(max_length=20)
    success_status = models.CharField(max_length=10)

    class Meta:
        ordering = ["enrollment", "received_at", "pk"]

    def __str__(self) -> str:
        return f"{self.enrollment}: {self.item} at {self.received_at}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("A CMI commit is evidence and is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A CMI commit is evidence and is never deleted.")


class SequencingState(models.Model):
    """What SCORM 2004 sequencing decided for one enrollment that the commits
    alone do not say (muster/packages/sequencing.py).

    `ended`: the attempts on clusters (and the organization) that sequencing
    rules ended, as [activity identifier, pk of the last commit then]: an exit
    rule, exitParent, exitAll, retry, retryAll or the end of the course. A
    later launch inside such a cluster begins a new attempt on it.
    `orders`: per cluster with selection or randomization controls, the
    children chosen and their order for an attempt ({"attempt": n, "children":
    [...]}), so that a resumed or reloaded course keeps the same order.
    """

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.CASCADE, related_name="sequencing_state"
    )
    ended = models.JSONField(default=list, blank=True)
    orders = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Sequencing of {self.enrollment}"


class Cmi5Registration(models.Model):
    """cmi5's registration: one enrollment in a cmi5 course, named by a UUID.

    `satisfied` lists the LMS-made activity ids (blocks, the course) a Satisfied
    statement was already issued for, so none is issued twice (cmi5 9.3.9).
    """

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.PROTECT, related_name="cmi5_registration"
    )
    registration = models.UUIDField(unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    satisfied = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return str(self.registration)


class Cmi5Session(models.Model):
    """One AU session: from the LMS's Launched statement to Terminated or Abandoned.

    `credential` is the LRS client whose key and secret make the auth-token the
    fetch URL hands out once; it is revoked when the session ends.
    """

    registration = models.ForeignKey(
        Cmi5Registration, on_delete=models.PROTECT, related_name="sessions"
    )
    item = models.ForeignKey(PackageItem, on_delete=models.PROTECT, related_name="+")
    session_id = models.CharField(max_length=64, unique=True)
    launch_mode = models.CharField(max_length=10)
    credential = models.OneToOneField(
        "xapi.LRSClient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cmi5_session",
    )
    launched_at = models.DateTimeField(default=timezone.now)
    fetched_at = models.DateTimeField(null=True, blank=True)
    preferences_read_at = models.DateTimeField(
        null=True, blank=True, help_text="When the AU read cmi5LearnerPreferences."
    )
    initialized_at = models.DateTimeField(null=True, blank=True)
    terminated_at = models.DateTimeField(null=True, blank=True)
    abandoned_at = models.DateTimeField(null=True, blank=True)
    last_statement_at = models.DateTimeField(null=True, blank=True)
    verbs = models.JSONField(
        default=list, blank=True, help_text="cmi5 defined verbs the AU sent, in order."
    )
    is_waiver = models.BooleanField(default=False)

    class Meta:
        ordering = ["registration", "launched_at", "pk"]

    def __str__(self) -> str:
        return f"{self.item} session {self.session_id}"

    @property
    def is_open(self) -> bool:
        return self.terminated_at is None and self.abandoned_at is None


def _scoped_constraints(name: str) -> list:
    """One row per learner and target: in the system (the provider's courses), or
    in one package."""
    return [
        models.UniqueConstraint(
            fields=["person", "provider", "target_key"],
            condition=models.Q(package__isnull=True),
            name=f"one_system_{name}",
        ),
        models.UniqueConstraint(
            fields=["person", "package", "target_key"],
            condition=models.Q(package__isnull=False),
            name=f"one_package_{name}",
        ),
    ]


class _LearnerTarget(models.Model):
    """What one learner's SCOs share under a target ID (`GlobalObjective`,
    `SharedData`): kept to one package, or to every course of one provider."""

    person = models.ForeignKey(
        "agencies.Person", on_delete=models.PROTECT, related_name="+"
    )
    package = models.ForeignKey(
        Package, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        help_text=(
            "The provider of the course whose package wrote it. Global to the "
            "system is global to this provider's courses: another provider's "
            "package naming the same target ID neither reads nor changes it."
        ),
    )
    target_key = models.CharField(max_length=64, help_text="SHA-256 of target_id.")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class GlobalObjective(_LearnerTarget):
    """A SCORM 2004 shared global objective of one learner (SN book 3.10, 4.2.1).

    SCOs write it through their objectives' write maps when they commit, and read
    it into `cmi.objectives` at launch through their read maps. `package` is
    empty when the package's objectivesGlobalToSystem is true (shared with every
    course of the same provider the learner takes: `provider`), else the one
    package it is kept to. Like a standing it is the person's, whatever their
    employer. Blank or None means
    unknown: nothing known was written yet.
    """

    target_id = models.TextField(help_text="targetObjectiveID, as in the manifest.")
    success_status = models.CharField(
        max_length=10,
        default="unknown",
        help_text="passed (satisfied), failed or unknown.",
    )
    normalized_measure = models.DecimalField(
        max_digits=8, decimal_places=7, null=True, blank=True
    )
    score_raw = models.DecimalField(
        max_digits=24, decimal_places=7, null=True, blank=True
    )
    score_min = models.DecimalField(
        max_digits=24, decimal_places=7, null=True, blank=True
    )
    score_max = models.DecimalField(
        max_digits=24, decimal_places=7, null=True, blank=True
    )
    completion_status = models.CharField(max_length=20, default="unknown")
    progress_measure = models.DecimalField(
        max_digits=8, decimal_places=7, null=True, blank=True
    )
    written_by = models.ForeignKey(
        CmiCommit,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The commit that last wrote it: the evidence.",
    )

    class Meta:
        ordering = ["person", "target_id"]
        constraints = _scoped_constraints("global_objective")

    def __str__(self) -> str:
        return f"{self.person}: {self.target_id} ({self.success_status})"


class SharedData(_LearnerTarget):
    """SCORM 2004 4th edition shared data (adl.data) of one learner, by targetID.

    Written from the commits of SCOs whose `adlcp:map` may write it, given at
    launch to those whose map may read it. Scoped like `GlobalObjective`, by the
    package's sharedDataGlobalToSystem.
    """

    target_id = models.TextField(help_text="adlcp:map targetID, as in the manifest.")
    store = models.TextField(blank=True)
    written_by = models.ForeignKey(
        CmiCommit,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The commit that last wrote it: the evidence.",
    )

    class Meta:
        ordering = ["person", "target_id"]
        constraints = _scoped_constraints("shared_data")
        verbose_name_plural = "shared data"

    def __str__(self) -> str:
        return f"{self.person}: {self.target_id}"

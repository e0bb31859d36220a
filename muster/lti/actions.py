"""Every LTI write, each in one transaction with its audit entry: keys, platform
registration, a verified launch, scores for the gradebook. Roster syncs are in
roster.py. Callers check access first (muster.accounts.access)."""

from __future__ import annotations

import hashlib
import logging

from django.db import transaction
from django.utils import timezone

from muster.accounts.actions import grant_role
from muster.accounts.choices import Role
from muster.accounts.models import User
from muster.agencies.models import Employment
from muster.audit.choices import Action
from muster.audit.log import record_event, snapshot
from muster.catalog.models import Course
from muster.learning.models import Enrollment
from muster.lti import claims, http, keys, services
from muster.lti.choices import ScoreStatus
from muster.lti.launch import LaunchData, LaunchError
from muster.lti.models import (
    Deployment,
    Identity,
    Launch,
    LoginState,
    Platform,
    ResourceLink,
    ScorePost,
    ToolKey,
)

log = logging.getLogger(__name__)


# --- Keys --------------------------------------------------------------------


def rotate_key(*, actor=None, request=None) -> ToolKey:
    """Add a signing key; it signs from now on, and older keys stay published."""
    with transaction.atomic():
        key = ToolKey.objects.create(
            kid=keys.new_kid(), private_key_pem=keys.new_private_pem()
        )
        record_event(
            Action.LTI_KEY_ROTATE,
            actor=actor,
            obj=key,
            after={"kid": key.kid},
            reason="New LTI signing key",
            request=request,
        )
    return key


def retire_key(key: ToolKey, *, actor=None, request=None) -> ToolKey:
    """Take a key out of the JWKS; refused for the only key still published."""
    with transaction.atomic():
        key = ToolKey.objects.select_for_update().get(pk=key.pk)
        if key.retired_at is not None:
            return key
        others = ToolKey.objects.filter(retired_at=None).exclude(pk=key.pk)
        if not others.exists():
            raise ValueError(
                "This is the only published key; rotate first, then retire it."
            )
        key.retired_at = timezone.now()
        key.save(update_fields=["retired_at"])
        record_event(
            Action.LTI_KEY_RETIRE,
            actor=actor,
            obj=key,
            after={"kid": key.kid},
            reason="LTI signing key retired",
            request=request,
        )
    return key


# --- Platforms -----------------------------------------------------------------


def register_platform(
    *, values: dict, deployment_ids: list[str], actor, dynamic=False, request=None
) -> Platform:
    """A new platform for `values["agency"]`, with its deployments, audited."""
    with transaction.atomic():
        platform = Platform.objects.create(is_dynamic=dynamic, **values)
        for deployment_id in deployment_ids:
            Deployment.objects.create(platform=platform, deployment_id=deployment_id)
        record_event(
            Action.LTI_PLATFORM_REGISTER,
            actor=actor,
            obj=platform,
            after={**snapshot(platform), "deployments": deployment_ids},
            reason="Dynamic registration" if dynamic else "Registered in the admin",
            request=request,
            agency_id=platform.agency_id,
        )
    return platform


def save_platform(platform: Platform, *, actor, request=None) -> Platform:
    """Save an admin edit of a registered platform, audited."""
    with transaction.atomic():
        before = None
        if platform.pk:
            before = snapshot(Platform.objects.select_for_update().get(pk=platform.pk))
        platform.save()
        record_event(
            Action.LTI_PLATFORM_UPDATE if before else Action.LTI_PLATFORM_REGISTER,
            actor=actor,
            obj=platform,
            before=before,
            after=snapshot(platform),
            reason="Changed in the admin",
            request=request,
            agency_id=platform.agency_id,
        )
    return platform


# --- Launches ------------------------------------------------------------------


def course_of(data: LaunchData, course_slug: str | None) -> Course:
    slug = (data.claims.get(claims.CUSTOM) or {}).get("course") or course_slug
    course = Course.objects.available().filter(slug=slug).first() if slug else None
    if course is None:
        raise LaunchError(
            f"The link names no Muster course that is open ({slug or 'none given'}); "
            "edit the link in the platform and pick a course again."
        )
    return course


def record_launch(
    data: LaunchData, course: Course, *, request=None
) -> tuple[ResourceLink, User | None]:
    """Use up the login state, keep the link and its services, and sign in the
    launching person when a roster sync linked them; (link, user or None)."""
    with transaction.atomic():
        state = LoginState.objects.select_for_update().get(pk=data.state.pk)
        if state.used_at is not None:
            raise LaunchError("This launch was already used; open the link again.")
        state.used_at = timezone.now()
        state.save(update_fields=["used_at"])
        link = _save_link(data, course)
        identity = (
            Identity.objects.filter(platform=data.platform, subject=data.claims["sub"])
            .select_related("person")
            .first()
        )
        user = None
        if identity is not None and _employed(identity):
            user = _user_for(identity, request)
            Launch.objects.create(
                link=link, identity=identity, user=user, roles=data.roles
            )
            record_event(
                Action.LTI_LAUNCH,
                actor=user,
                obj=link,
                after={
                    "resource_link_id": link.resource_link_id,
                    "course": course.slug,
                },
                reason=f"Launched from {data.platform.name}",
                request=request,
                agency_id=data.platform.agency_id,
            )
    return link, user


def _employed(identity: Identity) -> bool:
    """Whether the person still works for the platform's agency."""
    return (
        Employment.objects.current()
        .filter(person=identity.person, agency_id=identity.platform.agency_id)
        .exists()
    )


def _save_link(data: LaunchData, course: Course) -> ResourceLink:
    ags = data.claims.get(claims.AGS_ENDPOINT) or {}
    nrps = data.claims.get(claims.NRPS_SERVICE) or {}
    context = data.claims.get(claims.CONTEXT) or {}
    values = {
        "deployment": data.deployment,
        "course": course,
        "context_id": str(context.get("id", ""))[:255],
        "context_title": str(context.get("title", ""))[:255],
        "lineitem_url": ags.get("lineitem", ""),
        "lineitems_url": ags.get("lineitems", ""),
        "ags_scopes": list(ags.get("scope", [])),
        "memberships_url": _memberships_url(nrps),
        "last_launch_at": timezone.now(),
    }
    link_id = (data.claims.get(claims.RESOURCE_LINK) or {}).get("id")
    link, _ = ResourceLink.objects.update_or_create(
        platform=data.platform, resource_link_id=link_id, defaults=values
    )
    return link


def _memberships_url(nrps: dict) -> str:
    """The roster service's URL, if it offers version 2.0 (NRPS 2.0: the claim
    lists the versions in `service_versions`), which is what Muster speaks."""
    versions = nrps.get("service_versions")
    if isinstance(versions, list) and claims.NRPS_VERSION not in versions:
        return ""
    return nrps.get("context_memberships_url", "")


def _user_for(identity: Identity, request) -> User:
    """The person's account; one is made (officer of the agency) if they have none."""
    person = identity.person
    user = User.objects.filter(person=person).first()
    if user is not None:
        if user.needs_mfa:
            raise LaunchError(
                "This account holds a role that needs a second factor; sign in to "
                "Muster directly instead of through the LMS."
            )
        return user
    digest = hashlib.sha256(
        f"{identity.platform_id}:{identity.subject}".encode()
    ).hexdigest()[:20]
    user = User(username=f"lti-{digest}", person=person, email=person.email)
    user.set_unusable_password()
    user.save()
    record_event(
        Action.LTI_USER_CREATE,
        actor=None,
        obj=user,
        after={"username": user.username, "person": person.pk},
        reason=f"First launch from {identity.platform.name}",
        request=request,
        agency_id=identity.platform.agency_id,
    )
    grant_role(
        user,
        Role.OFFICER,
        agency=identity.platform.agency,
        reason="LMS learner",
        request=request,
    )
    return user


def continue_in_window(state_id: int, user_id: int) -> User | None:
    """The user a launch verified in a frame signs in as, in a window of its own;
    once only (None the second time, or for an account since deactivated)."""
    claimed = LoginState.objects.filter(
        pk=state_id, used_at__isnull=False, continued_at__isnull=True
    ).update(continued_at=timezone.now())
    if claimed != 1:
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


# --- Scores --------------------------------------------------------------------


def score_payload(enrollment: Enrollment, identity: Identity) -> dict:
    """The AGS 2.0 score (section 3.4) for a completed enrollment."""
    passed = enrollment.attempts.filter(is_passed=True).order_by("-correct").first()
    given = passed.score_percent if passed else 100
    completed = enrollment.completed_at or timezone.now()
    return {
        "userId": identity.subject,
        "scoreGiven": given,
        "scoreMaximum": 100,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": completed.isoformat(timespec="milliseconds"),
        "comment": f"Completed in Muster: {enrollment.course.title}",
    }


def queue_scores(enrollment: Enrollment) -> list[ScorePost]:
    """A pending score for each graded link the person launched this course from,
    on the platforms of the agencies that employ them today (as a launch needs,
    `_employed`): a former employer's LMS learns nothing of what its former
    officer completes later, though its link names the course they launched."""
    employers = Employment.objects.current().filter(person_id=enrollment.person_id)
    launches = (
        Launch.objects.filter(
            identity__person_id=enrollment.person_id,
            link__course_id=enrollment.course_id,
            link__platform__agency__in=employers.values("agency"),
        )
        .select_related("link", "identity")
        .order_by("link_id", "identity_id", "-launched_at")
    )
    posts = []
    seen = set()
    with transaction.atomic():
        for launch in launches:
            link = launch.link
            pair = (link.pk, launch.identity_id)
            graded = claims.SCOPE_SCORE in link.ags_scopes
            if pair in seen or not graded:
                continue
            seen.add(pair)
            post, _ = ScorePost.objects.get_or_create(
                link=link,
                identity=launch.identity,
                enrollment=enrollment,
                defaults={"payload": score_payload(enrollment, launch.identity)},
            )
            posts.append(post)
    return posts


def send_score(post: ScorePost) -> ScorePost:
    """Send one pending or failed score; its outcome is kept on the row, audited."""
    with transaction.atomic():
        post = (
            ScorePost.objects.select_for_update()
            .select_related("link__platform", "link__course")
            .get(pk=post.pk)
        )
        if post.status == ScoreStatus.SENT:
            return post
        post.attempts += 1
        try:
            post.http_status = services.post_score(post.link, post.payload)
        except http.PlatformError as error:
            post.status, post.error = ScoreStatus.FAILED, str(error)
            log.warning("LTI score %s not sent: %s", post.pk, error)
        else:
            post.status, post.error, post.sent_at = ScoreStatus.SENT, "", timezone.now()
        post.save(
            update_fields=["status", "error", "http_status", "sent_at", "attempts"]
        )
        record_event(
            Action.LTI_SCORE_SEND,
            actor=None,
            obj=post,
            after={
                "status": post.status,
                "payload": post.payload,
                "error": post.error,
                "attempt": post.attempts,
            },
            reason=f"Score for {post.link.platform.name}",
            agency_id=post.link.platform.agency_id,
        )
    return post

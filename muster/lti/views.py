"""LTI pages: the JWKS, the OIDC login and launch, the deep-linking picker, dynamic
registration, and the agency's LMS links with their roster sync (docs/lti.md).

Stable ids for tests: picker `form#lti-pick`, auto-post `form#lti-autopost`,
roster plan `table#lti-roster`, registration `form#lti-register`.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as sign_in
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from muster.accounts import access
from muster.agencies.choices import Discipline
from muster.lti import (
    actions,
    claims,
    deeplink,
    http,
    keys,
    registration,
    roster,
    services,
)
from muster.lti.launch import (
    STATE_COOKIE,
    STATE_MINUTES,
    STORAGE_KEY_PREFIX,
    LaunchError,
    begin_login,
    pending_login,
    restart_url,
    storage_target,
    verify_launch,
)


def _refused(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return render(request, "lti/refused.html", {"message": message}, status=status)


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    return JsonResponse(keys.jwks())


@csrf_exempt
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """Third-party initiated login: the platform sends the browser here first."""
    params = {**request.GET.dict(), **request.POST.dict()}
    params["redirect_uri"] = request.build_absolute_uri(reverse("lti:launch"))
    try:
        url, state = begin_login(params)
    except LaunchError as error:
        return _refused(request, str(error))
    target = storage_target(params)
    if target is None:
        response = redirect(url)
    else:
        # The platform keeps data for Muster in a frame of its page: the state goes
        # there too, for browsers that will not send the cookie to a frame.
        response = _framable(
            render(
                request,
                "lti/storage_login.html",
                {
                    "url": url,
                    "storage": {
                        "action": "put",
                        "frame": target,
                        "origin": _origin(state.platform.auth_login_url),
                        "key": STORAGE_KEY_PREFIX + state.state,
                        "value": state.state,
                        "next": url,
                    },
                },
            )
        )
        add_never_cache_headers(response)
    # The platform posts the launch back cross-site, so the cookie that binds the
    # state to this browser must be SameSite=None (and so Secure).
    response.set_cookie(
        STATE_COOKIE,
        state.state,
        max_age=STATE_MINUTES * 60,
        secure=True,
        httponly=True,
        samesite="None",
    )
    return response


def in_frame(request: HttpRequest, data=None) -> bool:
    """Whether the platform shows Muster in a frame: the browser says so
    (Sec-Fetch-Dest), or the launch does (launch_presentation.document_target)."""
    if request.headers.get("Sec-Fetch-Dest", "") in ("iframe", "frame"):
        return True
    if data is not None:
        presentation = data.claims.get(claims.LAUNCH_PRESENTATION) or {}
        target = (
            presentation.get("document_target")
            if isinstance(presentation, dict)
            else None
        )
        return target in ("iframe", "frame")
    return False


def _framable(response: HttpResponse) -> HttpResponse:
    """Let the LMS's page frame this one. Which origin that is cannot be known (a
    Canvas issuer is not the school's Canvas host), so any https page may; these
    pages hold nothing of the learner's but a link the frame cannot read."""
    response.xframe_options_exempt = True
    response._csp_replace = {"frame-ancestors": ["'self'", "https:"]}
    return response


@csrf_exempt
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    """The platform's id_token: verified, then the course (or the picker) opens.

    In a frame, a browser that blocks third-party cookies sends no state cookie:
    the login is started again in a window of its own, where it is first-party.
    A verified launch in a frame does not sign in there (the session cookie is
    not sent to a framed site) but offers the course in a new window.
    """
    state_value = request.POST.get("state", "")
    cookie = request.COOKIES.get(STATE_COOKIE, "")
    target = storage_target(request.POST)
    if target is not None and not secrets.compare_digest(
        cookie.encode(), state_value.encode()
    ):
        pending = pending_login(state_value)
        if pending is not None:
            return _storage_check(request, pending, target)
    if not cookie and in_frame(request):
        restart = restart_url(state_value)
        if restart is not None:
            return _framable(_new_window(request, restart))
    return _verified(request, state_value, cookie)


def _verified(request: HttpRequest, state_value: str, bound: str) -> HttpResponse:
    """The launch verified (`bound`: the state as this browser kept it), then the
    course, the picker or why not."""
    try:
        data = verify_launch(request.POST.get("id_token", ""), state_value, bound)
        if data.message_type == claims.DEEP_LINKING_REQUEST:
            response = _framable(_picker(request, data))
        else:
            response = _open_course(request, data)
    except LaunchError as error:
        return _framable(_refused(request, str(error)))
    response.delete_cookie(STATE_COOKIE, samesite="None")
    return response


def _storage_check(request: HttpRequest, pending, target: str) -> HttpResponse:
    """A page that asks the platform's storage frame for the login's state and,
    if it holds it, posts the launch to `launch_storage` (nothing verified or
    recorded yet); else it offers the login again in a window of its own."""
    response = render(
        request,
        "lti/storage_launch.html",
        {
            "id_token": request.POST.get("id_token", ""),
            "state": pending.state,
            "target": target,
            "restart": restart_url(pending.state),
            "storage": {
                "action": "get",
                "frame": target,
                "origin": _origin(pending.platform.auth_login_url),
                "key": STORAGE_KEY_PREFIX + pending.state,
            },
        },
    )
    add_never_cache_headers(response)
    return _framable(response)


def _same_origin(request: HttpRequest) -> bool:
    """Whether the browser says this POST comes from a Muster page. Browsers set
    Origin on every POST and Sec-Fetch-Site where they know it; no page can set
    either. A missing Origin, "null" (a sandboxed or privacy-stripped request)
    or any other site's is refused. Muster's origin is the one this request was
    addressed to, or one the operator listed in MUSTER_CSRF_TRUSTED_ORIGINS for
    a proxy that changes the host (exact entries only: no wildcard here)."""
    origin = request.headers.get("Origin", "")
    own = f"{request.scheme}://{request.get_host()}"
    if origin != own and origin not in settings.CSRF_TRUSTED_ORIGINS:
        return False
    return request.headers.get("Sec-Fetch-Site", "same-origin") == "same-origin"


@csrf_exempt  # No cookie reaches a framed page; the Origin check stands in (below).
@require_POST
def launch_storage(request: HttpRequest) -> HttpResponse:
    """The launch, posted by Muster's own page (`_storage_check`) once the
    platform's storage frame gave back the login's state: that is what ties the
    state to this browser when its cookie is not sent to a frame. A post from
    any other page is refused, so a login cannot be forced on another browser
    (login CSRF) by posting here what the attacker's own login kept."""
    if not _same_origin(request):
        return _framable(
            _refused(
                request,
                "This launch must come from Muster's own page in the LMS's frame; "
                "open the link in the LMS again.",
                403,
            )
        )
    state_value = request.POST.get("state", "")
    stored = request.POST.get("stored", "")
    if not state_value or not secrets.compare_digest(
        stored.encode(), state_value.encode()
    ):
        return _framable(
            _refused(
                request,
                "The LMS's storage does not hold this login's state; open the link "
                "in the LMS again (in a new window if it shows Muster in a frame).",
            )
        )
    return _verified(request, state_value, stored)


def _new_window(request: HttpRequest, url: str) -> HttpResponse:
    """The frame's way out when its state cookie did not come back: the login
    started again (a GET that signs no one in) in a window of its own."""
    return render(request, "lti/new_window.html", {"restart": url})


CONTINUE_SALT = "lti-continue"
CONTINUE_SECONDS = 120


@csrf_exempt  # No cookie reaches a framed page; the Origin check stands in (below).
@require_http_methods(["GET", "HEAD", "POST"])
def continue_launch(request: HttpRequest) -> HttpResponse:
    """A launch verified in a frame, opened once in a window of its own: sign in
    and open the course. The token is signed, two minutes long and used once.

    The frame's page posts the token here into a new window (`_open_course`).
    Only that post is taken: a browser's same-origin POST from Muster's own
    page. Anything else would be login CSRF: an attacker who launched from
    their own LMS account could push the token to another browser (a link, an
    image, a redirect, a form on their own site) and sign it in as themselves,
    so that the victim's self-reports and progress landed in the attacker's
    account. The token is not in the URL either (history, logs, Referer)."""
    if request.method != "POST":  # a link, an image, a redirect: never signs in
        response = _refused(
            request,
            "This page opens only from the button on Muster's page in the LMS; "
            "open the course from the LMS again.",
            405,
        )
        response["Allow"] = "POST"
        return response
    if not _same_origin(request):
        return _refused(
            request,
            "Muster opens the course only from its own page in the LMS's frame; "
            "open the course from the LMS again.",
            403,
        )
    try:
        found = signing.loads(
            request.POST.get("token", ""), salt=CONTINUE_SALT, max_age=CONTINUE_SECONDS
        )
    except signing.BadSignature:
        return _refused(
            request,
            "This button expired (it works for two minutes); open the course "
            "from the LMS again.",
            404,
        )
    user = actions.continue_in_window(found["state"], found["user"])
    if user is None:
        return _refused(
            request,
            "This button was already used; open the course from the LMS again.",
            404,
        )
    sign_in(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    return redirect("learning:course", slug=found["course"])


def _open_course(request: HttpRequest, data) -> HttpResponse:
    course = actions.course_of(data, None)
    link, user = actions.record_launch(data, course, request=request)
    if user is not None and in_frame(request, data):
        token = signing.dumps(
            {"state": data.state.pk, "user": user.pk, "course": course.slug},
            salt=CONTINUE_SALT,
        )
        response = render(request, "lti/new_window.html", {"token": token})
        add_never_cache_headers(response)
        return _framable(response)
    if user is not None:
        sign_in(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
        return redirect("learning:course", slug=course.slug)
    status = 403 if claims.is_learner(data.roles) else 200
    return _framable(
        render(
            request,
            "lti/unlinked.html",
            {"link": link, "is_learner": status == 403, "agency": data.platform.agency},
            status=status,
        )
    )


def _picker(request: HttpRequest, data) -> HttpResponse:
    if claims.is_learner(data.roles) and not any(
        role.endswith(("#Instructor", "#ContentDeveloper", "#Administrator"))
        for role in data.roles
    ):
        raise LaunchError("Only an instructor or a course designer may pick a course.")
    return render(
        request,
        "lti/pick.html",
        {
            "courses": access.linkable_courses(),
            "token": deeplink.pick_token(data),
            "platform": data.platform,
        },
    )


@csrf_exempt  # The signed pick token, made for this request only, is the credential.
@require_POST
def deep_link(request: HttpRequest) -> HttpResponse:
    """The picked course, signed as an LtiDeepLinkingResponse and posted back."""
    try:
        pick = deeplink.read_pick_token(request.POST.get("token", ""))
    except signing.BadSignature:
        return _refused(request, "The course picker expired; open it again.")
    course = access.linkable_courses().filter(slug=request.POST.get("course")).first()
    if course is None:
        return _refused(request, "Pick one of the courses listed.")
    url = request.build_absolute_uri(reverse("lti:launch"))
    if not keys.jwks()["keys"]:
        return _refused(request, str(keys.NoToolKey(keys.NO_KEY)), status=503)
    return_url, token = deeplink.response_jwt(
        pick,
        [
            deeplink.content_item(
                course, url, line_item=pick.get("accept_lineitem", True)
            )
        ],
    )
    response = render(request, "lti/autopost.html", {"url": return_url, "jwt": token})
    # The answer is a form posted to the platform, which form-action must allow.
    response._csp_update = {"form-action": [_origin(return_url)]}
    return _framable(response)  # the picker runs in the LMS's dialog frame


# --- Dynamic registration ------------------------------------------------------


class RegisterForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name for this LMS")
    openid_configuration = forms.URLField(
        widget=forms.HiddenInput, max_length=1000, assume_scheme="https"
    )
    registration_token = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=4000
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@csrf_exempt  # No cookie is involved: the URL's signed token is the credential.
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, token: str) -> HttpResponse:
    """Dynamic Registration: the LMS opens the agency's registration URL with
    `openid_configuration` (and `registration_token`)."""
    try:
        agency, user = registration.read_invite(token)
    except registration.RegistrationError as error:
        return _refused(request, str(error), status=404)
    if not access.can_write_at(user, agency):
        return _refused(request, "This registration URL is no longer valid.", 404)
    params = request.POST if request.method == "POST" else request.GET
    url = params.get("openid_configuration", "")
    response = _registration_page(request, url, params, agency, user)
    # The LMS shows this page, or why it failed, in its own frame (Dynamic
    # Registration 1.0, 3.2): let that frame, and only it, hold the page.
    if url.startswith("https://"):
        response._csp_replace = {"frame-ancestors": [_origin(url)]}
    return response


def _registration_page(request, url: str, params, agency, user) -> HttpResponse:
    try:
        config = registration.read_configuration(url)
    except registration.RegistrationError as error:
        return _refused(request, str(error))
    form = RegisterForm(
        request.POST or None,
        initial={
            "name": config.product or config.issuer,
            "openid_configuration": url,
            "registration_token": params.get("registration_token", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        return _register(request, config, agency, user, form.cleaned_data)
    context = {"form": form, "config": config, "agency": agency}
    return render(request, "lti/register.html", context)


def _register(request, config, agency, user, values: dict) -> HttpResponse:
    base = request.build_absolute_uri("/").rstrip("/")
    urls = {
        "login": reverse("lti:login"),
        "launch": reverse("lti:launch"),
        "jwks": reverse("lti:jwks"),
    }
    try:
        answer = registration.register(
            config,
            values["registration_token"],
            registration.tool_configuration(base, urls, config),
        )
    except registration.RegistrationError as error:
        return _refused(request, str(error))
    platform = actions.register_platform(
        values={
            "agency": agency,
            "name": values["name"],
            "issuer": config.issuer,
            "client_id": answer["client_id"],
            "auth_login_url": config.authorization_endpoint,
            "auth_token_url": config.token_endpoint,
            "token_audience": config.token_audience,
            "jwks_url": config.jwks_uri,
        },
        deployment_ids=registration.deployment_ids(answer),
        actor=user,
        dynamic=True,
        request=request,
    )
    return render(request, "lti/registered.html", {"platform": platform})


# --- The agency's LMS links and their rosters ------------------------------------


class SyncForm(forms.Form):
    discipline = forms.ChoiceField(
        choices=Discipline.choices,
        help_text="For learners the agency does not have yet.",
    )


@login_required
def links(request: HttpRequest, code: str) -> HttpResponse:
    agency = access.writable_agency(request.user, code)
    rows = access.lti_links(request.user, agency).order_by("platform__name", "pk")
    token = registration.invite_token(agency, request.user)
    register_url = request.build_absolute_uri(reverse("lti:register", args=[token]))
    context = {"agency": agency, "links": rows, "register_url": register_url}
    return render(request, "lti/links.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def roster_sync(request: HttpRequest, pk: int) -> HttpResponse:
    """The course's roster from the LMS: the plan, then the sync into the agency."""
    link = access.lti_link(request.user, pk)
    try:
        members = services.memberships(link)
    except http.PlatformError as error:
        return _refused(request, str(error), status=502)
    form = SyncForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        counts = roster.apply_sync(
            link,
            members,
            discipline=form.cleaned_data["discipline"],
            actor=request.user,
            request=request,
        )
        summary = ", ".join(f"{n} {action}" for action, n in sorted(counts.items()))
        messages.success(request, f"Roster synced: {summary}.")
        return redirect("lti:roster", pk=link.pk)
    plans = roster.plan_sync(link, members)
    return render(
        request, "lti/roster.html", {"link": link, "plans": plans, "form": form}
    )

"""The course catalog (any signed-in user) and course authoring (provider staff).

Browsing needs a sign-in: the catalog shows what a completion would count
toward for the signed-in officer, and keeps providers' drafts private. Authors
reach only the courses of providers where they hold the course-author role
(`access.authored_courses`); anything else is a 404, as elsewhere in Muster.

The course page's "Start course" button posts to `learning:enroll`. Lessons are
rendered with `muster.catalog.markdown.render_markdown`.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from muster.accounts import access
from muster.catalog import actions, forms, recommend
from muster.catalog.choices import AssetKind
from muster.catalog.markdown import render_markdown
from muster.catalog.models import Course, CourseApproval
from muster.learning.assessment import drawn_question_ids

# Catalog --------------------------------------------------------------------


@login_required
def course_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = forms.CatalogFilterForm(request.GET or None)
    courses = (
        access.catalog_courses(request.user)
        .select_related("provider")
        .prefetch_related("approvals__credits")
    )
    if form.is_valid():
        courses = filter_courses(courses, form.cleaned_data, today)
    return render(
        request,
        "catalog/list.html",
        {"form": form, "courses": list(courses), "today": today},
    )


def filter_courses(courses, chosen: dict, today) -> list[Course]:
    """The courses matching the search words and every filter chosen."""
    if chosen.get("q"):
        words = chosen["q"]
        courses = courses.filter(
            Q(title__icontains=words)
            | Q(summary__icontains=words)
            | Q(description__icontains=words)
        )
    if chosen.get("hours"):
        courses = courses.filter(credited_hours__lte=Decimal(chosen["hours"]))
    if chosen.get("state"):
        approved = CourseApproval.objects.valid_on(today).filter(
            jurisdiction=chosen["state"]
        )
        courses = courses.filter(pk__in=approved.values("course"))
    # Topics and audiences are JSON lists: matched here, portably across databases.
    found = list(courses)
    if chosen.get("audience"):
        found = [c for c in found if chosen["audience"] in c.audience]
    if chosen.get("topic"):
        found = [c for c in found if chosen["topic"] in course_topics(c)]
    return found


def course_topics(course: Course) -> set[str]:
    return {
        topic
        for approval in course.approvals.all()
        for credit in approval.credits.all()
        for topic in credit.topics
    }


@login_required
def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_object_or_404(
        access.catalog_courses(request.user).select_related("provider"), slug=slug
    )
    return render(request, "catalog/course.html", course_context(request, course))


def course_context(request: HttpRequest, course: Course) -> dict:
    """What the course page shows; shared with the author's preview."""
    today = timezone.localdate()
    approvals = list(course.approvals.valid_on(today).prefetch_related("credits"))
    person = getattr(request.user, "person", None)
    counts_toward = []
    if person is not None and course.is_released(today):
        found = recommend.contributions_for_person(person, course, today)
        counts_toward = recommend.counts_toward_text(found)
    return {
        "course": course,
        "description": render_markdown(course.description),
        "lessons": course.lessons.all(),
        "approvals": approvals,
        "is_released": course.is_released(today),
        "has_person": person is not None,
        "is_approved_for_person": person is not None
        and bool(
            {a.jurisdiction for a in approvals}
            & set(person.licenses.values_list("jurisdiction", flat=True))
        ),
        "counts_toward": counts_toward,
    }


@login_required
def asset_file(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """A lesson's image, video or handout, for whoever may see or take its course.

    Lesson Markdown links here (`![diagram](/courses/<slug>/assets/<pk>/)`), and
    so do the learner's lesson page and the author's preview; images come from
    this site, as the Content Security Policy requires.
    """
    course = get_object_or_404(access.asset_courses(request.user), slug=slug)
    asset = access.course_asset(request.user, course, pk)
    try:
        handle = asset.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    as_attachment = asset.kind == AssetKind.HANDOUT
    name = Path(asset.file.name).name
    return FileResponse(handle, as_attachment=as_attachment, filename=name)


ANSWERED = (
    "Learners have answered this question, so it cannot change. Remove it from "
    "the bank and add a corrected question instead."
)


# Authoring ------------------------------------------------------------------


def _authored(request: HttpRequest, slug: str) -> Course:
    return get_object_or_404(access.authored_courses(request.user), slug=slug)


def _require_author(request: HttpRequest) -> None:
    if not access.can_author(request.user):
        raise Http404("No such page.")


@login_required
def author_home(request: HttpRequest) -> HttpResponse:
    _require_author(request)
    courses = access.authored_courses(request.user).select_related("provider")
    return render(request, "catalog/author/home.html", {"courses": courses})


@login_required
def course_new(request: HttpRequest) -> HttpResponse:
    providers = access.authoring_providers(request.user)
    if not providers.exists():
        raise Http404("No such page.")
    form = forms.CourseForm(request.POST or None, providers=providers)
    if request.method == "POST" and form.is_valid():
        course = actions.save_course(request, form)
        messages.success(request, f"Created {course.title} (not published yet).")
        return redirect("catalog:author-course", slug=course.slug)
    return render(
        request, "catalog/author/course_form.html", {"form": form, "course": None}
    )


@login_required
def author_course(request: HttpRequest, slug: str) -> HttpResponse:
    course = _authored(request, slug)
    providers = access.authoring_providers(request.user)
    form = forms.CourseForm(request.POST or None, instance=course, providers=providers)
    if request.method == "POST" and form.is_valid():
        actions.save_course(request, form)
        messages.success(request, "Saved.")
        return redirect("catalog:author-course", slug=course.slug)
    return render(
        request,
        "catalog/author/course_form.html",
        {
            "form": form,
            "course": course,
            "lessons": course.lessons.all(),
            "questions": course.questions.filter(is_active=True).select_related(
                "lesson"
            ),
            "approvals": course.approvals.prefetch_related("credits"),
        },
    )


@login_required
@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    course = _authored(request, slug)
    wanted = request.POST.get("publish") == "1"
    problem = course.why_not_publishable() if wanted else ""
    if problem:
        messages.error(request, problem)
    else:
        actions.set_published(request, course, wanted)
        messages.success(request, "Published." if wanted else "Unpublished.")
    return redirect("catalog:author-course", slug=course.slug)


@login_required
def lesson_edit(request: HttpRequest, slug: str, pk: int | None = None):
    course = _authored(request, slug)
    lesson = get_object_or_404(course.lessons, pk=pk) if pk else None
    initial = {"position": course.lessons.count() + 1} if lesson is None else None
    form = forms.LessonForm(
        request.POST or None, instance=lesson, initial=initial, course=course
    )
    if request.method == "POST" and form.is_valid():
        lesson = actions.save_lesson(request, course, form)
        messages.success(request, "Lesson saved.")
        return redirect("catalog:lesson-edit", slug=slug, pk=lesson.pk)
    return render(
        request,
        "catalog/author/lesson_form.html",
        {
            "course": course,
            "lesson": lesson,
            "form": form,
            "asset_form": forms.AssetForm() if lesson else None,
            "preview": render_markdown(form["body"].value() or ""),
        },
    )


@login_required
@require_POST
def asset_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    course = _authored(request, slug)
    lesson = get_object_or_404(course.lessons, pk=pk)
    form = forms.AssetForm(request.POST, request.FILES)
    if form.is_valid():
        asset = actions.add_asset(request, lesson, form)
        messages.success(request, f"Uploaded {asset.title}.")
        return redirect("catalog:lesson-edit", slug=slug, pk=lesson.pk)
    return render(
        request,
        "catalog/author/lesson_form.html",
        {
            "course": course,
            "lesson": lesson,
            "form": forms.LessonForm(instance=lesson, course=course),
            "asset_form": form,
            "preview": render_markdown(lesson.body),
        },
        status=400,
    )


@login_required
@require_POST
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """The lesson editor's live preview (htmx): the body as learners will see it."""
    _require_author(request)
    html = render_markdown(request.POST.get("body", "")[:200_000])
    return render(request, "catalog/author/_preview.html", {"preview": html})


@login_required
def question_edit(request: HttpRequest, slug: str, pk: int | None = None):
    course = _authored(request, slug)
    question = (
        get_object_or_404(course.questions, pk=pk, is_active=True) if pk else None
    )
    # A question learners have answered is history: editing it would change what
    # their attempts say they were asked. Remove it and add a new one instead.
    is_answered = question is not None and question.pk in drawn_question_ids(course)
    data = request.POST or None
    form = forms.QuestionForm(data, instance=question, course=course)
    choices = forms.ChoiceFormSet(data, instance=question, prefix="choices")
    if request.method == "POST" and is_answered:
        form.add_error(None, ANSWERED)
    elif request.method == "POST":
        form_ok = form.is_valid()
        choices.kind = form.cleaned_data.get("kind") if form_ok else choices.kind
        if choices.is_valid() and form_ok:
            actions.save_question(request, course, form, choices)
            messages.success(request, "Question saved.")
            return redirect("catalog:author-course", slug=slug)
    return render(
        request,
        "catalog/author/question_form.html",
        {
            "course": course,
            "question": question,
            "form": form,
            "choices": choices,
            "is_answered": is_answered,
        },
    )


@login_required
@require_POST
def question_retire(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    course = _authored(request, slug)
    question = get_object_or_404(course.questions, pk=pk, is_active=True)
    actions.retire_question(request, course, question)
    messages.success(request, "Question removed from the bank.")
    return redirect("catalog:author-course", slug=slug)


@login_required
def approval_edit(request: HttpRequest, slug: str, pk: int | None = None):
    course = _authored(request, slug)
    approval = get_object_or_404(course.approvals, pk=pk) if pk else None
    data = request.POST or None
    form = forms.ApprovalForm(data, instance=approval)
    credits = forms.CreditFormSet(data, instance=approval, prefix="credits")
    if request.method == "POST" and form.is_valid() and credits.is_valid():
        actions.save_approval(request, course, form, credits)
        messages.success(request, "Approval saved.")
        return redirect("catalog:author-course", slug=slug)
    return render(
        request,
        "catalog/author/approval_form.html",
        {"course": course, "approval": approval, "form": form, "credits": credits},
    )


@login_required
def preview(request: HttpRequest, slug: str, position: int | None = None):
    """The course as a learner sees it, without enrolling: page, then each lesson."""
    course = _authored(request, slug)
    if position is None:
        context = course_context(request, course)
        context["is_preview"] = True
        return render(request, "catalog/course.html", context)
    lesson = get_object_or_404(course.lessons, position=position)
    positions = list(course.lessons.values_list("position", flat=True))
    index = positions.index(position)
    return render(
        request,
        "catalog/author/preview_lesson.html",
        {
            "course": course,
            "lesson": lesson,
            "body": render_markdown(lesson.body),
            "assets": lesson.assets.all(),
            "checks": lesson.knowledge_checks.filter(is_active=True).prefetch_related(
                "choices"
            ),
            "previous": positions[index - 1] if index > 0 else None,
            "next": positions[index + 1] if index + 1 < len(positions) else None,
        },
    )

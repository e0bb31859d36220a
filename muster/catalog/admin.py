from django.contrib import admin

from muster.catalog.models import (
    ApprovalCredit,
    Choice,
    Course,
    CourseApproval,
    Lesson,
    Question,
)


class LessonInline(admin.StackedInline):
    model = Lesson
    extra = 0


class ApprovalInline(admin.TabularInline):
    model = CourseApproval
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "provider", "credited_hours", "release_on", "is_published")
    list_filter = ("is_published", "provider")
    search_fields = ("title", "slug")
    inlines = [LessonInline, ApprovalInline]


class CreditInline(admin.TabularInline):
    model = ApprovalCredit
    extra = 0


@admin.register(CourseApproval)
class CourseApprovalAdmin(admin.ModelAdmin):
    list_display = (
        "course",
        "jurisdiction",
        "approval_number",
        "valid_from",
        "valid_until",
    )
    inlines = [CreditInline]


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("course", "text", "kind", "lesson")
    list_filter = ("course",)
    inlines = [ChoiceInline]

"""URLs of the catalog: browsing under /courses/, authoring under /authoring/."""

from django.urls import path

from muster.catalog import views

app_name = "catalog"

urlpatterns = [
    path("courses/", views.course_list, name="list"),
    path("courses/<slug:slug>/", views.course_detail, name="course"),
    path("courses/<slug:slug>/assets/<int:pk>/", views.asset_file, name="asset"),
    path("authoring/", views.author_home, name="author-home"),
    path("authoring/new/", views.course_new, name="course-new"),
    path(
        "authoring/preview-markdown/", views.markdown_preview, name="markdown-preview"
    ),
    path("authoring/<slug:slug>/", views.author_course, name="author-course"),
    path("authoring/<slug:slug>/publish/", views.publish, name="publish"),
    path("authoring/<slug:slug>/preview/", views.preview, name="preview"),
    path(
        "authoring/<slug:slug>/preview/<int:position>/",
        views.preview,
        name="preview-lesson",
    ),
    path("authoring/<slug:slug>/lessons/new/", views.lesson_edit, name="lesson-new"),
    path(
        "authoring/<slug:slug>/lessons/<int:pk>/",
        views.lesson_edit,
        name="lesson-edit",
    ),
    path(
        "authoring/<slug:slug>/lessons/<int:pk>/assets/",
        views.asset_new,
        name="asset-new",
    ),
    path(
        "authoring/<slug:slug>/questions/new/", views.question_edit, name="question-new"
    ),
    path(
        "authoring/<slug:slug>/questions/<int:pk>/",
        views.question_edit,
        name="question-edit",
    ),
    path(
        "authoring/<slug:slug>/questions/<int:pk>/retire/",
        views.question_retire,
        name="question-retire",
    ),
    path(
        "authoring/<slug:slug>/approvals/new/", views.approval_edit, name="approval-new"
    ),
    path(
        "authoring/<slug:slug>/approvals/<int:pk>/",
        views.approval_edit,
        name="approval-edit",
    ),
]

"""URLs of the agencies app: dashboards, people, and the forms that record training."""

from django.urls import path

from muster.agencies import views

app_name = "agencies"

urlpatterns = [
    path("", views.home, name="home"),
    path("agencies/<slug:code>/", views.dashboard, name="dashboard"),
    path("agencies/<slug:code>/classes/new/", views.record_class, name="class-new"),
    path(
        "agencies/<slug:code>/classes/counts-toward/",
        views.class_counts_toward,
        name="class-counts-toward",
    ),
    path("agencies/<slug:code>/approvals/", views.approvals, name="approvals"),
    path(
        "agencies/<slug:code>/training/<int:pk>/review/",
        views.review_training,
        name="training-review",
    ),
    path(
        "agencies/<slug:code>/exemptions/<int:pk>/decide/",
        views.decide_exemption,
        name="exemption-decide",
    ),
    path("agencies/<slug:code>/people/new/", views.add_person, name="person-new"),
    path(
        "agencies/<slug:code>/people/<int:pk>/edit/",
        views.edit_person,
        name="person-edit",
    ),
    path(
        "agencies/<slug:code>/people/<int:pk>/training/new/",
        views.record_training,
        name="training-new",
    ),
    path(
        "agencies/<slug:code>/people/<int:pk>/qualifications/new/",
        views.record_qualification,
        name="qualification-new",
    ),
    path(
        "agencies/<slug:code>/qualifications/<int:pk>/correct/",
        views.correct_qualification,
        name="qualification-correct",
    ),
    path(
        "agencies/<slug:code>/qualifications/<int:pk>/void/",
        views.void_qualification,
        name="qualification-void",
    ),
    path(
        "agencies/<slug:code>/people/<int:pk>/exemptions/new/",
        views.propose_exemption,
        name="exemption-new",
    ),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/counts-toward/", views.counts_toward, name="counts-toward"),
    path("training/<int:pk>/correct/", views.correct_training, name="training-correct"),
    path("training/<int:pk>/void/", views.void_training, name="training-void"),
    path("my/training/new/", views.self_report, name="self-report"),
    path("my/transcript.pdf", views.own_transcript, name="own-transcript"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
]

"""URLs of online courses under /learn/, and the public certificate check /verify/."""

from django.urls import path

from muster.learning import views

app_name = "learning"

urlpatterns = [
    path(
        "learn/certificates/<str:code>.pdf",
        views.certificate_file,
        name="certificate",
    ),
    path(
        "learn/certificates/<str:code>/revoke/", views.revoke, name="certificate-revoke"
    ),
    path("learn/<slug:slug>/", views.course, name="course"),
    path("learn/<slug:slug>/enroll/", views.enroll, name="enroll"),
    path("learn/<slug:slug>/lessons/<int:position>/", views.lesson, name="lesson"),
    path("learn/<slug:slug>/heartbeat/", views.heartbeat, name="heartbeat"),
    path("learn/<slug:slug>/assessment/", views.take_assessment, name="assessment"),
    path("learn/<slug:slug>/attempts/<int:pk>/", views.attempt, name="attempt"),
    path("verify/", views.verify_lookup, name="verify-lookup"),
    path("verify/<str:code>/", views.verify, name="verify"),
]

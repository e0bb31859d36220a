"""Badge URLs: by certificate code under /verify/, by provider under /issuers/."""

from django.urls import path

from muster.badges import views

app_name = "badges"

urlpatterns = [
    path("verify/badge-check/", views.check_badge, name="check"),
    path("verify/<str:code>/badge.jwt", views.badge, name="badge"),
    path("verify/<str:code>/badge.json", views.badge_json, name="badge-json"),
    path("verify/<str:code>/badge.proof.json", views.badge_proof, name="badge-proof"),
    path("verify/<str:code>/badge-qr.svg", views.badge_qr, name="badge-qr"),
    path("issuers/<slug:code>/did.json", views.issuer_did, name="did"),
    path("issuers/<slug:code>/status-list/", views.status_list, name="status-list"),
]

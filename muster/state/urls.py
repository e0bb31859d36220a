"""URLs of a state's own pages (docs/state.md)."""

from django.urls import path

from muster.state import views

app_name = "state"

urlpatterns = [
    path("states/", views.index, name="index"),
    path("states/<str:state>/", views.overview, name="overview"),
    path(
        "states/<str:state>/at-risk/",
        views.losing_certification,
        name="at-risk",
    ),
    path(
        "states/<str:state>/agencies/<slug:code>/audit-packet.zip",
        views.audit_packet,
        name="packet",
    ),
]

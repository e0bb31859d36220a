"""URLs of the audit app: the trail, for platform administrators and state auditors."""

from django.urls import path

from muster.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.trail, name="trail"),
]

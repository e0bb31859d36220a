"""URLs of the audit app: the trail and its export, for those who may read it."""

from django.urls import path

from muster.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.trail, name="trail"),
    path("export.csv", views.export, name="export"),
]

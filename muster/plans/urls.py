"""URLs of plans."""

from django.urls import path

from muster.plans import views

app_name = "plans"

urlpatterns = [
    path("people/<int:pk>/plan/", views.person_plan, name="person"),
    path("agencies/<slug:code>/plan/", views.agency_plan, name="agency"),
]

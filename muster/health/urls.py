"""The health endpoint's URL."""

from django.urls import path

from muster.health import views

app_name = "health"

urlpatterns = [path("health/", views.health, name="health")]

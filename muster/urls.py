"""Top-level URLs: the admin and each app's pages."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("muster.agencies.urls")),
]

"""The coordinator's xAPI screens, under /agencies/<code>/xapi/."""

from django.urls import path

from muster.xapi import screens

app_name = "xapi-screens"

urlpatterns = [
    path("", screens.agency_page, name="agency"),
    path("clients/", screens.client_new, name="client-new"),
    path("clients/<int:pk>/revoke/", screens.client_revoke, name="client-revoke"),
    path("activities/<int:pk>/", screens.mapping, name="mapping"),
    path("forwarding/", screens.forwarding, name="forwarding"),
]

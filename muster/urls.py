"""Top-level URLs: the admin and each app's pages."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

# The admin signs in through the same page as everyone else, second factor included.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("muster.api.urls")),
    path("account/tokens/", include("muster.api.token_urls")),
    path("audit/", include("muster.audit.urls")),
    path("", include("muster.health.urls")),
    path("agencies/<slug:code>/", include("muster.transfers.urls")),
    path("agencies/<slug:code>/xapi/", include("muster.xapi.agency_urls")),
    # The learning record store; its views are exempt from CSRF (they take no
    # cookies, only an LRS client's credentials) and nothing else is.
    path("xapi/", include("muster.xapi.urls")),
    path("my/transfers/", include("muster.transfers.my_urls")),
    path("", include("muster.lti.urls")),
    path("", include("muster.packages.urls")),
    path("", include("muster.badges.urls")),
    path("", include("muster.learning.urls")),
    path("", include("muster.catalog.urls")),
    path("", include("muster.plans.urls")),
    path("", include("muster.state.urls")),
    path("", include("muster.agencies.urls")),
]
handler500 = "muster.health.errors.server_error"

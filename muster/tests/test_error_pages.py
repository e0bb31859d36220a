"""Error pages are Muster's own: in the site's look, with a way onward, and with no
internal detail (no URL list, no exception text) even when a view explains itself."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import override_settings
from django.urls import path

from muster.test import BaseTestCase
from muster.urls import urlpatterns as project_urls


def _refuse(request):
    raise PermissionDenied("internal: role check failed in access.py")


def _fail(request):
    raise RuntimeError("internal: database exploded")


def _missing(request):
    raise Http404("internal: No TrainingRecord matches the given query.")


urlpatterns = [
    path("test-403/", _refuse),
    path("test-500/", _fail),
    path("test-404/", _missing),
    *project_urls,
]


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
class ErrorPagesTestCase(BaseTestCase):
    def test_an_unknown_address_gets_the_friendly_404(self) -> None:
        response = self.client.get("/no/such/page/")
        self.assertContains(response, "Page not found", status_code=404)
        self.assertContains(response, 'href="/"', status_code=404)
        self.assertContains(response, "/static/muster/muster.css", status_code=404)
        self.assertNotContains(response, "URLconf", status_code=404)

    def test_a_404_does_not_show_the_views_message(self) -> None:
        response = self.client.get("/test-404/")
        self.assertContains(response, "Page not found", status_code=404)
        self.assertNotContains(response, "internal", status_code=404)

    def test_a_refusal_gets_the_friendly_403(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.get("/test-403/")
        self.assertContains(response, "Not allowed", status_code=403)
        self.assertContains(response, "Sign out", status_code=403)
        self.assertNotContains(response, "internal", status_code=403)

    def test_a_crash_gets_the_friendly_500(self) -> None:
        self.client.raise_request_exception = False
        response = self.client.get("/test-500/")
        self.assertContains(response, "Something went wrong", status_code=500)
        self.assertNotContains(response, "exploded", status_code=500)
        self.assertNotContains(response, "Traceback", status_code=500)

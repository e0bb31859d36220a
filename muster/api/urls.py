"""/api/v1/: the API itself, and a problem+json 404 for any other address under it."""

from django.http import HttpRequest
from django.urls import path, re_path

from muster.api.api import api
from muster.api.problems import problem_response


def not_found(request: HttpRequest, rest: str = ""):
    return problem_response(request, 404, "There is nothing at this address.")


urlpatterns = [
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", not_found, name="api-not-found"),
]

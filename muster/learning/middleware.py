"""A lesson page left open does not count as activity (see `ActivityMiddleware`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from muster.learning.seat import IDLE_SINCE


class ActivityMiddleware:
    """Any request but a lesson's heartbeat shows the person is at the screen.

    The heartbeat view signs a learner out once its heartbeats have said "idle"
    for a whole session age (muster.learning.views); a request to any other page,
    from any tab, restarts that count.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and match.view_name != "learning:heartbeat":
            request.session.pop(IDLE_SINCE, None)
        return None

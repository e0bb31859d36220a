"""`/health/`: 200 when Muster can serve, 503 with the reasons when it cannot."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from muster.health import checks


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """The database first: without it the queue, which lives there, cannot answer."""
    problems = {"database": checks.database_problem()}
    if problems["database"] is None:
        problems["queue"] = checks.queue_problem()
    else:
        problems["queue"] = "not checked: the queue is in the database"
    failing = {name: reason for name, reason in problems.items() if reason}
    return JsonResponse(
        {
            "status": "unavailable" if failing else "ok",
            "checks": {name: reason or "ok" for name, reason in problems.items()},
        },
        status=503 if failing else 200,
    )

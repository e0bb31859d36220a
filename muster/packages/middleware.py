"""Keep package content and Muster's pages on their own hosts.

On the content host (MUSTER_PACKAGE_ORIGIN) only package content and static
files answer; on every other host package content does not. So a package can
never be served from Muster's own origin, where it could script Muster's pages,
and Muster's pages are never served on the content origin.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseNotFound

from muster.packages.launch import CONTENT_PREFIX, content_host


class ContentOriginMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        host = content_host()
        on_content_host = bool(host) and request.get_host().lower() == host
        is_content = request.path.startswith(CONTENT_PREFIX)
        static = "/" + settings.STATIC_URL.lstrip("/")
        if on_content_host and not (is_content or request.path.startswith(static)):
            return HttpResponseNotFound("Only package content is served here.")
        if is_content and not on_content_host:
            return HttpResponseNotFound(
                "Package content is served from its own origin."
            )
        return self.get_response(request)

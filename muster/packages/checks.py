"""A system check: the content origin must not receive Muster's cookies."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from muster.packages.launch import content_host


@checks.register(checks.Tags.security)
def content_origin_is_apart(app_configs, **kwargs) -> list[checks.CheckMessage]:
    host = content_host().split(":")[0]
    found = []
    for name in ("SESSION_COOKIE_DOMAIN", "CSRF_COOKIE_DOMAIN"):
        domain = (getattr(settings, name, None) or "").lstrip(".")
        if host and domain and (host == domain or host.endswith("." + domain)):
            found.append(
                checks.Error(
                    f"{name} ({domain}) covers the package content host ({host}): "
                    "package content would receive Muster's cookies.",
                    hint="Leave it unset, or serve content from an unrelated domain "
                    "(docs/packages.md).",
                    id="packages.E001",
                )
            )
    return found

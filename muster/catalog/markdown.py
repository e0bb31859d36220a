"""Author-written Markdown to safe HTML, for course descriptions and lessons.

Markdown comes from course files and from provider staff, so its output is never
trusted: after rendering, nh3 (the Ammonia sanitiser) keeps only the tags and
attributes Markdown itself produces. Scripts, styles, event handlers, frames,
forms and `javascript:` or `data:` URLs are removed; links may point to http,
https, mailto or this site; images only to this site or to https.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt",
    "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p",
    "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}
EXTENSIONS = ["extra", "sane_lists"]


def render_markdown(text: str) -> SafeString:
    """Render `text` as Markdown and return HTML safe to put in any page.

    >>> str(render_markdown("**Hi** <script>alert(1)</script>"))
    '<p><strong>Hi</strong> </p>'
    """
    html = markdown_lib.markdown(text or "", extensions=EXTENSIONS)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_filter_attribute,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above.


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Drop image sources that are neither on this site nor https."""
    if tag == "img" and attribute == "src" and not is_safe_image_url(value):
        return None
    return value


def is_safe_image_url(url: str) -> bool:
    """Whether an image may load from `url`: a path on this site, or https.

    >>> [is_safe_image_url(u) for u in ("/media/a.png", "https://x.org/a.png")]
    [True, True]
    >>> [is_safe_image_url(u) for u in ("http://x.org/a.png", "//x.org/a.png")]
    [False, False]
    """
    parts = urlsplit(url.strip())
    if parts.scheme:
        return parts.scheme.lower() == "https" and bool(parts.netloc)
    # A protocol-relative URL (//host/...) names another site.
    return not parts.netloc and not url.strip().startswith("\\")

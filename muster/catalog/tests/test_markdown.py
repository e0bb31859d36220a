"""render_markdown: Markdown in, HTML with nothing executable out."""

import pytest

from muster.catalog.markdown import render_markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '<iframe src="https://evil.example"></iframe>',
    "<object data=x></object><embed src=x>",
    '<form action="https://evil.example"><input name=p></form>',
    "<style>body{display:none}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div onclick="alert(1)">x</div>',
    "<meta http-equiv=refresh content='0;url=https://evil.example'>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_it_removes_everything_executable(payload: str) -> None:
    html = str(render_markdown(payload)).lower()
    for bad in (
        "<script", "onerror", "onload", "onclick", "javascript:", "data:",
        "<iframe", "<object", "<embed", "<form", "<input", "<style", "style=",
        "<meta", "<svg", "<math",
    ):  # fmt: skip
        assert bad not in html, f"{bad!r} survived in {html!r}"


def test_it_renders_ordinary_markdown() -> None:
    html = str(render_markdown("# Title\n\n**bold** and *em*\n\n- one\n- two"))
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html
    assert "<li>one</li>" in html


def test_it_renders_tables_and_code() -> None:
    html = str(render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n`<b>`"))
    assert "<td>1</td>" in html
    assert "<code>&lt;b&gt;</code>" in html


def test_it_keeps_safe_links_and_marks_them() -> None:
    html = str(render_markdown("[POST](https://dps.mo.gov/) [here](/courses/)"))
    assert 'href="https://dps.mo.gov/"' in html
    assert 'href="/courses/"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_it_allows_images_from_this_site_and_https_only() -> None:
    html = str(
        render_markdown(
            "![a](/media/a.png) ![b](https://cdn.example/b.png) "
            "![c](http://cdn.example/c.png) ![d](//cdn.example/d.png)"
        )
    )
    assert 'src="/media/a.png"' in html
    assert 'src="https://cdn.example/b.png"' in html
    assert "http://cdn.example" not in html
    assert "//cdn.example/d.png" not in html


def test_it_handles_empty_text() -> None:
    assert str(render_markdown("")) == ""

"""Accessibility checks for browser tests: axe-core (from npm) run inside the page.

axe-core is installed by `npm ci` from the repository's package.json into
node_modules/. Muster's Content Security Policy allows no inline script, so the
library is not added as a <script> tag: its source is evaluated through the
DevTools protocol (Playwright's `page.evaluate`), which page CSP does not govern,
and the page under test keeps its real policy.

    from muster.tests.a11y import require_axe, serious_violations, describe

    require_axe()                       # skip locally, fail on CI, if not installed
    found = serious_violations(page)
    assert not found, describe(found)
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")

_RUN = """async () => {
  const result = await window.axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.slice(0, 5).map((n) => ({
      target: n.target.join(" "),
      html: n.html.slice(0, 200),
      summary: n.failureSummary || "",
    })),
  }));
}"""


def axe_problem() -> str | None:
    """Why axe-core cannot be used here, or None."""
    if not AXE.exists():
        return (
            f"{AXE.relative_to(ROOT)} is missing; run `npm ci` in the repository "
            "root to install axe-core for the accessibility checks"
        )
    return None


def require_axe() -> None:
    """Skip the test (locally) or fail it (on CI) when axe-core is not installed.

    CI is read as the root conftest.py reads it (CI=true, 1 or yes)."""
    problem = axe_problem()
    if problem is None:
        return
    if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
        pytest.fail(f"CI=true but {problem}", pytrace=False)
    pytest.skip(problem)


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def violations(page) -> list[dict]:
    """Every axe-core violation on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated over the DevTools protocol, not through a <script> element,
        # so the page's strict Content Security Policy does not block it.
        page.evaluate(_axe_source())
    return page.evaluate(_RUN)


def serious_violations(page) -> list[dict]:
    """The violations axe-core rates serious or critical."""
    return [v for v in violations(page) if v["impact"] in SERIOUS]


def describe(found: list[dict]) -> str:
    """A readable report of violations, for an assertion message."""
    lines = []
    for v in found:
        lines.append(f"{v['impact']}: {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    at {node['target']}: {node['html']}")
            if node["summary"]:
                lines.append("      " + node["summary"].replace("\n", "\n      "))
    return "\n".join(lines)

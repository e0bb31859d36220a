"""Isolation cases for the audit trail page and its export, read by
muster/tests/test_isolation.py.

Format and rules: see the docstring of muster/agencies/tests/isolation_cases.py.
Neither takes an object: officers are refused them, coordinators and heads see
only their own agency's entries and a Tennessee auditor only Tennessee's, so none
of them may see Oakdale's entry about Charlie, even when filtering for it
(the filters echo what was typed, so they name the course, not Charlie).
(Filtering by another agency's person is refused: test_trail_page.py.)
"""

from muster.tests.isolation import Case

CASES = {
    "audit:trail": Case(build=None, query="?record=Patrol&actor=dana"),
    "audit:export": Case(build=None, query="?record=Patrol"),
}

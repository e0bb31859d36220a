"""Isolation cases for the audit trail page, read by muster/tests/test_isolation.py.

Format and rules: see the docstring of muster/agencies/tests/isolation_cases.py.
The page takes no object: officers, coordinators and heads are refused it, and a
Tennessee auditor sees it without Oakdale's (Missouri) entries.
"""

from muster.tests.isolation import NO_OBJECT

CASES = {
    "audit:trail": NO_OBJECT,
}

"""Isolation cases for the health endpoint, read by muster/tests/test_isolation.py.

Format and rules: see the docstring of muster/agencies/tests/isolation_cases.py.
`/health/` is public and takes no object; the matrix checks that no caller, signed
in or not, sees another agency's names in it (it shows none at all: see
muster/health/checks.py).
"""

from muster.tests.isolation import NO_OBJECT

CASES = {
    "health:health": NO_OBJECT,
}

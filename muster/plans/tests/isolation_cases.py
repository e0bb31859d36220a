"""Isolation cases for plans (see muster/agencies/tests/isolation_cases.py)."""

from muster.tests.isolation import Case

CASES = {
    # Another agency's officer's plan names them and their gaps.
    "plans:person": Case(lambda t: [{"pk": t.charlie_person.pk}]),
    # The agency plan names every person of the agency.
    "plans:agency": Case(lambda t: [{"code": t.other_agency.code}]),
}

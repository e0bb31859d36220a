"""Isolation cases for the state view (see muster/agencies/tests/isolation_cases.py).

Oakdale is a Missouri agency: Tess, who audits Tennessee, and every agency role
must see nothing of Missouri's page, its list of people at risk, or Oakdale's
audit packet, whichever state the address names.
"""

from muster.tests.isolation import NO_OBJECT, Case

CASES = {
    # Lists only the states the user audits.
    "state:index": NO_OBJECT,
    "state:overview": Case(lambda t: [{"state": "mo"}, {"state": "MO"}]),
    "state:at-risk": Case(lambda t: [{"state": "mo"}]),
    # The packet holds every record of Oakdale's people; a Tennessee address
    # with Oakdale's code is refused too.
    "state:packet": Case(
        lambda t: [
            {"state": "mo", "code": t.other_agency.code},
            {"state": "tn", "code": t.other_agency.code},
        ]
    ),
}

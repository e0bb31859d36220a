"""Isolation cases for badges, read by muster/tests/test_isolation.py.

A certificate's credential is public only through its verify code, like the
verify page, so those cases use a code that was never issued: the answer must be
a 404 that names nobody. A provider's DID document and status list are public
and name no person; their cases point at the other agency, which has no signing
key and so no document. The badge check takes no object (a posted file).
"""

from __future__ import annotations

from muster.tests.isolation import Case


def _never_issued(t) -> list[dict]:
    return [{"code": "NEVE-RISS-UEDX-CODE"}]


def _other_agency(t) -> list[dict]:
    return [{"code": t.other_agency.code}]


CASES = {
    "badges:badge": Case(_never_issued, note="Public by its verify code."),
    "badges:badge-json": Case(_never_issued, note="Public by its verify code."),
    "badges:badge-proof": Case(_never_issued, note="Public by its verify code."),
    "badges:badge-qr": Case(_never_issued, note="Public by its verify code."),
    "badges:did": Case(_other_agency, note="Public; names no person."),
    "badges:status-list": Case(_other_agency, note="Public; names no person."),
    "badges:check": Case(build=None, methods=("POST",)),
}

"""The API under an OpenAPI fuzzer (schemathesis): for inputs generated from the
schema, valid and invalid, no answer is a server error and every answer's status,
content type and body are the ones the schema declares.

Requests go straight to the WSGI application, inside the test's transaction, with
a read-write token of a coordinator whose agency has a person and a record, so
that generated ids and bodies sometimes reach real rows and real writes.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks

from muster.accounts.choices import Role
from muster.agencies.models import Agency
from muster.api.tests.helpers import token_for
from muster.test import make_person, make_record, make_user

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def secret(db):
    # As Django's test client does: the end of a request must not close the
    # test's connection (and with it, its transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield _secret()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _secret() -> str:
    agency = Agency.objects.create(
        name="Fuzz PD", code="fuzz-pd", kind="sheriff", state="MO"
    )
    person = make_person("Fay", "Fuzz", agency)
    make_record(person, agency)
    return token_for(make_user("fuzzer", (Role.COORDINATOR, agency)))


# Each example is a whole request through the application, for each of some twenty
# operations: a fixed budget keeps the suite inside its time whatever profile the
# property tests run under (the CI profile's 150 examples would take a quarter
# of an hour here). Derandomised, so that CI runs exactly the requests a local run
# did: a finding is reproduced by running the test again, not by luck.
# MUSTER_FUZZ_EXAMPLES raises the budget for a longer hunt on a quiet machine
# (docs/api.md, "Fuzzing").
FUZZ_EXAMPLES = int(os.environ.get("MUSTER_FUZZ_EXAMPLES", "20"))


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_breaks_the_api(case, secret):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {secret}"},
        # A schema cannot say "a cursor this API made" or "a day not in the
        # future": such inputs are schema-valid yet rightly refused (400, 422).
        excluded_checks=[checks.positive_data_acceptance],
    )

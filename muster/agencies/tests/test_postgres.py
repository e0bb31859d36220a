"""PostgreSQL specifics: the deployment database, run by .ci/run's second pass."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from muster.agencies import compliance
from muster.agencies.models import License

pytestmark = pytest.mark.postgres


def test_it_runs_on_postgresql(db):
    assert connection.vendor == "postgresql"


def test_it_finds_licenses_by_attribute_with_json_containment(officer):
    traffic = License.objects.create(
        person=officer,
        jurisdiction="TN",
        discipline="peace-officer",
        attributes=["traffic-enforcement", "k9"],
    )
    found = License.objects.filter(attributes__contains=["traffic-enforcement"])
    assert list(found) == [traffic]


def test_it_keeps_hundredths_of_hours_exact(officer):
    record = officer.training_records.first()
    record.credit_lines.update(hours=Decimal("1.25"))
    hours = {line.hours for line in compliance.lines_for(officer)}
    assert Decimal("1.25") in hours
    result = compliance.evaluate_person(officer, "MO", 2021, date(2022, 6, 1))[0]
    assert result.requirement("total").earned % Decimal("0.01") == 0

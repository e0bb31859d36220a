"""Training records: voiding instead of deleting, and what reaches the engine."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from muster.agencies import compliance
from muster.agencies.models import CreditLine, Exemption, TrainingRecord
from muster.agencies.tests.helpers import add_record, make_person


@pytest.fixture
def record(db):
    person = make_person()
    return add_record(
        person, date(2021, 3, 1), ("4", "legal", []), title="Legal update"
    )


def test_it_sends_a_records_lines_to_the_engine(record):
    assert [line.label for line in compliance.lines_for(record.person)] == [
        "Legal update"
    ]


def test_it_keeps_a_voided_records_lines_from_the_engine(record):
    record.void("Entered twice")

    assert compliance.lines_for(record.person) == []
    record.refresh_from_db()
    assert record.is_void
    assert record.void_reason == "Entered twice"
    assert record.credit_lines.count() == 1


def test_it_refuses_to_void_without_a_reason(record):
    with pytest.raises(ValueError, match="needs a reason"):
        record.void("  ")


def test_it_is_never_deleted(record):
    with pytest.raises(TypeError, match="void"):
        record.delete()
    assert TrainingRecord.objects.filter(pk=record.pk).exists()


def test_it_cannot_be_void_without_a_reason_in_the_database(record):
    with pytest.raises(IntegrityError):
        TrainingRecord.objects.filter(pk=record.pk).update(is_void=True)


def test_it_refuses_negative_hours_in_the_database(record):
    with pytest.raises(IntegrityError):
        CreditLine.objects.create(record=record, hours=-1)


def test_it_credits_make_up_hours_only_to_an_earlier_year(record):
    record.counts_for = 2021
    with pytest.raises(ValidationError, match="year before completion"):
        record.full_clean()
    record.counts_for = 2020
    record.full_clean()


def test_it_refuses_topics_that_are_not_a_list_of_words(record):
    line = record.credit_lines.get()
    line.topics = "firearms"
    with pytest.raises(ValidationError, match="list of words"):
        line.full_clean()


def test_it_refuses_an_exemption_ending_before_it_starts(record):
    exemption = Exemption(
        person=record.person,
        kind="waiver",
        starts_on=date(2021, 5, 1),
        ends_on=date(2021, 4, 1),
    )
    with pytest.raises(ValidationError, match="end before it starts"):
        exemption.full_clean()
    with pytest.raises(IntegrityError):
        exemption.save()


def test_it_belongs_to_the_year_of_completion_or_of_make_up(record):
    of_year = TrainingRecord.objects.for_year
    assert list(of_year(2021)) == [record]
    assert not of_year(2020).exists()
    record.counts_for = 2020
    record.save(update_fields=["counts_for"])
    assert list(of_year(2020)) == [record]
    assert list(of_year(2021)) == [record]

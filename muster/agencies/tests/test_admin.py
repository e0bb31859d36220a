"""Admin screens: every list and form opens; records are voided, never deleted."""

from datetime import date

import pytest

from muster.agencies.models import TrainingRecord
from muster.agencies.tests.helpers import add_record, make_person
from muster.audit.log import history_for
from muster.audit.verify import verify_chain


@pytest.fixture
def record(db):
    return add_record(make_person(), date(2021, 3, 1), ("4", "legal", []))


@pytest.mark.parametrize("model", ["person", "license", "trainingrecord", "exemption"])
def test_it_lists_and_adds_each_model(admin_client, record, model):
    assert admin_client.get(f"/admin/agencies/{model}/").status_code == 200
    assert admin_client.get(f"/admin/agencies/{model}/add/").status_code == 200


def test_it_shows_a_record_with_its_credit_lines(admin_client, record):
    response = admin_client.get(f"/admin/agencies/trainingrecord/{record.pk}/change/")
    assert response.status_code == 200
    assert b"credit_lines-0-hours" in response.content


def test_it_offers_no_way_to_delete_a_record(admin_client, record):
    url = f"/admin/agencies/trainingrecord/{record.pk}/delete/"
    assert admin_client.get(url).status_code == 403
    listing = admin_client.get("/admin/agencies/trainingrecord/").content
    assert b"delete_selected" not in listing


def test_it_voids_selected_records(admin_client, admin_user, record):
    admin_client.post(
        "/admin/agencies/trainingrecord/",
        {"action": "void_records", "_selected_action": [record.pk]},
    )
    record.refresh_from_db()
    assert record.is_void
    assert record.void_reason == f"Voided in the admin by {admin_user.username}"
    assert TrainingRecord.objects.count() == 1
    entry = history_for(record).get()
    assert (entry.action, entry.actor, entry.before["is_void"]) == (
        "training.void",
        admin_user,
        False,
    )


def test_it_refuses_a_topic_outside_the_shared_list(admin_client, record):
    line = record.credit_lines.get()
    response = admin_client.post(
        f"/admin/agencies/trainingrecord/{record.pk}/change/",
        {
            "person": record.person.pk,
            "title": record.title,
            "completed_on": "2021-03-01",
            "provider_kind": "other",
            "delivery": "live",
            "credit_lines-TOTAL_FORMS": "1",
            "credit_lines-INITIAL_FORMS": "1",
            "credit_lines-0-id": line.pk,
            "credit_lines-0-record": record.pk,
            "credit_lines-0-hours": "4",
            "credit_lines-0-area": "legal",
            "credit_lines-0-topics": '["juggling"]',
        },
    )
    assert response.status_code == 200
    assert b"Unknown topic(s): juggling" in response.content


def change_form(record, hours: str, **extra) -> dict:
    line = record.credit_lines.get()
    return {
        "person": record.person.pk,
        "title": record.title,
        "completed_on": "2021-03-01",
        "provider_kind": "other",
        "delivery": "live",
        "approval": "approved",
        "source": "manual",
        "credit_lines-TOTAL_FORMS": "1",
        "credit_lines-INITIAL_FORMS": "1",
        "credit_lines-0-id": line.pk,
        "credit_lines-0-record": record.pk,
        "credit_lines-0-hours": hours,
        "credit_lines-0-area": "legal",
        "credit_lines-0-topics": "[]",
        **extra,
    }


def test_it_refuses_an_admin_change_without_a_reason(admin_client, record):
    url = f"/admin/agencies/trainingrecord/{record.pk}/change/"
    response = admin_client.post(url, change_form(record, "6"))
    assert response.status_code == 200
    assert b"change_reason" in response.content
    assert record.credit_lines.get().hours == 4
    assert not history_for(record).exists()


def test_it_audits_an_admin_change_and_its_credit_lines(
    admin_client, admin_user, record
):
    url = f"/admin/agencies/trainingrecord/{record.pk}/change/"
    reason = "Sign-in sheet shows 6 hours"
    response = admin_client.post(url, change_form(record, "6", change_reason=reason))
    assert response.status_code == 302, response.content[:2000]
    line = record.credit_lines.get()
    assert line.hours == 6
    # One entry about the record, holding its credit lines before and after.
    (entry,) = history_for(record)
    assert entry.action == "training.correct"
    hours = [entry.before["credit_lines"][0]["hours"]]
    hours.append(entry.after["credit_lines"][0]["hours"])
    assert hours == ["4.00", "6.00"]
    assert (entry.reason, entry.actor) == (reason, admin_user)
    assert not history_for(line).exists()
    assert verify_chain().is_intact

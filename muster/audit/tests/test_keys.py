"""Audit keys: configured outside the database, rotated without breaking the chain."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from muster.audit.apps import check_audit_keys
from muster.audit.choices import Action
from muster.audit.keys import parse_keys
from muster.audit.log import record_event
from muster.audit.verify import verify_chain

OLD = "2025a:" + "o" * 40
NEW = "2026a:" + "n" * 40
# The line of .env.example, which a deployment copies and may forget to edit.
EXAMPLE = next(
    line.partition("=")[2]
    for line in (Path(__file__).resolve().parents[3] / ".env.example")
    .read_text()
    .splitlines()
    if line.startswith("MUSTER_AUDIT_KEYS=")
)


@pytest.mark.django_db
def test_after_a_rotation_new_entries_use_the_new_key_and_old_ones_still_verify():
    with override_settings(AUDIT_KEYS=OLD):
        record_event(Action.SIGNIN)
    with override_settings(AUDIT_KEYS=f"{NEW}\n{OLD}"):
        assert record_event(Action.SIGNOUT).key_id == "2026a"
        assert verify_chain().problems == []
    with override_settings(AUDIT_KEYS=NEW):
        assert verify_chain().problems == [
            "entry #1 names key '2025a', which is not configured (MUSTER_AUDIT_KEYS)"
        ]


def test_keys_are_id_secret_pairs_with_long_secrets():
    assert list(parse_keys(f"{NEW}, {OLD}")) == ["2026a", "2025a"]
    with pytest.raises(ImproperlyConfigured, match="at least 32 characters"):
        parse_keys("2026a:short")
    with pytest.raises(ImproperlyConfigured, match="names key '2026a' twice"):
        parse_keys(f"{NEW},{NEW}")


@pytest.mark.parametrize(
    ("keys", "code"),
    [
        ("", "muster.audit.E001"),
        ("dev:" + "d" * 40, "muster.audit.E001"),
        (EXAMPLE, "muster.audit.E001"),  # .env.example's, copied unedited
        ("bad", "muster.audit.E002"),
        (NEW, None),
    ],
)
def test_the_deploy_check_wants_keys_of_ones_own(keys, code):
    with override_settings(AUDIT_KEYS=keys):
        assert [m.id for m in check_audit_keys()] == ([code] if code else [])

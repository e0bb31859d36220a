"""The seed_demo command: the demo world, its logins, and doing it only once."""

from collections import Counter
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from muster.accounts.choices import Role
from muster.accounts.models import User
from muster.agencies import compliance
from muster.agencies.models import (
    Agency,
    Employment,
    Person,
    Qualification,
    TrainingRecord,
)
from muster.agencies.tests.conftest import TODAY


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def passwords(output: str) -> dict[str, str]:
    return {
        line.split()[1]: line.split("password: ")[1].strip()
        for line in output.splitlines()
        if line.startswith("Login: ")
    }


@time_machine.travel(TODAY, tick=False)
@override_settings(DEBUG=True)
class SeedDemoTestCase(TestCase):
    """The demo world is built once for the class (a few seconds of work);
    each test sees it as built and its own changes are rolled back."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.seeded = run("seed_demo")

    def test_standings_verify_is_clean_after_the_demo(self):
        from muster.agencies.compliance.standings import verify_standings
        from muster.agencies.models import StandingSummary

        assert StandingSummary.objects.count() >= 250
        assert verify_standings() == []
        run("standings", "verify")  # raises CommandError on any difference

    def test_every_demo_record_is_on_the_audit_trail(self):
        from muster.audit.verify import verify

        report = verify()
        assert report.problems == []
        assert report.records > 250 * 3

    def test_the_trail_says_whose_training_record_each_entry_is(self):
        from muster.audit.models import AuditEntry

        record = TrainingRecord.objects.select_related("person").first()
        entry = AuditEntry.objects.get(
            action="training.create", object_id=str(record.pk)
        )
        assert entry.object_label.startswith(f"{record.person}: ")

    def test_it_creates_five_agencies_and_about_250_people(self):
        assert "Created 5 demo agencies, 250 people" in self.seeded
        kinds = Counter(Agency.objects.values_list("state", "kind"))
        assert kinds == {
            ("MO", "police-department"): 1,
            ("MO", "sheriff"): 1,
            ("MO", "psap"): 1,
            ("TN", "police-department"): 1,
            ("AL", "police-department"): 1,
        }
        assert Person.objects.count() == 250
        assert not Person.objects.exclude(employments__isnull=False).exists()
        years = TrainingRecord.objects.dates("completed_on", "year")
        assert [d.year for d in years] == list(range(2019, 2027))

    def test_it_prints_logins_for_a_coordinator_and_an_officer(self):
        logins = passwords(self.seeded)
        assert set(logins) == {"coordinator", "officer", "head", "auditor", "admin"}
        coordinator = User.objects.get(username="coordinator")
        assert coordinator.check_password(logins["coordinator"])
        assert coordinator.active_grants().get().role == Role.COORDINATOR
        assert coordinator.needs_mfa
        assert coordinator.email == "training@riverton-pd.example.org"
        assert "enrol an authenticator app" in self.seeded
        officer = User.objects.get(username="officer")
        assert officer.check_password(logins["officer"])
        assert officer.person is not None and not officer.needs_mfa

    def test_it_prints_logins_for_the_head_the_auditor_and_the_admin(self):
        logins = passwords(self.seeded)
        head = User.objects.get(username="head")
        assert head.check_password(logins["head"])
        grant = head.active_grants().get()
        assert (grant.role, grant.agency.code) == (Role.AGENCY_HEAD, "riverton-pd")
        auditor = User.objects.get(username="auditor").active_grants().get()
        assert (auditor.role, auditor.state) == (Role.STATE_AUDITOR, "MO")
        admin = User.objects.get(username="admin")
        assert admin.is_superuser and admin.is_staff and admin.needs_mfa
        assert "'head' approves waivers" in self.seeded

    def test_it_does_nothing_the_second_time(self):
        records = TrainingRecord.objects.count()
        output = run("seed_demo")
        assert "Demo data already present; nothing added." in output
        assert "its password is unchanged" in output
        assert TrainingRecord.objects.count() == records
        assert User.objects.count() == 5

    def test_it_gives_both_logins_new_passwords_on_request(self):
        logins = passwords(run("seed_demo", "--reset-password"))
        for username, password in logins.items():
            assert User.objects.get(username=username).check_password(password)
        assert len(logins) == 5

    def test_it_shows_every_status_a_transfer_a_waiver_and_qualifications(self):
        today = timezone.localdate()
        people = Person.objects.prefetch_related(
            "licenses",
            "exemptions",
            "qualifications",
            "training_records__credit_lines",
        )
        this_year = [
            m
            for person in people
            for s in compliance.standing_for(person, today.year, today)
            for m in s.mandates
        ]
        last_year = Counter(
            m.status
            for person in people
            for s in compliance.standing_for(person, today.year - 1, today)
            for m in s.mandates
        )
        assert {"compliant", "at-risk", "exempt"} <= {m.status for m in this_year}
        assert last_year["deficient"] >= 10
        waived = [
            m.result
            for m in this_year
            if any("waived" in n for q in m.result.requirements for n in q.notes)
        ]
        assert len(waived) == 2 and {w.status for w in waived} == {"exempt"}
        moved = Person.objects.filter(employments__ends_on__isnull=False).get()
        assert set(moved.employments.values_list("agency__code", flat=True)) == {
            "osage-bend-so",
            "riverton-pd",
        }
        assert set(moved.training_records.values_list("agency__code", flat=True)) == {
            "osage-bend-so",
            "riverton-pd",
        }
        assert Employment.objects.current().filter(person=moved).get().agency.code == (
            "riverton-pd"
        )
        results = Counter(Qualification.objects.values_list("agency__state", "result"))
        assert results[("AL", "fail")] == 1 and results[("AL", "pass")] > 100
        assert TrainingRecord.objects.filter(is_void=True).count() == 1
        assert TrainingRecord.objects.exclude(counts_for=None).count() > 1


def test_seed_demo_refuses_to_run_outside_development(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only in development"):
        run("seed_demo")
    assert not Person.objects.exists()

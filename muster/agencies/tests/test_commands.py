"""The seed_demo and check_mandates management commands."""

from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from muster.agencies import compliance
from muster.agencies.models import Person, TrainingRecord


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


@pytest.mark.usefixtures("debug", "frozen_today")
class TestSeedDemo:
    def test_it_creates_demo_people_and_a_coordinator_login(self, db):
        output = run("seed_demo")

        assert "Login: coordinator  password: " in output
        assert "Created 38 demo people" in output
        assert Person.objects.filter(licenses__jurisdiction="MO").count() == 32
        assert Person.objects.filter(licenses__jurisdiction="TN").count() == 3
        assert Person.objects.filter(licenses__jurisdiction="AL").count() == 3
        user = get_user_model().objects.get(username="coordinator")
        assert user.is_superuser and user.is_staff
        password = output.split("password: ")[1].split()[0]
        assert user.check_password(password)

    def test_it_does_nothing_the_second_time(self, db):
        run("seed_demo")
        records = TrainingRecord.objects.count()

        output = run("seed_demo")

        assert "Demo data already present; nothing added." in output
        assert "its password is unchanged" in output
        assert TrainingRecord.objects.count() == records
        assert get_user_model().objects.count() == 1

    def test_it_gives_the_login_a_new_password_on_request(self, db):
        run("seed_demo")
        output = run("seed_demo", "--reset-password")
        password = output.split("password: ")[1].split()[0]
        assert get_user_model().objects.get().check_password(password)

    def test_it_produces_a_mix_of_statuses(self, db):
        run("seed_demo")
        today = timezone.localdate()
        people = Person.objects.prefetch_related(
            "licenses", "exemptions", "training_records__credit_lines"
        )
        rows = compliance.overview(people, today.year, today)

        this_year = Counter(compliance.count_statuses(r.current for r in rows))
        last_year = Counter(compliance.count_statuses(r.previous for r in rows))

        assert {"compliant", "at-risk", "exempt"} <= set(this_year)
        assert last_year["deficient"] >= 3
        waived = [
            m.result
            for r in rows
            for m in r.current.mandates
            if any("waived" in n for q in m.result.requirements for n in q.notes)
        ]
        assert len(waived) == 1 and waived[0].status == "exempt"
        assert TrainingRecord.objects.filter(is_void=True).count() == 1
        assert TrainingRecord.objects.exclude(counts_for=None).count() == 1


def test_seed_demo_refuses_to_run_outside_development(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only in development"):
        run("seed_demo")
    assert not Person.objects.exists()


def test_check_mandates_lists_the_jurisdictions_loaded():
    output = run("check_mandates")
    assert "MO Missouri: Missouri peace officer continuing law enforcement" in output
    assert "Mandates OK:" in output


def test_check_mandates_fails_with_the_loaders_message(tmp_path: Path):
    state = tmp_path / "us" / "zz"
    state.mkdir(parents=True)
    (state / "index.yaml").write_text("code: ZZ\nname: [unclosed\n")
    with pytest.raises(CommandError, match=r"index\.yaml: not valid YAML"):
        run("check_mandates", "--root", str(tmp_path))


def test_check_mandates_fails_on_an_empty_folder(tmp_path: Path):
    with pytest.raises(CommandError, match="no jurisdiction folders"):
        run("check_mandates", "--root", str(tmp_path))

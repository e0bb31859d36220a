"""Settings helpers: environment variables in, clear errors for malformed values."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from muster.settings import env_bool, env_int, env_list, env_secret, env_str


def test_env_bool_reads_yes_and_no_words(monkeypatch):
    monkeypatch.setenv("MUSTER_FLAG", " Yes ")
    assert env_bool("MUSTER_FLAG", False) is True
    monkeypatch.setenv("MUSTER_FLAG", "off")
    assert env_bool("MUSTER_FLAG", True) is False
    monkeypatch.setenv("MUSTER_FLAG", "")
    assert env_bool("MUSTER_FLAG", True) is True


def test_env_bool_names_the_variable_when_malformed(monkeypatch):
    monkeypatch.setenv("MUSTER_FLAG", "maybe")
    with pytest.raises(
        ImproperlyConfigured, match="MUSTER_FLAG must be one of .*'maybe'"
    ):
        env_bool("MUSTER_FLAG", False)


def test_env_int_reads_whole_numbers(monkeypatch):
    monkeypatch.delenv("MUSTER_NUMBER", raising=False)
    assert env_int("MUSTER_NUMBER", 7) == 7
    monkeypatch.setenv("MUSTER_NUMBER", "600")
    assert env_int("MUSTER_NUMBER", 7) == 600


def test_env_int_names_the_variable_when_malformed(monkeypatch):
    monkeypatch.setenv("MUSTER_NUMBER", "ten")
    with pytest.raises(
        ImproperlyConfigured, match="MUSTER_NUMBER must be a whole number"
    ):
        env_int("MUSTER_NUMBER", 7)


def test_env_str_and_env_list(monkeypatch):
    monkeypatch.setenv("MUSTER_HOSTS", " a.example, b.example ,, ")
    assert env_str("MUSTER_HOSTS") == "a.example, b.example ,,"
    assert env_list("MUSTER_HOSTS", []) == ["a.example", "b.example"]


def test_env_secret_reads_a_file_named_by_name_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("MUSTER_TOKEN", "ignored")
    monkeypatch.setenv("MUSTER_TOKEN_FILE", str(secret))
    assert env_secret("MUSTER_TOKEN") == "s3cret"


def test_env_secret_says_when_the_file_cannot_be_read(monkeypatch, tmp_path):
    monkeypatch.setenv("MUSTER_TOKEN_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="MUSTER_TOKEN_FILE names .*missing"):
        env_secret("MUSTER_TOKEN")


def load_settings(**env: str) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with only `env` set for Muster."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MUSTER_")}
    clean.pop("DATABASE_URL", None)
    code = (
        "import muster.settings as s; "
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.ALLOWED_HOSTS)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_need_a_secret_key_when_debug_is_off():
    result = load_settings(MUSTER_DEBUG="false")
    assert result.returncode != 0
    assert "MUSTER_SECRET_KEY must be set when MUSTER_DEBUG is off" in result.stderr


def test_settings_refuse_a_malformed_debug_value():
    result = load_settings(MUSTER_DEBUG="sometimes")
    assert "MUSTER_DEBUG must be one of" in result.stderr


def test_settings_default_to_sqlite_in_development():
    result = load_settings()
    assert result.stdout.split()[:2] == ["True", "django.db.backends.sqlite3"]


def test_settings_select_postgresql_from_database_url():
    result = load_settings(
        MUSTER_DEBUG="false",
        MUSTER_SECRET_KEY="x" * 50,
        MUSTER_ALLOWED_HOSTS="muster.example",
        DATABASE_URL="postgres://muster@db.example:5432/muster",
    )
    assert result.stdout.split() == [
        "False",
        "django.db.backends.postgresql",
        "['muster.example']",
    ]


def test_settings_refuse_a_malformed_database_url():
    result = load_settings(DATABASE_URL="mongodb://db.example/muster")
    assert result.returncode != 0
    assert "DATABASE_URL is not usable: Scheme 'mongodb://' is unknown" in result.stderr

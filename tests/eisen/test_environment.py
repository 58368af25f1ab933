import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from eisen.environment import broker_from_env, database_from_env, env_bool, env_list

PROJECT_DIR = Path(__file__).resolve().parents[2]


def test_database_defaults_to_sqlite_when_unset(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = database_from_env("DATABASE_URL", default_sqlite_path="/tmp/x.sqlite3")
    assert config == {"ENGINE": "django.db.backends.sqlite3", "NAME": "/tmp/x.sqlite3"}


def test_database_url_switches_to_postgresql(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://eisen:secret@db.internal:5433/curriculum")
    config = database_from_env("DATABASE_URL", default_sqlite_path="unused")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"], config["USER"]) == (
        "db.internal",
        5433,
        "curriculum",
        "eisen",
    )


@pytest.mark.parametrize(
    "value",
    ["mysql://root@localhost/eisen", "not a url", "postgres://", "postgres://host-only"],
)
def test_malformed_database_url_is_refused_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("DATABASE_URL", value)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_from_env("DATABASE_URL", default_sqlite_path="unused")


def test_broker_unset_means_in_process_tasks(monkeypatch):
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    assert broker_from_env("CELERY_BROKER_URL") == ""


@pytest.mark.parametrize(
    "value", ["localhost:6379", "http://127.0.0.1:6379", "redis://", "redis://host:port/0"]
)
def test_malformed_broker_url_is_refused_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("CELERY_BROKER_URL", value)
    with pytest.raises(ImproperlyConfigured, match="CELERY_BROKER_URL"):
        broker_from_env("CELERY_BROKER_URL")


@pytest.mark.parametrize(
    ("value", "expected"), [("1", True), ("yes", True), ("0", False), ("off", False)]
)
def test_bool_variables_accept_common_words(monkeypatch, value, expected):
    monkeypatch.setenv("DJANGO_DEBUG", value)
    assert env_bool("DJANGO_DEBUG", default=not expected) is expected


def test_bool_variable_with_another_word_is_refused(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG"):
        env_bool("DJANGO_DEBUG", default=False)


def test_empty_host_list_is_refused(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", " , ")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_ALLOWED_HOSTS"):
        env_list("DJANGO_ALLOWED_HOSTS", default=[])


def _manage(*args, **environment):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.pop("DATABASE_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    env.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [("DATABASE_URL", "mysql://root@localhost/eisen"), ("CELERY_BROKER_URL", "localhost:6379")],
)
def test_start_up_is_refused_with_the_variable_named(variable, value):
    result = _manage("check", DJANGO_DEBUG="1", **{variable: value})
    assert result.returncode != 0
    assert variable in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_commands_run_without_a_secret_key_but_the_deploy_check_fails():
    assert _manage("check").returncode == 0
    deploy = _manage("check", "--deploy", DJANGO_ALLOWED_HOSTS="curriculum.example.org")
    assert deploy.returncode != 0
    assert "eisen.E001" in deploy.stderr
    assert "DJANGO_SECRET_KEY" in deploy.stderr


def test_deploy_check_is_clean_with_production_variables():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY="k" * 20 + "-production-secret-with-enough-variety-0123456789",
        DJANGO_ALLOWED_HOSTS="curriculum.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout

"""Settings read from the environment: one clear error for a bad value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from leadline.kit.env import ConfigurationError, database_config, env_bool, env_list

BASE = Path("/srv/leadline")


def test_sqlite_relative_path_is_resolved_against_the_start_directory() -> None:
    config = database_config("sqlite:///var/leadline.sqlite3", base_dir=BASE)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/srv/leadline/var/leadline.sqlite3"


def test_sqlite_absolute_path_is_kept() -> None:
    config = database_config("sqlite:////data/leadline/db.sqlite3", base_dir=BASE)
    assert config["NAME"] == "/data/leadline/db.sqlite3"


def test_sqlite_runs_in_wal_mode_with_immediate_transactions_and_a_busy_timeout() -> None:
    options = database_config("sqlite:///var/leadline.sqlite3", base_dir=BASE)["OPTIONS"]
    assert isinstance(options, dict)
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    assert "PRAGMA journal_mode=WAL" in options["init_command"]
    assert "PRAGMA busy_timeout=" in options["init_command"]


def test_sqlite_tests_use_a_separate_file_beside_the_database() -> None:
    config = database_config("sqlite:///var/leadline.sqlite3", base_dir=BASE)
    assert config["TEST"] == {"NAME": "/srv/leadline/var/leadline-test.sqlite3"}


def test_sqlite_url_without_a_file_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="names no file"):
        database_config("sqlite://", base_dir=BASE)


def test_postgresql_url_gives_user_host_port_and_database() -> None:
    config = database_config("postgresql://leadline@db.internal:6432/leadline_prod", base_dir=BASE)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["USER"] == "leadline"
    assert config["HOST"] == "db.internal"
    assert config["PORT"] == "6432"
    assert config["NAME"] == "leadline_prod"
    assert config["PASSWORD"] == ""


def test_postgresql_password_with_percent_escapes_is_decoded() -> None:
    config = database_config("postgres://app:p%40ss%3Aw%2Frd%25@localhost/leadline", base_dir=BASE)
    assert config["PASSWORD"] == "p@ss:w/rd%"
    assert config["USER"] == "app"
    assert config["PORT"] == ""


def test_postgresql_query_parameters_become_connection_options() -> None:
    config = database_config("postgresql://app@localhost/leadline?sslmode=require", base_dir=BASE)
    assert config["OPTIONS"] == {"sslmode": "require"}


def test_postgresql_url_without_a_database_name_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="names no database"):
        database_config("postgresql://app@localhost:5432/", base_dir=BASE)


def test_postgresql_url_with_a_bad_port_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="bad port"):
        database_config("postgresql://app@localhost:99999/leadline", base_dir=BASE)


@pytest.mark.parametrize("url", ["mysql://app@localhost/leadline", "leadline.sqlite3", ""])
def test_unsupported_database_url_is_a_configuration_error_that_shows_the_way(url: str) -> None:
    with pytest.raises(ConfigurationError) as excinfo:
        database_config(url, base_dir=BASE)
    message = str(excinfo.value)
    assert "is not supported" in message
    assert "sqlite:///" in message
    assert "postgresql://" in message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        (" YES ", True),
        ("On", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
        ("", False),
    ],
)
def test_env_bool_reads_the_usual_spellings(raw: str, expected: bool) -> None:
    assert env_bool("LEADLINE_DEBUG", not expected, {"LEADLINE_DEBUG": raw}) is expected


def test_env_bool_falls_back_to_the_default_when_unset() -> None:
    assert env_bool("LEADLINE_DEBUG", True, {}) is True
    assert env_bool("LEADLINE_DEBUG", False, {}) is False


@pytest.mark.parametrize("raw", ["maybe", "2", "y e s"])
def test_env_bool_refuses_anything_else_and_names_the_variable(raw: str) -> None:
    with pytest.raises(ConfigurationError, match=r"LEADLINE_DEBUG=.* is not a boolean"):
        env_bool("LEADLINE_DEBUG", False, {"LEADLINE_DEBUG": raw})


def test_env_list_splits_on_commas_and_trims() -> None:
    environ = {"LEADLINE_ALLOWED_HOSTS": " leadline.example.com, 10.0.0.5 ,,localhost "}
    assert env_list("LEADLINE_ALLOWED_HOSTS", [], environ) == [
        "leadline.example.com",
        "10.0.0.5",
        "localhost",
    ]


def test_env_list_falls_back_to_the_default_when_unset() -> None:
    assert env_list("LEADLINE_ALLOWED_HOSTS", ["localhost"], {}) == ["localhost"]


@pytest.mark.parametrize("raw", ["", " , ,"])
def test_env_list_refuses_a_set_but_empty_list(raw: str) -> None:
    with pytest.raises(ConfigurationError, match="LEADLINE_ALLOWED_HOSTS is set but empty"):
        env_list("LEADLINE_ALLOWED_HOSTS", ["localhost"], {"LEADLINE_ALLOWED_HOSTS": raw})


def _import_settings(**env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LEADLINE_")}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import leadline.settings"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"LEADLINE_DEBUG": "maybe"}, "LEADLINE_DEBUG"),
        ({"LEADLINE_SECRET_KEY": "too-short"}, "LEADLINE_SECRET_KEY"),
        ({"LEADLINE_DATABASE_URL": "mysql://x@y/z"}, "LEADLINE_DATABASE_URL"),
        (
            {"LEADLINE_DEBUG": "maybe", "LEADLINE_SECRET_KEY": "short"},
            "LEADLINE_DEBUG",
        ),
    ],
)
def test_a_bad_setting_stops_the_start_with_one_line_and_exit_code_2(
    env: dict[str, str], names: str
) -> None:
    result = _import_settings(**env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("leadline: configuration error:")
    assert names in lines[0]
    assert "Traceback" not in result.stderr

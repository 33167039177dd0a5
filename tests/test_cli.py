"""The `leadline` command: help for everything, one-line errors, exit code 2 for bad input."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import authenticate

from leadline.accounts.models import Company, User
from leadline.accounts.selectors import role_of
from leadline.cli import build_parser, main

REQUIRED_COMMANDS = ["serve", "worker", "migrate", "demo", "createuser"]


@pytest.fixture(autouse=True)
def _django_is_already_set_up(monkeypatch: pytest.MonkeyPatch) -> None:
    # Setting Django up again would point the logging handlers at pytest's captured
    # stderr, which is closed once the test ends.
    monkeypatch.setattr("django.setup", lambda *args, **kwargs: None)


def _subcommands() -> list[str]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


def _exit_code(argv: list[str]) -> int | str | None:
    with pytest.raises(SystemExit) as excinfo:
        main(argv)
    return excinfo.value.code


def test_the_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(["--help"]) == 0
    out = capsys.readouterr().out
    for command in REQUIRED_COMMANDS:
        assert command in out


@pytest.mark.parametrize("command", _subcommands())
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code([command, "--help"]) == 0
    captured = capsys.readouterr()
    assert f"usage: leadline {command}" in captured.out
    assert captured.err == ""


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["launch"], "invalid choice: 'launch'"),
        ([], "required: COMMAND"),
        (["demo", "--interactions", "0"], "'0' must be 1 or more"),
        (["demo", "--interactions", "x"], "'x' is not a whole number"),
        (["serve", "--port", "70000"], "'70000' is not a TCP port"),
        (["serve", "--port", "http"], "'http' is not a whole number"),
        (["createuser"], "the following arguments are required: --email"),
        (["createuser", "--email", "a@b.test", "--role", "Owner"], "invalid choice: 'Owner'"),
        (["worker", "--interval", "soon"], "invalid float value: 'soon'"),
        (["migrate", "--colour"], "unrecognized arguments: --colour"),
    ],
)
def test_bad_arguments_exit_2_with_one_line_on_stderr(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _exit_code(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("leadline")
    assert ": error: " in lines[0]
    assert message in lines[0]
    assert "--help" in lines[0]


@pytest.mark.django_db
def test_createuser_with_an_unknown_company_exits_2_and_names_the_companies(
    company: Company, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "createuser",
            "--email",
            "x@example.test",
            "--password",
            "long-enough-1",
            "--company",
            "nope",
        ]
    )

    assert code == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"leadline createuser: error: no company 'nope' (companies: {company.slug})"
    ]
    assert not User.objects.filter(email="x@example.test").exists()


@pytest.mark.django_db
def test_createuser_refusing_a_duplicate_email_exits_2(
    company: Company, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["createuser", "--email", "dup@example.test", "--password", "long-enough-1"]
    argv += ["--company", company.slug, "--role", "Viewer"]
    assert main(argv) == 0
    capsys.readouterr()

    assert main(argv) == 2

    err = capsys.readouterr().err
    assert err.splitlines() == [
        "leadline createuser: error: a user with the email dup@example.test already exists"
    ]


@pytest.mark.django_db
def test_createuser_without_a_company_exits_2(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["createuser", "--email", "solo@example.test", "--password", "long-enough-1"])

    assert code == 2
    assert "must belong to a company" in capsys.readouterr().err


@pytest.mark.django_db
def test_createuser_creates_a_user_who_can_sign_in(
    company: Company, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "createuser",
            "--email",
            "Pat.Manager@Example.test",
            "--password",
            "long-enough-1",
            "--company",
            company.slug,
            "--role",
            "Manager",
            "--first-name",
            "Pat",
        ]
    )

    assert code == 0
    assert capsys.readouterr().out.strip() == "Created pat.manager@example.test (Manager)."
    user = authenticate(username="pat.manager@example.test", password="long-enough-1")
    assert isinstance(user, User)
    assert (user.company_id, user.first_name, role_of(user=user)) == (company.pk, "Pat", "Manager")
    assert user.has_perm("accounts.listen_call_recording")
    assert not user.has_perm("accounts.send_message")


@pytest.mark.django_db
def test_createuser_reads_the_password_from_the_environment(
    company: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADLINE_NEW_USER_PASSWORD", "from-the-env-9")

    argv = ["createuser", "--email", "env@example.test", "--company", company.slug, "--role", "CSR"]
    assert main(argv) == 0

    assert authenticate(username="env@example.test", password="from-the-env-9") is not None


def _installed_command() -> str:
    found = shutil.which("leadline") or str(Path(sys.executable).parent / "leadline")
    if not Path(found).exists():
        pytest.skip("the leadline command is not installed")
    return found


def test_the_installed_command_prints_its_help() -> None:
    result = subprocess.run(  # noqa: S603
        [_installed_command(), "--help"], capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: leadline")
    for command in REQUIRED_COMMANDS:
        assert command in result.stdout


def test_the_installed_command_exits_2_on_a_bad_argument() -> None:
    result = subprocess.run(  # noqa: S603
        [_installed_command(), "serve", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "leadline serve: error: argument --port: '0' must be 1 or more "
        "(see `leadline serve --help`)"
    ]

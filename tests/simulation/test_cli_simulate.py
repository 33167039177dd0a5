"""`leadline simulate` as a user runs it: its own process, a throw-away database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.simulation.test_examples import SHARED_SCENARIOS

LEADLINE = Path(sys.executable).with_name("leadline")
EXAMPLE = SHARED_SCENARIOS / "p01-books-earliest.json"


def _simulate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    # Whatever database the user has configured must stay untouched.
    env["LEADLINE_DATABASE_URL"] = f"sqlite:///{cwd / 'users-own.sqlite3'}"
    return subprocess.run(  # noqa: S603 - our own command with fixed arguments
        [str(LEADLINE), "simulate", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.skipif(not EXAMPLE.exists(), reason=f"no example scenario at {EXAMPLE}")
def test_simulate_prints_the_json_of_the_format(tmp_path: Path) -> None:
    result = _simulate(str(EXAMPLE), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert set(output) == {
        "name",
        "status",
        "status_code",
        "escalated",
        "opted_out",
        "lead_timezone",
        "booking",
        "summary",
        "messages",
    }
    assert output["status"] == "Converted: Agent"
    assert output["status_code"] == "converted.agent"
    assert output["lead_timezone"] == "America/Chicago"
    assert output["booking"]["booked_by"] == "agent"
    assert output["booking"]["start"].endswith("-06:00")
    first = output["messages"][0]
    assert set(first) == {"at", "direction", "author", "channel", "body"}
    assert first["author"] == "agent"
    assert "Reply STOP to opt out" in first["body"]
    assert not (tmp_path / "users-own.sqlite3").exists()
    assert not list(tmp_path.iterdir())


@pytest.mark.slow
def test_simulate_rejects_a_broken_file_with_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text(
        json.dumps(
            {
                "campaign": {"goal": "speed_to_lead", "channel": "sms"},
                "lead": {"phone": "+15125550101", "created_at": "2026-03-03T14:15:00-06:00"},
                "steps": [{"lead_says": "hi"}, {"wait": "1h"}, {"lead_sayz": "yes"}],
            }
        )
    )
    result = _simulate(str(broken), "--json", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        'leadline simulate: error: steps[2]: unknown step "lead_sayz" '
        "(steps: lead_says, wait, delivery_fails, human_takes_over, human_says, human_books, "
        "human_dismisses, expect)"
    ]


@pytest.mark.slow
def test_simulate_exits_1_when_an_expectation_fails(tmp_path: Path) -> None:
    scenario = tmp_path / "wrong-expectation.json"
    scenario.write_text(
        json.dumps(
            {
                "name": "wrong-expectation",
                "campaign": {"goal": "speed_to_lead", "channel": "sms"},
                "lead": {
                    "first_name": "Ray",
                    "phone": "+15125550102",
                    "zip": "78745",
                    "note": "water heater",
                    "created_at": "2026-03-03T14:15:00-06:00",
                },
                "steps": [{"lead_says": "STOP"}, {"expect": {"status": "Active: Hot"}}],
            }
        )
    )
    result = _simulate(str(scenario), cwd=tmp_path)
    assert result.returncode == 1
    assert "steps[1]: the status is 'Opt-out', expected 'Active: Hot'" in result.stderr
    assert "Status:  Opt-out" in result.stdout

"""The lead intake benchmark (benchmarks/intake.py) measures what it says it measures.

The end-to-end test runs it for real with a handful of leads: a fresh database, the
fake Twilio on loopback, `leadline serve` (and `leadline worker` on PostgreSQL) as
processes, leads posted over HTTP. It asserts what a lead would notice (one text
each, naming the business, saying how to opt out), never the timings, which depend
on the machine.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlparse

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "intake.py"


def _load_benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("intake_benchmark", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


intake = _load_benchmark()
TWENTY_MINUTES = timedelta(minutes=20)


def _choose(moment: datetime) -> tuple[Any, datetime | None]:
    place, opening = intake.choose_place(
        now=moment, company_time_zone="America/Chicago", tighten=None, margin=TWENTY_MINUTES
    )
    return place, opening


def test_leads_go_to_the_companys_own_zone_when_its_window_is_open() -> None:
    place, _ = _choose(datetime(2026, 3, 3, 20, 0, tzinfo=UTC))  # 2 pm in Austin, a Tuesday
    assert place.label == "Austin, TX"
    assert place.number(0) == "+15125550100"


def test_leads_go_west_once_the_company_zone_is_in_quiet_hours() -> None:
    # 11 pm in Austin; 8 pm in Anchorage (open until 9 pm), 7 pm in Honolulu.
    place, _ = _choose(datetime(2026, 3, 4, 5, 0, tzinfo=UTC))
    assert place.label == "Anchorage, AK"


def test_a_place_whose_window_closes_during_the_run_is_not_chosen() -> None:
    # 8:50 pm in Anchorage: open now, closed in 20 minutes; Honolulu is open for hours.
    place, _ = _choose(datetime(2026, 3, 4, 5, 50, tzinfo=UTC))
    assert place.label == "Honolulu, HI"


def test_when_every_place_is_in_quiet_hours_the_first_opening_is_named() -> None:
    # 5 am in New York, midnight in Honolulu: New York opens first, at 8 am EST.
    place, opening = _choose(datetime(2026, 3, 3, 10, 0, tzinfo=UTC))
    assert place is None
    assert opening == datetime(2026, 3, 3, 13, 0, tzinfo=UTC)


def _arrival(body: str, **overrides: str) -> Any:
    fields = {
        "at": 0.0,
        "body": body,
        "sender": "+15125550199",
        "status_callback": "http://127.0.0.1:8000/webhooks/twilio/sms/status",
    }
    fields.update(overrides)
    return intake.Arrival(**fields)


def test_a_first_text_without_the_business_or_the_opt_out_is_reported() -> None:
    check = intake.check_text
    good = f"Hi Avery, this is {intake.COMPANY_NAME}. Reply STOP to opt out."
    assert check(_arrival(good), public_url="http://127.0.0.1:8000", sender="+15125550199") == []
    problems = check(
        _arrival("Hi Avery, when can we come by?"),
        public_url="http://127.0.0.1:8000",
        sender="+15125550199",
    )
    assert any("name the business" in p for p in problems)
    assert any("opt out" in p for p in problems)
    wrong_sender = check(
        _arrival(good, sender="+15125550111"),
        public_url="http://127.0.0.1:8000",
        sender="+15125550199",
    )
    assert wrong_sender == ["sent from '+15125550111', not '+15125550199'"]


def test_a_lead_without_a_text_or_texted_twice_fails_the_run() -> None:
    def run(**overrides: Any) -> dict[str, Any]:
        result: dict[str, Any] = {
            "phases": {"one at a time": {"leads": 3, "texted": 3, "met": False}},
            "duplicates": {},
            "unexpected_numbers": [],
            "problems": [],
        }
        result.update(overrides)
        return result

    assert intake.exit_status([run()], check_target=False) == 0
    assert intake.exit_status([run()], check_target=True) == 3
    untexted = {"one at a time": {"leads": 3, "texted": 2, "met": False}}
    assert intake.exit_status([run(phases=untexted)], check_target=False) == 1
    assert intake.exit_status([run(duplicates={"+15125550100": 2})], check_target=False) == 1
    assert intake.exit_status([{"error": "no_window"}], check_target=False) == 4


def _postgres_url_for_the_benchmark() -> str:
    """A database of its own beside this session's test database (dropped after)."""
    base = urlparse(os.environ["LEADLINE_DATABASE_URL"])
    name = f"{connection.settings_dict['NAME']}_intake"
    return base._replace(path=f"/{name}").geturl()


@pytest.mark.slow
def test_every_posted_lead_gets_one_first_text_at_the_fake_twilio(tmp_path: Path) -> None:
    backend = "--postgres-only" if connection.vendor == "postgresql" else "--sqlite-only"
    command = [
        sys.executable,
        str(SCRIPT),
        backend,
        "-n",
        "5",
        "--warmup",
        "1",
        "--max-pause",
        "0.2",
        "--burst",
        "3",
        "--bursts",
        "1",
        "--json",
        str(tmp_path / "figures.json"),
    ]
    if connection.vendor == "postgresql":
        command += ["--postgres-url", _postgres_url_for_the_benchmark()]
    done = subprocess.run(  # noqa: S603 - our own interpreter and benchmark
        command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    output = done.stdout + done.stderr
    if done.returncode == intake.NO_WINDOW_EXIT:
        # Between about 7 am and 1 pm UTC no US place may be texted: the benchmark must
        # say so, and post nothing, rather than time texts held for quiet hours.
        assert "inside the outreach window" in output and "nothing was posted" in output
        return
    assert done.returncode == 0, output
    (result,) = json.loads((tmp_path / "figures.json").read_text())["results"]
    one_at_a_time = result["phases"]["one at a time"]
    assert (one_at_a_time["leads"], one_at_a_time["texted"]) == (5, 5)
    assert (result["phases"]["burst"]["leads"], result["phases"]["burst"]["texted"]) == (3, 3)
    assert result["duplicates"] == {}
    assert result["unexpected_numbers"] == []
    assert result["problems"] == []
    assert intake.COMPANY_NAME in result["sample_text"]
    assert "Reply STOP to opt out" in result["sample_text"]
    assert len(result["text_ms"]["one at a time"]) == 5
    assert f"p95 {one_at_a_time['p95_ms']} ms" in output

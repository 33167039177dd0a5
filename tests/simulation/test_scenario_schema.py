"""A scenario file is checked before anything runs; each error names the wrong field."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from leadline.simulation.scenario import ScenarioError, load_scenario, parse_scenario

VALID: dict[str, Any] = {
    "name": "books-first-slot",
    "company": {"capacity": "default", "timezone": "America/Chicago"},
    "campaign": {"goal": "speed_to_lead", "channel": "sms"},
    "lead": {
        "first_name": "Dana",
        "last_name": "Ruiz",
        "phone": "+15125550143",
        "zip": "78704",
        "note": "AC not cooling",
        "created_at": "2026-07-14T10:02:00-05:00",
    },
    "steps": [
        {"lead_says": "yes please, what do you have?"},
        {"wait": "30m"},
        {"delivery_fails": {"error_code": "30006"}},
        {"human_takes_over": {}},
        {"human_says": "Sam here"},
        {"human_books": {"window": "first_available"}},
        {"human_dismisses": {"reason": "duplicate"}},
        {"expect": {"status": "Active: Hot"}},
    ],
    "run_to_end": True,
    "expect_final": {"status": "Converted: Agent"},
}


def variant(path: str, value: Any) -> dict[str, Any]:
    """VALID with one field replaced (or removed, for value=...)."""
    data = copy.deepcopy(VALID)
    parts = path.replace("[", ".").replace("]", "").split(".")
    target: Any = data
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    last: Any = int(parts[-1]) if parts[-1].isdigit() else parts[-1]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return data


def error_of(data: Any) -> str:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    return str(caught.value)


def test_a_valid_scenario_is_read_with_its_types() -> None:
    scenario = parse_scenario(VALID)
    assert scenario.name == "books-first-slot"
    assert scenario.lead.created_at.utcoffset() is not None
    assert [s.kind for s in scenario.steps][:2] == ["lead_says", "wait"]
    assert scenario.steps[1].value.total_seconds() == 1800
    assert scenario.expect_final == "Converted: Agent"


def test_the_optional_parts_have_defaults() -> None:
    data = variant("company", ...)
    for key in ("name", "steps", "run_to_end", "expect_final"):
        del data[key]
    scenario = parse_scenario(data, default_name="from-file")
    assert (scenario.name, scenario.steps, scenario.run_to_end) == ("from-file", (), True)
    assert scenario.company.capacity == "default"


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("steps[2]", {"lead_sayz": "yes"}, 'steps[2]: unknown step "lead_sayz"'),
        ("steps[1]", {"wait": "5 minutes"}, "steps[1].wait: '5 minutes' is not a duration"),
        ("steps[0]", {"lead_says": ""}, "steps[0].lead_says: must be a non-empty string"),
        ("steps[0]", {"lead_says": "a", "wait": "1m"}, "steps[0]: a step is an object with"),
        ("steps[0]", "hello", "steps[0]: a step is an object with one key, got a string"),
        ("steps[7]", {"expect": {"status": "Active: hot"}}, "steps[7].expect.status: unknown"),
        ("steps[2]", {"delivery_fails": {}}, "steps[2].delivery_fails.error_code: is required"),
        ("steps[2]", {"delivery_fails": {"error_code": "oops"}}, "is not a carrier error code"),
        ("steps[3]", {"human_takes_over": {"who": "x"}}, "steps[3].human_takes_over.who: unknown"),
        ("steps[5]", {"human_books": {"window": "last"}}, "steps[5].human_books.window: must be"),
        ("steps[5]", {"human_books": {"job_type": "solar"}}, "unknown job type 'solar'"),
        ("campaign.goal", "speed", "campaign.goal: must be one of speed_to_lead, inbound_sms"),
        ("campaign.channel", "email", "campaign.channel: must be one of sms, voice"),
        ("campaign", ..., "campaign: is required"),
        ("lead", ..., "lead: is required"),
        ("lead.phone", ..., "lead.phone: is required"),
        ("lead.phone", 5125550143, "lead.phone: must be a string, got a number"),
        ("lead.created_at", "2026-07-14T10:02:00", "lead.created_at: '2026-07-14T10:02:00' needs"),
        ("lead.created_at", "yesterday", "lead.created_at: 'yesterday' is not a date"),
        ("lead.zip", "7870", "lead.zip: '7870' is not a ZIP code"),
        ("lead.age", 40, "lead.age: unknown field"),
        ("company.capacity", "lots", "company.capacity: must be one of default, none"),
        ("company.timezone", "Mars/Olympus", "company.timezone: 'Mars/Olympus' is not a time zone"),
        ("company.skills", ["ac_repair", "solar"], "company.skills[1]: unknown job type 'solar'"),
        ("company.service_area_zips", "78704", "company.service_area_zips: must be a list"),
        ("run_to_end", "yes", "run_to_end: must be true or false"),
        ("expect_final", {"status": "Done"}, 'expect_final.status: unknown status "Done"'),
        ("colour", "blue", "colour: unknown field"),
        ("steps", {"lead_says": "x"}, "steps: must be a list of steps"),
    ],
)
def test_an_invalid_field_is_named_in_one_line(path: str, value: Any, message: str) -> None:
    error = error_of(variant(path, value))
    assert message in error
    assert "\n" not in error


def test_an_inbound_sms_scenario_starts_with_the_lead_texting() -> None:
    data = variant("campaign.goal", "inbound_sms")
    data["steps"] = [{"wait": "1h"}, {"human_takes_over": {}}]
    assert error_of(data).startswith("steps[1]: an inbound_sms scenario begins with the lead")


def test_inbound_sms_runs_on_sms_only() -> None:
    data = variant("campaign", {"goal": "inbound_sms", "channel": "voice"})
    assert error_of(data) == "campaign.channel: an inbound_sms campaign runs on sms"


def test_a_file_that_is_not_json_reports_the_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"name": "x",\n "steps": [}\n')
    with pytest.raises(ScenarioError, match=r"broken.json: not valid JSON at line 2"):
        load_scenario(broken)


def test_the_file_name_is_the_default_name(tmp_path: Path) -> None:
    data = variant("name", ...)
    path = tmp_path / "my-story.json"
    path.write_text(json.dumps(data))
    assert load_scenario(path).name == "my-story"

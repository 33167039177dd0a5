"""The scenario file of `leadline simulate` (../shared/scenarios/FORMAT.md), read and checked.

Checking needs no database, so a broken file is reported before anything is set up.
Every error is one line that starts with the path of the field that is wrong, e.g.
`steps[2]: unknown step "lead_sayz"`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leadline.capacity.job_types import JOB_TYPES
from leadline.interactions.statuses import BY_LABEL
from leadline.kit.durations import parse_duration


class ScenarioError(ValueError):
    """The scenario file is not valid; the message names the field."""


GOALS = ("speed_to_lead", "inbound_sms")
CHANNELS = ("sms", "voice")
CAPACITIES = ("default", "none")
STEP_KINDS = (
    "lead_says",
    "wait",
    "delivery_fails",
    "human_takes_over",
    "human_says",
    "human_books",
    "human_dismisses",
    "expect",
)
WINDOW_CHOICES = ("first_available",)
_TOP_FIELDS = (
    "name",
    "description",
    "company",
    "campaign",
    "lead",
    "steps",
    "run_to_end",
    "expect_final",
)
_COMPANY_FIELDS = ("timezone", "service_area_zips", "skills", "capacity")
_CAMPAIGN_FIELDS = ("goal", "channel")
_LEAD_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "zip",
    "note",
    "created_at",
    "email",
    "address",
)
_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
_ERROR_CODE = re.compile(r"^\d{3,6}$")


@dataclass(frozen=True)
class CompanySpec:
    timezone: str | None = None
    service_area_zips: tuple[str, ...] | None = None
    skills: tuple[str, ...] | None = None
    capacity: str = "default"


@dataclass(frozen=True)
class LeadSpec:
    first_name: str
    last_name: str
    phone: str
    zip: str
    note: str
    created_at: datetime
    email: str = ""
    address: str = ""


@dataclass(frozen=True)
class Step:
    index: int
    kind: str
    value: Any

    @property
    def path(self) -> str:
        return f"steps[{self.index}]"


@dataclass(frozen=True)
class Scenario:
    name: str
    goal: str
    channel: str
    lead: LeadSpec
    company: CompanySpec = field(default_factory=CompanySpec)
    steps: tuple[Step, ...] = ()
    run_to_end: bool = True
    expect_final: str | None = None
    description: str = ""


def _fail(path: str, problem: str) -> ScenarioError:
    return ScenarioError(f"{path}: {problem}")


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(path, f"must be an object, got {_type_name(value)}")
    return value


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def _no_unknown(obj: dict[str, Any], allowed: tuple[str, ...], path: str) -> None:
    for key in obj:
        if key not in allowed:
            where = f"{path}.{key}" if path else key
            raise _fail(where, f"unknown field (expected one of {', '.join(allowed)})")


def _string(obj: dict[str, Any], key: str, path: str, *, required: bool = False) -> str:
    if key not in obj:
        if required:
            raise _fail(f"{path}.{key}" if path else key, "is required")
        return ""
    value = obj[key]
    if not isinstance(value, str):
        raise _fail(f"{path}.{key}" if path else key, f"must be a string, got {_type_name(value)}")
    return value


def _choice(obj: dict[str, Any], key: str, path: str, choices: tuple[str, ...]) -> str:
    value = _string(obj, key, path, required=True)
    if value not in choices:
        raise _fail(f"{path}.{key}", f"must be one of {', '.join(choices)}, got {value!r}")
    return value


def _string_list(value: Any, path: str) -> list[str]:
    if not isinstance(value, list):
        raise _fail(path, f"must be a list of strings, got {_type_name(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise _fail(f"{path}[{i}]", f"must be a string, got {_type_name(item)}")
    return list(value)


def _status_label(value: Any, path: str) -> str:
    obj = _object(value, path)
    _no_unknown(obj, ("status",), path)
    label = _string(obj, "status", path, required=True)
    if label not in BY_LABEL:
        raise _fail(
            f"{path}.status",
            f'unknown status "{label}" (statuses are written as shown, e.g. "Active: Hot")',
        )
    return label


def _company(value: Any) -> CompanySpec:
    obj = _object(value, "company")
    _no_unknown(obj, _COMPANY_FIELDS, "company")
    timezone = None
    if "timezone" in obj:
        timezone = _string(obj, "timezone", "company", required=True)
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise _fail("company.timezone", f"{timezone!r} is not a time zone") from None
    zips = None
    if "service_area_zips" in obj:
        zips = _string_list(obj["service_area_zips"], "company.service_area_zips")
        for i, code in enumerate(zips):
            if not re.fullmatch(r"\d{5}", code):
                raise _fail(f"company.service_area_zips[{i}]", f"{code!r} is not a 5-digit ZIP")
    skills = None
    if "skills" in obj:
        skills = _string_list(obj["skills"], "company.skills")
        for i, code in enumerate(skills):
            if code not in JOB_TYPES:
                raise _fail(f"company.skills[{i}]", f"unknown job type {code!r}")
    capacity = _choice(obj, "capacity", "company", CAPACITIES) if "capacity" in obj else "default"
    return CompanySpec(
        timezone=timezone,
        service_area_zips=tuple(zips) if zips is not None else None,
        skills=tuple(skills) if skills is not None else None,
        capacity=capacity,
    )


def _lead(value: Any) -> LeadSpec:
    obj = _object(value, "lead")
    _no_unknown(obj, _LEAD_FIELDS, "lead")
    phone = _string(obj, "phone", "lead", required=True)
    zip_code = _string(obj, "zip", "lead").strip()
    if zip_code and not _ZIP.match(zip_code):
        raise _fail("lead.zip", f"{zip_code!r} is not a ZIP code (5 digits, or empty for unknown)")
    raw = _string(obj, "created_at", "lead", required=True)
    try:
        created_at = datetime.fromisoformat(raw)
    except ValueError:
        raise _fail(
            "lead.created_at", f"{raw!r} is not a date and time like 2026-07-14T10:02:00-05:00"
        ) from None
    if created_at.tzinfo is None:
        raise _fail("lead.created_at", f"{raw!r} needs a UTC offset, e.g. -05:00")
    return LeadSpec(
        first_name=_string(obj, "first_name", "lead"),
        last_name=_string(obj, "last_name", "lead"),
        phone=phone,
        zip=zip_code,
        note=_string(obj, "note", "lead"),
        created_at=created_at,
        email=_string(obj, "email", "lead"),
        address=_string(obj, "address", "lead"),
    )


def _step(index: int, value: Any) -> Step:
    path = f"steps[{index}]"
    if not isinstance(value, dict):
        raise _fail(path, f"a step is an object with one key, got {_type_name(value)}")
    if len(value) != 1:
        keys = ", ".join(value) or "none"
        raise _fail(path, f"a step is an object with exactly one key, got {len(value)} ({keys})")
    kind, arg = next(iter(value.items()))
    if kind not in STEP_KINDS:
        raise _fail(path, f'unknown step "{kind}" (steps: {", ".join(STEP_KINDS)})')
    where = f"{path}.{kind}"
    if kind in ("lead_says", "human_says"):
        if not isinstance(arg, str) or not arg.strip():
            raise _fail(where, "must be a non-empty string")
        return Step(index, kind, arg)
    if kind == "wait":
        if not isinstance(arg, str):
            raise _fail(where, f"must be a duration like 90s, 30m, 3h or 2d, got {_type_name(arg)}")
        try:
            delta = parse_duration(arg)
        except ValueError as exc:
            raise _fail(where, str(exc)) from None
        return Step(index, kind, delta)
    if kind == "expect":
        return Step(index, kind, _status_label(arg, where))
    obj = _object(arg, where)
    if kind == "human_takes_over":
        _no_unknown(obj, (), where)
        return Step(index, kind, {})
    if kind == "delivery_fails":
        _no_unknown(obj, ("error_code",), where)
        code = _string(obj, "error_code", where, required=True)
        if not _ERROR_CODE.match(code):
            raise _fail(f"{where}.error_code", f"{code!r} is not a carrier error code like 30006")
        return Step(index, kind, {"error_code": code})
    if kind == "human_books":
        _no_unknown(obj, ("window", "job_type"), where)
        window = (
            _choice(obj, "window", where, WINDOW_CHOICES)
            if "window" in obj
            else ("first_available")
        )
        job_type = _string(obj, "job_type", where) or None
        if job_type is not None and job_type not in JOB_TYPES:
            raise _fail(f"{where}.job_type", f"unknown job type {job_type!r}")
        return Step(index, kind, {"window": window, "job_type": job_type})
    _no_unknown(obj, ("reason",), where)
    return Step(index, kind, {"reason": _string(obj, "reason", where)})


def parse_scenario(data: Any, *, default_name: str = "scenario") -> Scenario:
    """Check a scenario (the parsed JSON) and return it typed; ScenarioError otherwise."""
    if not isinstance(data, dict):
        raise ScenarioError(f"scenario: must be a JSON object, got {_type_name(data)}")
    _no_unknown(data, _TOP_FIELDS, "")
    name = _string(data, "name", "") or default_name
    if "campaign" not in data:
        raise _fail("campaign", "is required")
    campaign = _object(data["campaign"], "campaign")
    _no_unknown(campaign, _CAMPAIGN_FIELDS, "campaign")
    goal = _choice(campaign, "goal", "campaign", GOALS)
    channel = _choice(campaign, "channel", "campaign", CHANNELS)
    if goal == "inbound_sms" and channel != "sms":
        raise _fail("campaign.channel", "an inbound_sms campaign runs on sms")
    if "lead" not in data:
        raise _fail("lead", "is required")
    lead = _lead(data["lead"])
    company = _company(data["company"]) if "company" in data else CompanySpec()
    raw_steps = data.get("steps", [])
    if not isinstance(raw_steps, list):
        raise _fail("steps", f"must be a list of steps, got {_type_name(raw_steps)}")
    steps = tuple(_step(i, s) for i, s in enumerate(raw_steps))
    if goal == "inbound_sms":
        opening = next((s for s in steps if s.kind != "wait"), None)
        if opening is None or opening.kind != "lead_says":
            where = opening.path if opening else "steps"
            raise _fail(where, "an inbound_sms scenario begins with the lead's text (lead_says)")
    run_to_end = data.get("run_to_end", True)
    if not isinstance(run_to_end, bool):
        raise _fail("run_to_end", f"must be true or false, got {_type_name(run_to_end)}")
    expect_final = (
        _status_label(data["expect_final"], "expect_final") if "expect_final" in data else None
    )
    return Scenario(
        name=name,
        goal=goal,
        channel=channel,
        lead=lead,
        company=company,
        steps=steps,
        run_to_end=run_to_end,
        expect_final=expect_final,
        description=_string(data, "description", ""),
    )


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{file}: cannot be read ({exc.strerror or exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            f"{file.name}: not valid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg})"
        ) from None
    return parse_scenario(data, default_name=file.stem)

"""Plain-data builders for brain tests: the reference company, fake windows, a short dialogue."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from leadline.agent.rules_brain import RulesBrain
from leadline.agent.types import CompanyProfile, Conversation, Decision, Turn, WindowOption
from leadline.campaigns.models import default_escalation_rules
from leadline.demo import reference

CHICAGO = ZoneInfo("America/Chicago")
# Tuesday, March 3 2026, 2:15 pm in Austin: the scenarios' clock.
NOW = datetime(2026, 3, 3, 14, 15, tzinfo=CHICAGO)
SLOTS = ((8, 10), (10, 12), (12, 14), (14, 16))


def company(**overrides: Any) -> CompanyProfile:
    profile = CompanyProfile(
        name=reference.NAME,
        phone=reference.PHONE,
        time_zone=reference.TIME_ZONE,
        service_area_zips=tuple(reference.SERVICE_AREA_ZIPS),
        skills=tuple(reference.SKILLS),
        prices=dict(reference.PRICES),
        brands=tuple(reference.BRANDS),
        business_hours=reference.BUSINESS_HOURS,
        escalation_rules=default_escalation_rules(),
    )
    return replace(profile, **overrides)


def rules(**changes: dict[str, Any]) -> dict[str, Any]:
    """The default escalation rules with some rules changed, e.g. rules(human_request={...})."""
    merged = default_escalation_rules()
    for name, change in changes.items():
        merged[name] = {**merged[name], **change}
    return merged


def windows_from(
    start: date = date(2026, 3, 4), days: int = 14, *, after: datetime | None = None
) -> list[WindowOption]:
    """Mon-Sat arrival windows 8-10, 10-12, 12-2, 2-4 in Austin; ids count from 1."""
    found: list[WindowOption] = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        if day.weekday() == 6:
            continue
        for begin, end in SLOTS:
            starts = datetime.combine(day, time(begin), CHICAGO)
            if after is not None and starts < after:
                continue
            found.append(
                WindowOption(len(found) + 1, starts, datetime.combine(day, time(end), CHICAGO))
            )
    return found


@dataclass
class FakeCapacity:
    """find_windows over a fixed list; records every call."""

    windows: list[WindowOption] = field(default_factory=windows_from)
    calls: list[tuple[str, int]] = field(default_factory=list)

    def __call__(self, job_type: str, limit: int) -> list[WindowOption]:
        self.calls.append((job_type, limit))
        return list(self.windows[:limit])


def conversation(
    *texts: str,
    state: dict[str, Any] | None = None,
    profile: CompanyProfile | None = None,
    channel: str = "sms",
    goal: str = "speed_to_lead",
    first_name: str = "Dana",
    zip_code: str = "78704",
    note: str = "AC not cooling",
    now: datetime = NOW,
    capacity: Callable[[str, int], list[WindowOption]] | None = None,
    opened: bool = True,
) -> Conversation:
    """A conversation whose last turn is the lead's last text (after an agent opening)."""
    turns: list[Turn] = []
    if opened:
        turns.append(Turn("agent", "Hi, this is the virtual assistant.", now))
    for i, text in enumerate(texts):
        if i:
            turns.append(Turn("agent", "(reply)", now))
        turns.append(Turn("lead", text, now))
    return Conversation(
        company=profile or company(),
        channel=channel,
        goal=goal,
        lead_first_name=first_name,
        lead_zip=zip_code,
        lead_note=note,
        turns=tuple(turns),
        state=dict(state or {}),
        now=now,
        find_windows=capacity if capacity is not None else FakeCapacity(),
    )


def say(text: str, **kwargs: Any) -> Decision:
    """The brain's answer to one lead text right after the opening."""
    return RulesBrain().respond(conversation(text, **kwargs))


def dialogue(texts: Sequence[str], **kwargs: Any) -> list[Decision]:
    """Play a whole exchange: opening (unless inbound), then each text with the carried state."""
    brain = RulesBrain()
    goal = kwargs.get("goal", "speed_to_lead")
    base = conversation(**{**kwargs, "opened": False})
    turns: list[Turn] = []
    state: dict[str, Any] = {}
    if goal != "inbound_sms":
        opening = brain.opening(base)
        state = dict(opening.state)
        turns.append(Turn("agent", opening.reply or "", base.now))
    decisions: list[Decision] = []
    for text in texts:
        turns.append(Turn("lead", text, base.now))
        decision = brain.respond(replace(base, turns=tuple(turns), state=state))
        decisions.append(decision)
        state = dict(decision.state)
        if decision.reply:
            turns.append(Turn("agent", decision.reply, base.now))
    return decisions

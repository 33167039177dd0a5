"""Every interaction status of the product brief, and which changes are allowed.

This module is the single source of truth: labels are exactly as users see them,
codes are what the database, the API and webhooks carry.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Group(StrEnum):
    ACTIVE = "active"
    CONVERTED = "converted"
    ESCALATED = "escalated"
    CLOSED = "closed"


@dataclass(frozen=True)
class Status:
    code: str
    label: str
    group: Group
    reason: str
    meaning: str

    @property
    def is_open(self) -> bool:
        """The agent may still act (active) or a person is expected to (escalated)."""
        return self.group in (Group.ACTIVE, Group.ESCALATED)


STATUSES: tuple[Status, ...] = (
    Status("started", "Started", Group.ACTIVE, "", "outreach has begun; no response yet"),
    Status(
        "active.hot", "Active: Hot", Group.ACTIVE, "hot", "lead is engaged and replying quickly"
    ),
    Status(
        "active.warm", "Active: Warm", Group.ACTIVE, "warm", "lead has replied; moderate engagement"
    ),
    Status(
        "active.cool",
        "Active: Cool",
        Group.ACTIVE,
        "cool",
        "lead replies minimally; engagement slowing",
    ),
    Status(
        "active.cold", "Active: Cold", Group.ACTIVE, "cold", "no recent reply; follow-ups continue"
    ),
    Status("active", "Active", Group.ACTIVE, "", "general active state"),
    Status(
        "converted.agent",
        "Converted: Agent",
        Group.CONVERTED,
        "agent",
        "the agent booked a job without a human",
    ),
    Status(
        "converted.human",
        "Converted: Human",
        Group.CONVERTED,
        "human",
        "a team member booked after taking over",
    ),
    Status("converted", "Converted", Group.CONVERTED, "", "general converted state"),
    Status(
        "escalated.agent_issue",
        "Escalated (Agent Issue)",
        Group.ESCALATED,
        "agent_issue",
        "the agent hit a problem it could not resolve",
    ),
    Status(
        "escalated.availability",
        "Escalated (Availability)",
        Group.ESCALATED,
        "availability",
        "no capacity could be offered",
    ),
    Status(
        "escalated.skill_handling",
        "Escalated (Skill/Handling)",
        Group.ESCALATED,
        "skill_handling",
        "the request is outside the configured skills",
    ),
    Status(
        "escalated.human_request",
        "Escalated (Human Request)",
        Group.ESCALATED,
        "human_request",
        "the lead asked for a person",
    ),
    Status(
        "escalated.negative_sentiment",
        "Escalated (Negative Sentiment)",
        Group.ESCALATED,
        "negative_sentiment",
        "the lead is upset with the business",
    ),
    Status("escalated", "Escalated", Group.ESCALATED, "", "general escalated state"),
    Status(
        "dismissed.agent",
        "Dismissed: Agent",
        Group.CLOSED,
        "dismissed_agent",
        "the agent ended it (outside service area, declined)",
    ),
    Status(
        "dismissed.human",
        "Dismissed: Human",
        Group.CLOSED,
        "dismissed_human",
        "a team member dismissed it",
    ),
    Status("dismissed", "Dismissed", Group.CLOSED, "dismissed", "general dismissed state"),
    Status(
        "abandoned",
        "Abandoned",
        Group.CLOSED,
        "abandoned",
        "no reply and the whole cadence completed",
    ),
    Status("opt_out", "Opt-out", Group.CLOSED, "opt_out", "the lead opted out (STOP or in words)"),
    Status(
        "failed",
        "Failed",
        Group.CLOSED,
        "failed",
        "the agent could not make contact (invalid number, undeliverable)",
    ),
    Status(
        "terminated",
        "Terminated",
        Group.CLOSED,
        "terminated",
        "the system ended it (campaign stopped, lead merged or deleted)",
    ),
    Status(
        "takeover", "Takeover", Group.CLOSED, "takeover", "a team member took over from the agent"
    ),
)

BY_CODE: dict[str, Status] = {s.code: s for s in STATUSES}
BY_LABEL: dict[str, Status] = {s.label: s for s in STATUSES}

ACTIVE_CODES = frozenset(s.code for s in STATUSES if s.group is Group.ACTIVE)
ESCALATED_CODES = frozenset(s.code for s in STATUSES if s.group is Group.ESCALATED)
CONVERTED_CODES = frozenset(s.code for s in STATUSES if s.group is Group.CONVERTED)
OPEN_CODES = ACTIVE_CODES | ESCALATED_CODES

# Where a closed interaction may still go: a person who took over can book or
# dismiss, and anyone still in touch may opt out or be ended by the system.
_AFTER_TAKEOVER = frozenset(
    {"converted.human", "converted", "dismissed.human", "dismissed", "opt_out", "terminated"}
)

# Closes that the agent or the system makes while the agent is still working.
_AGENT_ENDINGS = frozenset(
    {"converted.agent", "converted", "dismissed.agent", "dismissed", "abandoned", "failed"}
)
_ANYONE_ENDINGS = frozenset(
    {"converted.human", "dismissed.human", "opt_out", "terminated", "takeover"}
)

ALLOWED: dict[str, frozenset[str]] = {}
for _status in STATUSES:
    if _status.group is Group.ACTIVE:
        _targets = (ACTIVE_CODES | ESCALATED_CODES | _AGENT_ENDINGS | _ANYONE_ENDINGS) - {
            _status.code
        }
    elif _status.group is Group.ESCALATED:
        # The agent has stopped and waits for a person; it cannot close it on its own.
        _targets = (_ANYONE_ENDINGS | {"converted", "dismissed", "failed"} | ESCALATED_CODES) - {
            _status.code
        }
    elif _status.code == "takeover":
        _targets = _AFTER_TAKEOVER
    else:
        # Converted, dismissed, abandoned, opt-out, failed and terminated are final.
        _targets = frozenset()
    ALLOWED[_status.code] = frozenset(_targets)


def get(code: str) -> Status:
    """The status with this code; KeyError when there is none."""
    return BY_CODE[code]


def label_of(code: str) -> str:
    return BY_CODE[code].label


def can_change(from_code: str, to_code: str) -> bool:
    return to_code in ALLOWED.get(from_code, frozenset())


CHOICES = [(s.code, s.label) for s in STATUSES]
GROUPED_CHOICES = [
    (group.value.capitalize(), [(s.code, s.label) for s in STATUSES if s.group is group])
    for group in Group
]

ENGAGEMENT_STATUSES = {
    "hot": "active.hot",
    "warm": "active.warm",
    "cool": "active.cool",
    "cold": "active.cold",
}

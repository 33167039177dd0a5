"""What a brain is given and what it answers: plain data, no database.

The policy (agent/policy.py) builds a Conversation from the database, asks the
brain for a Decision, and applies the decision through services. A brain never
writes and never sends; compliance is checked outside it, at the moment of sending.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol


class Action(StrEnum):
    """What the brain asks the policy to do besides replying."""

    NONE = "none"  # just reply (or stay silent)
    BOOK = "book"  # book Decision.window_id (then confirm)
    ESCALATE = "escalate"  # hand to a person; Decision.reason says why
    DISMISS = "dismiss"  # end it: outside the service area or declined
    OPT_OUT = "opt_out"  # the lead opted out (keyword, words, wrong number)
    RESUBSCRIBE = "resubscribe"  # START / UNSTOP / YES after an opt-out


class EscalationReason(StrEnum):
    AGENT_ISSUE = "agent_issue"
    AVAILABILITY = "availability"
    SKILL_HANDLING = "skill_handling"
    HUMAN_REQUEST = "human_request"
    NEGATIVE_SENTIMENT = "negative_sentiment"


@dataclass(frozen=True)
class Turn:
    author: str  # "agent" | "lead" | "human" | "system"
    body: str
    at: datetime


@dataclass(frozen=True)
class WindowOption:
    """A free arrival window the brain may offer."""

    window_id: int
    starts_at: datetime  # aware, UTC or local
    ends_at: datetime


@dataclass(frozen=True)
class CompanyProfile:
    name: str
    phone: str
    time_zone: str
    service_area_zips: tuple[str, ...]
    skills: tuple[str, ...]  # job-type codes the campaign may book
    prices: dict[str, str]
    brands: tuple[str, ...]
    business_hours: str
    escalation_rules: dict[str, Any]


@dataclass(frozen=True)
class Conversation:
    company: CompanyProfile
    channel: str  # "sms" | "voice"
    goal: str  # "speed_to_lead" | "inbound_sms"
    lead_first_name: str
    lead_zip: str
    lead_note: str
    turns: tuple[Turn, ...]
    # The brain's memory from earlier decisions (Decision.state of the previous turn).
    state: dict[str, Any]
    now: datetime
    # Free arrival windows for a job type, soonest first, within the horizon.
    find_windows: Callable[[str, int], list[WindowOption]]


@dataclass(frozen=True)
class Decision:
    reply: str | None
    action: Action = Action.NONE
    reason: str = ""  # EscalationReason value, or why it dismissed / opted out
    window_id: int | None = None
    job_type: str | None = None
    intents: tuple[str, ...] = ()  # what was understood, for the timeline and tests
    state: dict[str, Any] = field(default_factory=dict)


class Brain(Protocol):
    """Decides the next step of a conversation. Deterministic brains and LLM brains alike."""

    def opening(self, conversation: Conversation) -> Decision:
        """The first agent message (Speed to Lead), or a follow-up touch when turns exist."""
        ...

    def follow_up(self, conversation: Conversation, touch: int) -> Decision:
        """The `touch`-th follow-up (2, 3, ...) to a lead who has not answered."""
        ...

    def respond(self, conversation: Conversation) -> Decision:
        """The answer to the lead's latest turn (the last of conversation.turns)."""
        ...

    def booking_failed(self, conversation: Conversation, window_id: int) -> Decision:
        """The window of a BOOK decision was taken before it could be booked; what to say now.

        Called by the policy right after `respond` asked to book `window_id` and capacity
        refused (someone else took the last slot). `conversation.state` is the state that
        decision returned, with `window_id` already removed from the windows on offer.
        The answer usually says the time was taken and offers other windows (Action.NONE),
        or hands over (Action.ESCALATE, e.g. no capacity left). A BOOK answer is ignored:
        the policy then asks the lead to pick again with a fixed text.
        """
        ...

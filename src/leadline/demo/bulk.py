"""Load-test data: `leadline demo --interactions N`.

Generates interactions of a company with their leads, messages and timeline events,
fast enough for a million on a small machine: ids are assigned here, so children
reference parents without a round trip, and each batch is one transaction of one
prepared INSERT per table run over all its rows (SQLite) or COPY (PostgreSQL). Table
and column names come from the models' `_meta`. Each batch's conversations start in
a narrow slice of the 90 days, so the list indexes change in a few pages per batch.

The generated conversations are history: nothing is scheduled on them, so the worker
never sends to them.

Generated rows are recognisable: every generated lead, and so its interaction, has a
phone number +1 555 XXX XXXX. Area code 555 is not in service, so no real person can
be texted, and the number encodes the generated item's index. That makes loading
idempotent: `--interactions N` brings the company's generated interactions up to N,
and item k is the same data whenever it is generated (for the same company setup
and clock; on another day only its times and dates move).
"""

from __future__ import annotations

import json
import random
import sys
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from django.core.management.color import no_style
from django.db import OperationalError, connection, models, transaction

from leadline.accounts.models import Company, User
from leadline.campaigns.models import Campaign, Channel, Goal
from leadline.capacity.job_types import JOB_TYPES
from leadline.crm.models import Customer, Lead, Opportunity
from leadline.interactions import statuses
from leadline.interactions.models import (
    Author,
    Interaction,
    InteractionEvent,
    Message,
    RecordType,
)
from leadline.kit import clock
from leadline.kit.durations import parse_duration
from leadline.kit.errors import DomainError

PHONE_PREFIX = "+1555"
PHONE_DIGITS = 7
CAPACITY = 10**PHONE_DIGITS
LEAD_NOTE = "Load-test data (leadline demo --interactions)."
# Interactions per transaction: about 15,000 rows of all tables together. Part of the
# data's identity (each batch has its own seed), so changing it changes the data.
BATCH_SIZE = 2_000
SEED = 20_261_125
HISTORY_DAYS = 90

DAY = 86_400
HOUR = 3_600


def generated_phone(index: int) -> str:
    """The phone number of generated item `index` (0-based)."""
    return f"{PHONE_PREFIX}{index:0{PHONE_DIGITS}d}"


def _index_of(phone: str) -> int:
    return int(phone[len(PHONE_PREFIX) :])


def generated_interactions(company: Company) -> models.QuerySet[Interaction]:
    """The company's generated interactions (an index range scan on ix_phone)."""
    return Interaction.objects.for_company(company).filter(
        lead_phone__gte=generated_phone(0), lead_phone__lte=generated_phone(CAPACITY - 1)
    )


@dataclass
class BulkResult:
    """What one run did: `present` generated interactions exist now, `added` of them new."""

    requested: int
    present: int
    added: int
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def __str__(self) -> str:
        return f"{self.present:,} generated interactions present ({self.added:,} added)"

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


# --- What the generated conversations say -------------------------------------------


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(sep))


FIRST_NAMES = _words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Carlos Karen Daniel Lisa Matthew Nancy Anthony "
    "Betty Mark Sandra Jose Ashley Luis Emily Kevin Maria Brian Michelle Juan Amanda Jason "
    "Melissa Ryan Stephanie Eric Rebecca Jacob Laura Gary Sharon Nicholas Cynthia Diego Ana "
    "Tyler Rosa Aaron Megan Minh Priya Wei Aisha Omar Grace"
)
LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White "
    "Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres "
    "Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts "
    "Patel Kim Tran Castillo Ortiz Reyes Cruz Morales Murphy Cook"
)
STREETS = _words(
    "Oak St,Cedar Ln,Pecan St,Live Oak Dr,Barton Springs Rd,Lamar Blvd,Congress Ave,"
    "Manor Rd,Riverside Dr,Burnet Rd,Slaughter Ln,William Cannon Dr,Parmer Ln,Brodie Ln,"
    "Mesa Dr,Cameron Rd,Airport Blvd,Koenig Ln,Enfield Rd,Bluebonnet Ln",
    sep=",",
)
OUTSIDE_ZIPS = ("78666", "78626", "78130", "78610", "76574")
ERROR_CODES = ("30003", "30005", "30006", "30007")
WINDOWS = ("8-10 am", "10 am-12 pm", "12-2 pm", "2-4 pm")
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Short SMS bodies by what they do in the conversation. Fields: first, company, job,
# window, window2, zip, user, price.
POOLS: dict[str, tuple[str, ...]] = {
    "greet": (
        "Hi {first}, this is {company}. Thanks for your {job} request! When would be a good "
        "time for a technician to come out? Reply STOP to opt out.",
        "Hi {first}! {company} here about your {job} request. We have openings this week. "
        "Want me to find you a time? Reply STOP to opt out.",
        "Hello {first}, it's {company}. We got your request for {job}. Is this still an "
        "issue? Reply STOP to opt out.",
    ),
    "greet_in": (
        "Thanks for texting {company}! We can help with {job}. What's the service address? "
        "Reply STOP to opt out.",
        "Hi, this is {company}. Happy to help with {job}. Can I get your name and ZIP code? "
        "Reply STOP to opt out.",
    ),
    "opener": (
        "Hi, do you guys do {job}?",
        "Need someone for {job} asap",
        "Hello, looking to get a quote for {job}",
        "Can someone come out this week? Need {job}",
    ),
    "follow": (
        "Just checking in, {first}: do you still need help with {job}? We have openings this week.",
        "Hi {first}, we can still get a technician out for your {job}. Reply with a day that "
        "works.",
        "{company} here again. Want us to schedule your {job}? Just reply YES.",
    ),
    "last": ("Last note from {company}: reply anytime if you still need {job}. Have a great day!",),
    "need": (
        "Yes please, it started acting up yesterday",
        "Yes still need someone. How soon can you come?",
        "Yeah. Sooner the better honestly",
        "Hi yes! What times do you have?",
        "Yes, it's making a weird noise again",
    ),
    "details": (
        "It's 1405 {street}, zip {zip}",
        "Address is {number} {street}. Gate code 4512",
        "{zip}. Side door is easiest",
    ),
    "ask_details": (
        "Got it. What's the address where you need the service?",
        "Thanks! Is this at the address on your request, or somewhere else?",
        "Sorry to hear that. How old is the system, roughly?",
    ),
    "windows": (
        "I can offer {window} or {window2}. Which works best?",
        "We have {window} open, or {window2}. Want one of those?",
    ),
    "choose": (
        "{window} works",
        "The first one please",
        "First one works",
        "Perfect, book it",
    ),
    "confirm": (
        "You're booked for {job} on {window}. The technician will text when on the way.",
        "All set! {job} on {window}. Reply here if anything changes.",
    ),
    "question": (
        "How much is it?",
        "Do you charge for the visit?",
        "Do you work on Trane units?",
    ),
    "price": (
        "{price}. Want me to hold {window} for you?",
        "Good question: {price}. I can still offer {window}.",
    ),
    "short": ("ok", "maybe", "k", "not sure yet", "idk"),
    "garbled": (
        "the thing by the garage does the clicking again",
        "??",
        "wat",
        "my unit the other one not that one",
    ),
    "misunderstood": (
        "Sorry, I didn't catch that. Could you tell me a bit more about the problem?",
        "I want to make sure I get this right. Is it your heating, cooling, plumbing or "
        "something else?",
    ),
    "escalate": (
        "Thanks {first}. I'll have a member of our team reach out to you shortly.",
        "Understood. Someone from our office will get back to you today.",
    ),
    "no_capacity": (
        "Sorry {first}, we don't have an opening in the next two weeks. Someone from our "
        "team will call you to find a time.",
    ),
    "skill": (
        "Do you also install solar panels?",
        "Can you clean my pool too?",
        "Do you do roof repairs?",
    ),
    "skill_reply": (
        "That's not something I can book by text. Someone from our team will follow up.",
    ),
    "human": (
        "Can I talk to a real person?",
        "Please have someone call me",
        "I'd rather speak to someone in the office",
    ),
    "angry": (
        "Third time your tech didn't show up. Ridiculous.",
        "Your last repair broke again a week later. Not happy at all",
        "I was charged twice for the same visit. Fix this.",
    ),
    "outside": (
        "I'm down in San Marcos, {zip}",
        "We're out past Georgetown, zip {zip}",
    ),
    "outside_reply": (
        "Sorry {first}, {zip} is outside our service area, so we can't send a technician there.",
    ),
    "decline": (
        "No thanks, already got it fixed",
        "We went with someone else",
        "Never mind, it started working again",
    ),
    "decline_ack": (
        "Understood, thanks for letting us know. Have a great day!",
        "No problem at all. Reach out anytime if you need us.",
    ),
    "stop": ("STOP", "Stop texting me", "remove me from your list", "UNSUBSCRIBE", "stop"),
    "stop_ack": (
        "You're unsubscribed from {company} texts and won't get any more messages. Reply "
        "START to resubscribe.",
    ),
    "human_offer": (
        "Hi {first}, this is {user} from the office. I can get you in on {window}. Does that work?",
        "Hi {first}, {user} with {company}. I saw your message: would {window} work for the visit?",
    ),
    "human_booked": (
        "Great, you're on the schedule for {window}. Thanks {first}!",
        "Booked! {window}. You'll get a text when the tech is on the way.",
    ),
    "human_dismiss": (
        "Thanks {first}, we'll close this out. Call us anytime at the office.",
        "Understood {first}. We've closed your request; we're here if you need us.",
    ),
    "human_hello": (
        "Hi {first}, {user} here from the office. I'm taking it from here.",
        "Hi {first}, this is {user}. Let me help you with the {job}.",
    ),
}

# The agent opening or following up by the cadence (T), the lead (L), the agent
# answering (R), a team member (H).
TOUCH, LEAD, REPLY, HUMAN = "T", "L", "R", "H"

_SCRIPT_TEXT: dict[str, tuple[str, ...]] = {
    "started": ("T:greet", "T:greet T:follow"),
    "active.hot": ("T:greet L:need R:windows L:question R:price",),
    "active.warm": ("T:greet L:need R:windows", "T:greet L:need R:ask_details L:details R:windows"),
    "active.cool": ("T:greet L:short R:windows L:short",),
    "active.cold": ("T:greet L:need R:windows T:follow",),
    "active": ("T:greet L:need R:ask_details",),
    "converted.agent": (
        "T:greet L:need R:windows L:choose R:confirm",
        "T:greet L:need R:windows L:choose R:confirm",
    ),
    "converted.human": ("T:greet L:need H:human_offer L:choose H:human_booked",),
    "converted": ("T:greet L:need R:windows L:choose R:confirm",),
    "escalated.agent_issue": ("T:greet L:garbled R:misunderstood L:garbled R:escalate",),
    "escalated.availability": ("T:greet L:need R:no_capacity",),
    "escalated.skill_handling": ("T:greet L:skill R:skill_reply",),
    "escalated.human_request": (
        "T:greet L:need R:windows L:human R:escalate",
        "T:greet L:human R:escalate",
    ),
    "escalated.negative_sentiment": ("T:greet L:angry R:escalate",),
    "escalated": ("T:greet L:need R:escalate",),
    "dismissed.agent": ("T:greet L:outside R:outside_reply", "T:greet L:decline R:decline_ack"),
    "dismissed.human": ("T:greet L:decline H:human_dismiss", "T:greet L:need H:human_dismiss"),
    "dismissed": ("T:greet L:decline R:decline_ack",),
    "abandoned": ("T:greet T:follow T:follow T:last", "T:greet T:follow T:last"),
    "opt_out": ("T:greet L:stop R:stop_ack", "T:greet T:follow L:stop R:stop_ack"),
    "failed": ("T:greet",),
    "terminated": ("T:greet", "T:greet T:follow"),
    "takeover": (
        "T:greet L:need R:windows H:human_hello",
        "T:greet L:human R:escalate H:human_hello",
    ),
}
# An Inbound SMS conversation starts with the lead's text and the agent's answer.
_INBOUND_OPENING = ((LEAD, "opener"), (REPLY, "greet_in"))

# How each status was reached from Started: the timeline events written per interaction.
STATUS_PATHS: dict[str, tuple[str, ...]] = {
    s.code: ("started",) if s.code == "started" else ("started", s.code) for s in statuses.STATUSES
}
STATUS_PATHS.update(
    {
        "converted.agent": ("started", "active.hot", "converted.agent"),
        "converted": ("started", "active.warm", "converted"),
        "converted.human": ("started", "takeover", "converted.human"),
        "takeover": ("started", "active.warm", "takeover"),
    }
)
_ENGAGEMENT_CODES = frozenset(statuses.ENGAGEMENT_STATUSES.values())
_HUMAN_STATUSES = frozenset({"converted.human", "dismissed.human", "takeover"})
_SYSTEM_STATUSES = frozenset({"started", "abandoned", "opt_out", "failed", "terminated"})

# Relative frequency of each final status: most conversations end without a reply.
STATUS_WEIGHTS: dict[str, float] = {
    "started": 5,
    "active.hot": 2,
    "active.warm": 4,
    "active.cool": 2.5,
    "active.cold": 4,
    "active": 2,
    "converted.agent": 12,
    "converted.human": 4,
    "converted": 2,
    "escalated.agent_issue": 1.5,
    "escalated.availability": 1.5,
    "escalated.skill_handling": 1.5,
    "escalated.human_request": 2.5,
    "escalated.negative_sentiment": 1.5,
    "escalated": 1,
    "dismissed.agent": 5,
    "dismissed.human": 3,
    "dismissed": 2,
    "abandoned": 20,
    "opt_out": 6,
    "failed": 4,
    "terminated": 2,
    "takeover": 5,
}
# How long the lead takes to answer, in seconds, by how engaged the conversation is.
_REPLY_DELAYS: dict[str, tuple[int, int]] = {
    "active.hot": (15, 240),
    "converted.agent": (20, 600),
    "active.cool": (2 * HOUR, 10 * HOUR),
    "active.cold": (HOUR, 6 * HOUR),
}
_DEFAULT_REPLY_DELAY = (60, 2 * HOUR)

SUMMARIES: dict[str, str] = {
    "started": "{name} asked about {job}. The first message went out; no reply yet.",
    "active.hot": "{name} needs {job} and is replying quickly; the agent offered {window}.",
    "active.warm": "{name} needs {job}; the agent is finding a time.",
    "active.cool": "{name} answers briefly about {job}; the agent offered {window}.",
    "active.cold": "{name} replied once about {job} and has gone quiet; follow-ups continue.",
    "active": "{name} needs {job}; the agent asked for details.",
    "converted.agent": "{name} booked {job} for {window} with the agent.",
    "converted.human": "{user} booked {job} for {name} on {window} after taking over.",
    "converted": "{name} booked {job} for {window}.",
    "escalated.agent_issue": "The agent could not understand {name}'s request; needs a person.",
    "escalated.availability": "{name} needs {job}, but no arrival window was free.",
    "escalated.skill_handling": "{name} asked for work outside the configured skills.",
    "escalated.human_request": "{name} asked to talk to a person about {job}.",
    "escalated.negative_sentiment": "{name} is upset with the business; needs a call back.",
    "escalated": "{name} needs {job}; handed to the team.",
    "dismissed.agent": "{name} is outside the service area or declined; the agent closed it.",
    "dismissed.human": "{user} closed {name}'s request for {job}.",
    "dismissed": "{name} no longer needs {job}.",
    "abandoned": "{name} did not reply to any message about {job}; the cadence completed.",
    "opt_out": "{name} opted out of texts.",
    "failed": "The first message to {name} could not be delivered.",
    "terminated": "The campaign stopped before {name} replied about {job}.",
    "takeover": "{user} took over the conversation with {name} about {job}.",
}
EVENT_DETAILS: dict[str, str] = {
    s.code: s.meaning[0].upper() + s.meaning[1:] for s in statuses.STATUSES
}

# Plain strings for the hot loop (enum members cost a descriptor call each time).
_INBOUND = Message.Direction.INBOUND.value
_OUTBOUND = Message.Direction.OUTBOUND.value
_RECEIVED = Message.Delivery.RECEIVED.value
_DELIVERED = Message.Delivery.DELIVERED.value
_UNDELIVERED = Message.Delivery.UNDELIVERED.value
_BY_LEAD = Author.LEAD.value
_BY_AGENT = Author.AGENT.value
_BY_HUMAN = Author.HUMAN.value
_STATUS_CHANGED = InteractionEvent.Kind.STATUS_CHANGED.value
_RECORD_LEAD = RecordType.LEAD.value
_RECORD_OPPORTUNITY = RecordType.OPPORTUNITY.value
_INBOUND_SMS_SOURCE = Lead.Source.INBOUND_SMS.value

_RECORD_TYPES = (RecordType.LEAD.value, RecordType.CUSTOMER.value, RecordType.OPPORTUNITY.value)
_RECORD_TYPE_CUM_WEIGHTS = (75, 93, 100)
_LEAD_SOURCES = (
    Lead.Source.WEB_FORM.value,
    Lead.Source.API.value,
    Lead.Source.PHONE.value,
    Lead.Source.REFERRAL.value,
)
_LEAD_SOURCE_CUM_WEIGHTS = (55, 80, 90, 100)
_CAMPAIGN_WEIGHTS = {
    (Goal.SPEED_TO_LEAD.value, Channel.SMS.value): 55,
    (Goal.SPEED_TO_LEAD.value, Channel.VOICE.value): 20,
    (Goal.INBOUND_SMS.value, Channel.SMS.value): 25,
}
# A job type inside a sentence: "leak repair", but "AC repair" and "HVAC tune-up".
JOB_PHRASES = {
    code: jt.label if jt.label[:2].isupper() else jt.label[0].lower() + jt.label[1:]
    for code, jt in JOB_TYPES.items()
}
_OPPORTUNITY_JOBS = tuple(code for code in JOB_TYPES if code.endswith("_estimate"))


@dataclass(frozen=True)
class _Outcome:
    """Everything about a final status the generator needs, worked out once."""

    group: str
    escalated: bool
    closed: bool
    converted: bool
    stage: str
    engagement: str
    # Each timeline step: the status reached, who changed it, whether a person did.
    steps: tuple[tuple[str, str, bool], ...]


def _outcome(code: str) -> _Outcome:
    status = statuses.get(code)
    steps = []
    engagement = ""
    for to_status in STATUS_PATHS[code]:
        if to_status in _ENGAGEMENT_CODES:
            engagement = statuses.get(to_status).reason
        if to_status in _HUMAN_STATUSES:
            steps.append((to_status, _BY_HUMAN, True))
        elif to_status in _SYSTEM_STATUSES:
            steps.append((to_status, Author.SYSTEM.value, False))
        else:
            steps.append((to_status, _BY_AGENT, False))
    converted = status.group is statuses.Group.CONVERTED
    return _Outcome(
        group=status.group.value,
        escalated=status.group is statuses.Group.ESCALATED,
        closed=not status.is_open,
        converted=converted,
        stage=(
            Opportunity.Stage.WON.value
            if converted
            else Opportunity.Stage.OPEN.value
            if status.is_open
            else Opportunity.Stage.LOST.value
        ),
        engagement=engagement,
        steps=tuple(steps),
    )


OUTCOMES = {s.code: _outcome(s.code) for s in statuses.STATUSES}


def _parse_scripts() -> dict[str, tuple[tuple[tuple[str, str], ...], ...]]:
    parsed = {}
    for status, variants in _SCRIPT_TEXT.items():
        parsed[status] = tuple(
            tuple((step.split(":")[0], step.split(":")[1]) for step in text.split())
            for text in variants
        )
    return parsed


SCRIPTS = _parse_scripts()


# --- Tables ----------------------------------------------------------------------------


class _Table:
    """One model's table: the columns the generator fills, plus the model's defaults.

    A field added to the model later is filled with its default; a new required field
    without one stops the generator with a clear message instead of failing mid-load.
    """

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        meta = model._meta
        fields = {f.attname: f for f in meta.concrete_fields}
        unknown = [name for name in columns if name not in fields]
        if unknown:
            raise LookupError(f"{meta.label} has no field {', '.join(unknown)}")
        tail_fields = [f for f in meta.concrete_fields if f.attname not in columns]
        tail: list[Any] = []
        for f in tail_fields:
            value = f.get_default()
            if value is None and not f.null:
                raise LookupError(
                    f"leadline.demo.bulk does not know how to fill {meta.label}.{f.name}"
                )
            tail.append(f.get_db_prep_save(value, connection))
        self.model = model
        self.db_table = meta.db_table
        self.pk_column = meta.pk.column
        self.columns = [fields[name].column for name in columns] + [f.column for f in tail_fields]
        self.tail = tuple(tail)

    def complete(self, rows: list[tuple[Any, ...]]) -> Iterable[tuple[Any, ...]]:
        if not self.tail:
            return rows
        tail = self.tail
        return (row + tail for row in rows)


LEAD_COLUMNS = _words(
    "id company_id customer_id first_name last_name phone email zip address note source created_at"
)
CUSTOMER_COLUMNS = _words("id company_id first_name last_name phone email address zip created_at")
OPPORTUNITY_COLUMNS = _words(
    "id company_id customer_id lead_id title job_type stage estimated_value created_at"
)
INTERACTION_COLUMNS = _words(
    "id company_id campaign_id lead_id customer_id opportunity_id record_type channel goal "
    "status status_group escalated engagement lead_name lead_phone started_at "
    "last_activity_at last_inbound_at last_outbound_at closed_at message_count inbound_count "
    "outbound_count touches_sent summary first_of_lead created_at updated_at"
)
MESSAGE_COLUMNS = _words(
    "id company_id interaction_id direction author author_user_id body provider_id "
    "delivery_status error_code created_at sent_at"
)
EVENT_COLUMNS = _words(
    "id company_id interaction_id lead_id kind actor_kind actor_id from_status to_status "
    "detail data created_at"
)

# Parents before children; the keys name the tables in reports.
TABLE_SPECS: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    "customers": (Customer, CUSTOMER_COLUMNS),
    "leads": (Lead, LEAD_COLUMNS),
    "opportunities": (Opportunity, OPPORTUNITY_COLUMNS),
    "interactions": (Interaction, INTERACTION_COLUMNS),
    "messages": (Message, MESSAGE_COLUMNS),
    "events": (InteractionEvent, EVENT_COLUMNS),
}


@dataclass
class _Batch:
    index: int
    indexes: list[int]
    # The first id of each table the rows were built with.
    planned: dict[str, int]
    rows: dict[str, list[tuple[Any, ...]]]


# --- Times ------------------------------------------------------------------------------


class _Timestamps:
    """Epoch seconds to the text each database stores for an aware UTC datetime.

    Formatting a million datetimes through Django's adapters would take longer than
    inserting them, so days and times of day are formatted once and joined.
    """

    def __init__(self, first_day: int, last_day: int, suffix: str) -> None:
        self.first_day = first_day
        self.suffix = suffix
        self.days = [
            f"{date.fromordinal(_EPOCH_ORDINAL + d).isoformat()} "
            for d in range(first_day, last_day + 1)
        ]
        self.times = [
            f"{s // HOUR:02d}:{s // 60 % 60:02d}:{s % 60:02d}{suffix}" for s in range(DAY)
        ]

    def __call__(self, seconds: int) -> str:
        day = seconds // DAY - self.first_day
        if 0 <= day < len(self.days):
            return self.days[day] + self.times[seconds % DAY]
        moment = datetime.fromtimestamp(seconds, UTC)
        return f"{moment:%Y-%m-%d %H:%M:%S}{self.suffix}"


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _timestamp_formatter(first_day: int, last_day: int) -> _Timestamps:
    if connection.vendor == "sqlite":
        formatter = _Timestamps(first_day, last_day, "")
        probe = datetime(2026, 11, 25, 9, 5, 7, tzinfo=UTC)
        expected = connection.ops.adapt_datetimefield_value(probe)
        if formatter(int(probe.timestamp())) != expected:
            raise RuntimeError(f"SQLite stores datetimes as {expected!r}; update _Timestamps")
        return formatter
    return _Timestamps(first_day, last_day, "+00")


# --- The generator ---------------------------------------------------------------------


@dataclass(frozen=True)
class _CampaignInfo:
    id: int
    goal: str
    channel: str
    inbound: bool
    started_detail: str
    touch_offsets: tuple[int, ...]
    abandon_after: int
    jobs: tuple[str, ...]


def _seconds(text: str, default: int) -> int:
    try:
        return int(parse_duration(text).total_seconds())
    except ValueError:
        return default


def _campaign_info(campaign: Campaign) -> _CampaignInfo:
    offsets = tuple(_seconds(str(step), DAY) for step in (campaign.cadence or ["0m"]))
    jobs = tuple(code for code in (campaign.skills or []) if code in JOB_TYPES) or tuple(JOB_TYPES)
    return _CampaignInfo(
        id=campaign.pk,
        goal=campaign.goal,
        channel=campaign.channel,
        inbound=campaign.goal == Goal.INBOUND_SMS,
        started_detail=(
            f"{campaign.get_goal_display()} started on {campaign.get_channel_display()}"
        ),
        touch_offsets=offsets,
        abandon_after=_seconds(campaign.abandon_after, DAY),
        jobs=jobs,
    )


class _Generator:
    """Builds the rows of one batch; item k is the same whenever it is built."""

    def __init__(self, company: Company, now: datetime) -> None:
        campaigns = list(Campaign.objects.for_company(company).order_by("id"))
        if not campaigns:
            raise LookupError(f"{company} has no campaign to generate interactions for")
        self.company_id = company.pk
        self.company_name = company.name
        self.prices: dict[str, str] = dict(company.prices or {})
        self.zips = tuple(company.service_area_zips or ["78704"])
        self.campaigns = [_campaign_info(c) for c in campaigns]
        weights = [_CAMPAIGN_WEIGHTS.get((c.goal, c.channel), 10) for c in self.campaigns]
        self.campaign_cum = _cumulative(weights)
        self.users: list[tuple[int | None, str]] = [
            (pk, first or "Sam")
            for pk, first in User.objects.filter(company=company, is_active=True)
            .order_by("id")
            .values_list("id", "first_name")
        ] or [(None, "Jordan")]
        self.status_codes = [s.code for s in statuses.STATUSES]
        self.status_cum = _cumulative([STATUS_WEIGHTS[code] for code in self.status_codes])

        self.now = int(now.timestamp())
        zone = ZoneInfo(company.time_zone)
        today = now.astimezone(zone).date()
        self.history = _BusinessHours(today, zone, self.now)
        self.today_ordinal = today.toordinal()
        self.day_labels = {
            ordinal: _day_label(date.fromordinal(ordinal))
            for ordinal in range(self.today_ordinal - HISTORY_DAYS - 10, self.today_ordinal + 12)
        }
        first_day = self.now // DAY - HISTORY_DAYS - 10
        self.ts = _timestamp_formatter(first_day, self.now // DAY + 1)
        self.event_data = json.dumps({"generated": True})
        self.tables = {name: _Table(model, cols) for name, (model, cols) in TABLE_SPECS.items()}

    def build(self, batch: int, wanted: Sequence[int], next_ids: dict[str, int]) -> _Batch:
        """Rows for the wanted items of a batch (ascending), with ids from `next_ids` on."""
        rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in TABLE_SPECS}
        ids = dict(next_ids)
        rng = random.Random(SEED * 1_000_003 + batch)
        tile_start, tile_width = _time_tile(batch)
        wanted_set = set(wanted)
        for k in range(batch * BATCH_SIZE, wanted[-1] + 1):
            moment = tile_start + tile_width * rng.random()
            item = self._item(rng, k, moment, ids)
            if k in wanted_set:
                for name, item_rows in item.items():
                    rows[name].extend(item_rows)
                    ids[name] += len(item_rows)
        return _Batch(index=batch, indexes=list(wanted), planned=dict(next_ids), rows=rows)

    def _item(
        self, rng: random.Random, k: int, moment: float, ids: dict[str, int]
    ) -> dict[str, list[tuple[Any, ...]]]:
        ts = self.ts
        company_id = self.company_id
        n_statuses = len(self.status_codes)
        campaign = self.campaigns[
            rng.choices(range(len(self.campaigns)), cum_weights=self.campaign_cum)[0]
        ]
        status = rng.choices(self.status_codes, cum_weights=self.status_cum)[0]
        record_type = rng.choices(_RECORD_TYPES, cum_weights=_RECORD_TYPE_CUM_WEIGHTS)[0]
        if k < n_statuses:
            # The first items cover every status, campaign and record type once.
            status = self.status_codes[k]
            campaign = self.campaigns[k % len(self.campaigns)]
            record_type = _RECORD_TYPES[k % len(_RECORD_TYPES)]
        outcome = OUTCOMES[status]
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        name = f"{first} {last}"
        phone = generated_phone(k)
        job = rng.choice(campaign.jobs)
        job_label = JOB_PHRASES[job]
        user_id, user_name = rng.choice(self.users)
        zip_code = rng.choice(OUTSIDE_ZIPS if status == "dismissed.agent" else self.zips)
        street = rng.choice(STREETS)
        number = rng.randrange(100, 9900)
        script = rng.choice(SCRIPTS[status])
        if campaign.inbound:
            script = _INBOUND_OPENING + script[1:]

        start, start_day = self.history.at(moment)
        reply_lo, reply_hi = _REPLY_DELAYS.get(status, _DEFAULT_REPLY_DELAY)
        offsets = campaign.touch_offsets
        times: list[int] = []
        t = start
        # The agent's answer to an inbound text is the first touch.
        touches = 1 if campaign.inbound else 0
        for position, (actor, _pool) in enumerate(script):
            if actor == TOUCH:
                if touches:
                    due = start + offsets[touches] if touches < len(offsets) else t + DAY
                    t = max(t + HOUR, due)
                touches += 1
            elif position == 0:
                pass
            elif actor == LEAD:
                t += rng.randint(reply_lo, reply_hi)
            elif actor == REPLY:
                t += rng.randint(3, 30)
            else:
                t += rng.randint(120, 1800)
            times.append(t)
        last_message = times[-1]
        if status == "abandoned":
            final = last_message + campaign.abandon_after
        elif status == "failed":
            final = last_message + rng.randint(2, 40)
        elif status == "terminated":
            final = last_message + rng.randint(HOUR, 3 * DAY)
        else:
            final = last_message
        # Drawn whether it is needed or not, so later draws do not depend on the clock.
        slack = rng.randint(60, 4 * HOUR)
        overshoot = final - self.now
        if overshoot > 0:
            shift = overshoot + slack
            start -= shift
            final -= shift
            times = [x - shift for x in times]
            last_message -= shift

        booking_day = start_day + rng.randint(1, 3)
        if booking_day % 7 == 0:  # a Sunday (ordinal 1 is a Monday): no windows
            booking_day += 1
        slot = rng.randrange(len(WINDOWS))
        window = f"{self.day_labels.get(booking_day, '')}, {WINDOWS[slot]}"
        window2 = f"{self.day_labels.get(booking_day + 1, '')}, {WINDOWS[(slot + 2) % 4]}"
        values = {
            "first": first,
            "name": name,
            "company": self.company_name,
            "job": job_label,
            "window": window,
            "window2": window2,
            "zip": zip_code,
            "user": user_name,
            "street": street,
            "number": number,
            "price": self.prices.get(job, "We give you a firm price on site before any work"),
        }
        templates = [rng.choice(POOLS[pool]) for _actor, pool in script]

        lead_id = ids["leads"]
        interaction_id = ids["interactions"]
        customer_id: int | None = None
        opportunity_id: int | None = None
        out: dict[str, list[tuple[Any, ...]]] = {}
        email = f"{first}.{last}{k % 97}@example.com".lower() if rng.random() < 0.6 else ""
        address = f"{number} {street}"
        if record_type != _RECORD_LEAD:
            customer_id = ids["customers"]
            since = start - rng.randint(60 * DAY, 3 * 365 * DAY)
            out["customers"] = [
                (customer_id, company_id, first, last, phone, email, address, zip_code, ts(since))
            ]
        if record_type == _RECORD_OPPORTUNITY:
            opportunity_id = ids["opportunities"]
            estimate = rng.choice(_OPPORTUNITY_JOBS)
            out["opportunities"] = [
                (
                    opportunity_id,
                    company_id,
                    customer_id,
                    lead_id,
                    f"{JOB_TYPES[estimate].label} for {name}",
                    estimate,
                    outcome.stage,
                    f"{rng.randrange(40, 180) * 100}.00",
                    ts(start - rng.randint(DAY, 45 * DAY)),
                )
            ]
        if campaign.inbound:
            source = _INBOUND_SMS_SOURCE
            lead_created = start
        else:
            source = rng.choices(_LEAD_SOURCES, cum_weights=_LEAD_SOURCE_CUM_WEIGHTS)[0]
            lead_created = start - rng.randint(3, 90)
        out["leads"] = [
            (
                lead_id,
                company_id,
                customer_id,
                first,
                last,
                phone,
                email,
                zip_code,
                address,
                LEAD_NOTE,
                source,
                ts(lead_created),
            )
        ]

        messages = []
        message_id = ids["messages"]
        inbound_count = 0
        last_inbound: int | None = None
        last_outbound: int | None = None
        failed = status == "failed"
        row: tuple[Any, ...]
        for (actor, _pool), template, at in zip(script, templates, times, strict=True):
            body = template.format_map(values)
            if actor == LEAD:
                inbound_count += 1
                last_inbound = at
                row = (
                    message_id, company_id, interaction_id, _INBOUND, _BY_LEAD, None,
                    body, None, _RECEIVED, "", ts(at), None,
                )  # fmt: skip
            else:
                last_outbound = at
                human = actor == HUMAN
                row = (
                    message_id,
                    company_id,
                    interaction_id,
                    _OUTBOUND,
                    _BY_HUMAN if human else _BY_AGENT,
                    user_id if human else None,
                    body,
                    None,
                    _UNDELIVERED if failed else _DELIVERED,
                    rng.choice(ERROR_CODES) if failed else "",
                    ts(at),
                    ts(at + 1),
                )
            messages.append(row)
            message_id += 1
        out["messages"] = messages

        events = []
        event_id = ids["events"]
        previous = ""
        last_step = len(outcome.steps) - 1
        for step, (to_status, actor_kind, by_human) in enumerate(outcome.steps):
            if step == 0:
                at, detail = start, campaign.started_detail
            elif step == last_step:
                at, detail = final, EVENT_DETAILS[to_status]
                if outcome.converted:
                    detail = f"Booked {job_label} for {window}"
            else:
                at = _middle_time(script, times, to_status)
                detail = EVENT_DETAILS[to_status]
            events.append(
                (
                    event_id,
                    company_id,
                    interaction_id,
                    lead_id,
                    _STATUS_CHANGED,
                    actor_kind,
                    user_id if by_human else None,
                    previous,
                    to_status,
                    detail,
                    self.event_data,
                    ts(at),
                )
            )
            previous = to_status
            event_id += 1
        out["events"] = events

        count = len(messages)
        updated = max(final, last_message)
        out["interactions"] = [
            (
                interaction_id,
                company_id,
                campaign.id,
                lead_id,
                customer_id,
                opportunity_id,
                record_type,
                campaign.channel,
                campaign.goal,
                status,
                outcome.group,
                outcome.escalated,
                outcome.engagement,
                name,
                phone,
                ts(start),
                ts(last_message),
                None if last_inbound is None else ts(last_inbound),
                None if last_outbound is None else ts(last_outbound),
                ts(final) if outcome.closed else None,
                count,
                inbound_count,
                count - inbound_count,
                touches,
                SUMMARIES[status].format_map(values),
                True,  # each generated lead has this one interaction
                ts(start),
                ts(updated),
            )
        ]
        return out


def _time_tile(batch: int) -> tuple[float, float]:
    """The part of the history (0 to 1) that a batch's conversations start in.

    Batch 0 spans all of it, batch 1 too, then halves, quarters, eighths... each level
    visited in bit-reversed order, so any number of batches covers the history
    evenly while a late batch only touches a few hours of it. That locality is
    what keeps a million inserts fast: the list indexes (company, ..., last
    activity) then change in a few pages per batch instead of everywhere.
    """
    if batch < 1:
        return 0.0, 1.0
    level = batch.bit_length() - 1
    position = batch - (1 << level)
    tile = int(format(position, f"0{level}b")[::-1], 2) if level else 0
    width = 1.0 / (1 << level)
    return tile * width, width


class _BusinessHours:
    """The last HISTORY_DAYS days as one axis of business hours, busiest hours widest.

    `at(u)` maps 0 <= u < 1 to a moment, in order, so that evenly spread u give the
    daily rhythm of a home-service business: mornings busy, Sundays quiet.
    """

    HOURS = range(7, 21)
    HOUR_WEIGHTS = (3, 6, 9, 10, 10, 9, 8, 8, 8, 7, 7, 6, 4, 2)
    DAY_WEIGHTS = (1.0, 1.0, 1.0, 1.0, 0.9, 0.7, 0.4)  # Monday to Sunday

    def __init__(self, today: date, zone: ZoneInfo, now: int) -> None:
        self.starts: list[int] = []
        self.days: list[int] = []
        self.cumulative: list[float] = []
        total = 0.0
        for back in range(HISTORY_DAYS - 1, -1, -1):
            day = today - timedelta(days=back)
            for hour, weight in zip(self.HOURS, self.HOUR_WEIGHTS, strict=True):
                start = int(datetime(day.year, day.month, day.day, hour, tzinfo=zone).timestamp())
                if start + HOUR > now:
                    continue
                total += weight * self.DAY_WEIGHTS[day.weekday()]
                self.starts.append(start)
                self.days.append(day.toordinal())
                self.cumulative.append(total)
        self.total = total

    def at(self, u: float) -> tuple[int, int]:
        """The moment (epoch seconds) at fraction u of the history, and its local day."""
        target = u * self.total
        i = min(bisect_right(self.cumulative, target), len(self.cumulative) - 1)
        before = self.cumulative[i - 1] if i else 0.0
        within = (target - before) / (self.cumulative[i] - before)
        return self.starts[i] + int(within * HOUR), self.days[i]


def _middle_time(script: Sequence[tuple[str, str]], times: Sequence[int], status: str) -> int:
    """When an intermediate status was reached: the takeover just before the person's
    first message, an engagement status at the lead's first reply."""
    wanted = HUMAN if status == "takeover" else LEAD
    for position, ((actor, _pool), at) in enumerate(zip(script, times, strict=True)):
        if actor == wanted and position > 0:
            return at - 30 if wanted == HUMAN else at
    return times[len(times) // 2]


def _cumulative(weights: Sequence[float]) -> list[float]:
    total = 0.0
    out = []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _day_label(day: date) -> str:
    return f"{WEEKDAY_NAMES[day.weekday()]} {MONTH_NAMES[day.month - 1]} {day.day}"


# --- Writing ----------------------------------------------------------------------------


class _Writer:
    """Inserts a batch in one transaction, with ids no other writer can take meanwhile."""

    def __init__(self, tables: dict[str, _Table]) -> None:
        self.tables = tables
        self.vendor = connection.vendor
        if self.vendor not in ("sqlite", "postgresql"):
            raise DomainError(
                f"bulk loading supports SQLite and PostgreSQL, not {connection.display_name}"
            )
        qn = connection.ops.quote_name
        self.sequences: dict[str, str | None] = {}
        with connection.cursor() as cursor:
            for name, table in tables.items():
                if self.vendor == "postgresql":
                    cursor.execute(
                        "SELECT pg_get_serial_sequence(%s, %s)", [table.db_table, table.pk_column]
                    )
                    self.sequences[name] = cursor.fetchone()[0]
                else:
                    self.sequences[name] = None
        # Identifiers come from the models' _meta and are quoted: nothing user-supplied.
        self.max_sql = {
            name: f"SELECT MAX({qn(t.pk_column)}) FROM {qn(t.db_table)}"  # noqa: S608
            for name, t in tables.items()
        }
        self.insert_sql = {
            name: (
                f"INSERT INTO {qn(t.db_table)} ({', '.join(qn(c) for c in t.columns)}) "  # noqa: S608
                f"VALUES ({', '.join('?' for _ in t.columns)})"
            )
            for name, t in tables.items()
        }
        self.copy_sql = {
            name: f"COPY {qn(t.db_table)} ({', '.join(qn(c) for c in t.columns)}) FROM STDIN"
            for name, t in tables.items()
        }
        self.lock_sql = (
            "LOCK TABLE "
            + ", ".join(qn(t.db_table) for t in tables.values())
            + " IN SHARE ROW EXCLUSIVE MODE"
        )
        self.reset_sql = connection.ops.sequence_reset_sql(
            no_style(), [t.model for t in tables.values()]
        )

    def next_ids(self) -> dict[str, int]:
        """The first free id of each table: above every row and every id ever handed out."""
        ids = {}
        with connection.cursor() as cursor:
            for name, table in self.tables.items():
                cursor.execute(self.max_sql[name])
                highest = cursor.fetchone()[0] or 0
                if self.vendor == "sqlite":
                    cursor.execute(
                        "SELECT seq FROM sqlite_sequence WHERE name = %s", [table.db_table]
                    )
                    row = cursor.fetchone()
                    highest = max(highest, row[0] if row else 0)
                elif self.sequences[name]:
                    cursor.execute(
                        f"SELECT last_value, is_called FROM {self.sequences[name]}"  # noqa: S608
                    )
                    last_value, is_called = cursor.fetchone()
                    highest = max(highest, last_value if is_called else last_value - 1)
                ids[name] = highest + 1
        return ids

    def write(self, batch: _Batch, company: Company) -> bool:
        """Insert the batch; False when the ids or the items were taken meanwhile."""
        with transaction.atomic():
            if self.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # Nothing else inserts into these tables until the batch commits, so
                    # the ids stay free; losing the last batches in a crash is harmless.
                    cursor.execute(self.lock_sql)
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            if self.next_ids() != batch.planned:
                return False
            if _any_generated(company, batch.indexes):
                return False
            for name, table in self.tables.items():
                rows = batch.rows[name]
                if rows:
                    self._insert(name, table.complete(rows))
            if self.vendor == "postgresql":
                with connection.cursor() as cursor:
                    for sql in self.reset_sql:
                        cursor.execute(sql)
        return True

    def _insert(self, name: str, rows: Iterable[tuple[Any, ...]]) -> None:
        raw = connection.connection
        if self.vendor == "postgresql":
            with raw.cursor() as cursor, cursor.copy(self.copy_sql[name]) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor = raw.cursor()
            try:
                cursor.executemany(self.insert_sql[name], rows)
            finally:
                cursor.close()


# --- Progress ----------------------------------------------------------------------------


class Progress:
    """A one-line progress bar on a terminal; a line every ~10% anywhere else."""

    def __init__(self, out: TextIO, total: int, label: str = "Generating") -> None:
        self.out = out
        self.total = total
        self.label = label
        isatty = getattr(out, "isatty", None)
        self.tty = bool(isatty and isatty())
        self.started = time.monotonic()
        self.next_report = 0.1
        self.width = 0

    def update(self, done: int, rows: int) -> None:
        fraction = done / self.total if self.total else 1.0
        if not self.tty:
            if fraction + 1e-9 < self.next_report and done < self.total:
                return
            while self.next_report <= fraction + 1e-9:
                self.next_report += 0.1
        line = self.line(done, rows)
        if self.tty:
            self.width = max(self.width, len(line))
            self.out.write("\r" + line.ljust(self.width))
        else:
            self.out.write(line + "\n")
        self.out.flush()

    def line(self, done: int, rows: int) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        fraction = done / self.total if self.total else 1.0
        rate = done / elapsed
        filled = int(fraction * 20)
        bar = "#" * filled + "." * (20 - filled)
        eta = _duration((self.total - done) / rate) if rate > 0 else "?"
        return (
            f"{self.label} [{bar}] {done:,}/{self.total:,} {fraction:6.1%} "
            f"{rate:,.0f} interactions/s, {rows / elapsed:,.0f} rows/s, ETA {eta}"
        )

    def finish(self) -> None:
        if self.tty:
            self.out.write("\n")
            self.out.flush()


def _duration(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


# --- The command ------------------------------------------------------------------------


def _todo(company: Company, count: int) -> tuple[int, list[int]]:
    """How many generated interactions exist, and the item indexes to add to reach `count`."""
    generated = generated_interactions(company)
    present = generated.count()
    if present >= count:
        return present, []
    highest = generated.order_by("-lead_phone").values_list("lead_phone", flat=True).first()
    if highest is None or _index_of(highest) == present - 1:
        return present, list(range(present, count))
    # Some were deleted: fill the gaps first so the data stays the same items.
    existing = {_index_of(p) for p in generated.values_list("lead_phone", flat=True).iterator()}
    missing = (k for k in range(CAPACITY) if k not in existing)
    return present, [next(missing) for _ in range(count - present)]


def generate_interactions(*, company: Company, count: int, out: TextIO | None = None) -> BulkResult:
    """Bring the company's generated interactions (with leads, messages, events) up to `count`.

    Each batch is its own transaction, so an interrupted run keeps what it finished and
    the next run continues from there.
    """
    if count < 0 or count > CAPACITY:
        raise ValueError(f"--interactions must be between 0 and {CAPACITY:,}")
    out = out if out is not None else sys.stdout
    started = time.monotonic()
    present, todo = _todo(company, count)
    result = BulkResult(requested=count, present=present, added=0)
    if not todo:
        out.write(f"{result}\n")
        return result

    generator = _Generator(company, clock.now())
    writer = _Writer(generator.tables)
    result.rows = dict.fromkeys(TABLE_SPECS, 0)
    progress = Progress(out, len(todo), "Generating interactions")
    restore = _tune_connection()
    try:
        _load(generator, writer, company, todo, result, progress)
    except KeyboardInterrupt:
        progress.finish()
        out.write(f"Interrupted: {result}; run it again to continue.\n")
        raise
    finally:
        restore()
    progress.finish()
    _refresh_statistics(writer.tables.values())
    result.seconds = time.monotonic() - started
    out.write(f"{result}\n")
    out.write(
        "Added "
        + ", ".join(f"{n:,} {name}" for name, n in result.rows.items())
        + f" in {result.seconds:.1f} s.\n"
    )
    return result


def _batches(todo: list[int]) -> Iterable[tuple[int, list[int]]]:
    start = 0
    while start < len(todo):
        batch = todo[start] // BATCH_SIZE
        end = start
        while end < len(todo) and todo[end] // BATCH_SIZE == batch:
            end += 1
        yield batch, todo[start:end]
        start = end


def _load(
    generator: _Generator,
    writer: _Writer,
    company: Company,
    todo: list[int],
    result: BulkResult,
    progress: Progress,
) -> None:
    for batch_index, wanted in _batches(todo):
        added = _write_batch(generator, writer, company, batch_index, wanted, result)
        result.added += added
        result.present += added
        progress.update(result.added, result.total_rows)


def _write_batch(
    generator: _Generator,
    writer: _Writer,
    company: Company,
    batch_index: int,
    wanted: list[int],
    result: BulkResult,
) -> int:
    """Build and write one batch; the number of interactions it added."""
    for _attempt in range(5):
        # Built outside the transaction, so other writers wait only for the inserts;
        # if one of them took the planned ids meanwhile, build again.
        batch = generator.build(batch_index, wanted, writer.next_ids())
        try:
            written = writer.write(batch, company)
        except OperationalError:
            # A deadlock with another writer on PostgreSQL: that transaction won; retry.
            if writer.vendor != "postgresql":
                raise
            written = False
        if written:
            for name, rows in batch.rows.items():
                result.rows[name] += len(rows)
            return len(wanted)
        if _any_generated(company, wanted):
            return 0  # another run generated these items meanwhile
    raise RuntimeError("could not reserve ids for a batch; is another bulk load running?")


def _any_generated(company: Company, indexes: list[int]) -> bool:
    """Whether any of these items (ascending, all in one batch) exist already.

    A range over the batch's phone numbers, not an IN list: PostgreSQL would test
    every generated row against a 2,000-value list.
    """
    present = generated_interactions(company).filter(
        lead_phone__gte=generated_phone(indexes[0]), lead_phone__lte=generated_phone(indexes[-1])
    )
    if len(indexes) == indexes[-1] - indexes[0] + 1:
        return present.exists()
    return not {generated_phone(k) for k in indexes}.isdisjoint(
        present.values_list("lead_phone", flat=True)
    )


def _tune_connection() -> Callable[[], None]:
    """A larger page cache for SQLite while loading; undone afterwards."""
    if connection.vendor != "sqlite":
        return lambda: None
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB

    def restore() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")

    return restore


def _refresh_statistics(tables: Iterable[_Table]) -> None:
    """Fresh planner statistics after a load, so the list queries pick their indexes."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # A sample is enough to tell the planner a table grew by a million rows.
            cursor.execute("PRAGMA analysis_limit = 1000")
        for table in tables:
            cursor.execute(f"ANALYZE {qn(table.db_table)}")
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit = 0")

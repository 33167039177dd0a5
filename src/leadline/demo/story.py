"""The demo company's last 30 days: about 500 believable conversations, written to the tables.

Nothing here is played through the agent. Each interaction is composed in memory first
(its messages, calls, timeline, bookings, notes and tasks), every status change is
checked against the status rules as it is made, and only then is everything written in
bulk, so the counts and times kept on each interaction always match its thread.
Bookings go through `book_window`, so arrival windows are consumed for real.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from leadline.accounts.models import Company, User
from leadline.campaigns.models import Campaign, Channel, Goal
from leadline.capacity.job_types import label_of, trade_of
from leadline.capacity.models import ArrivalWindow
from leadline.capacity.services import book_window
from leadline.compliance.gate import Locale, next_allowed_at
from leadline.compliance.models import OptOut
from leadline.crm.models import Customer, Job, Lead, Note, Opportunity, Task
from leadline.demo import reference
from leadline.interactions import statuses
from leadline.interactions.models import (
    Author,
    Call,
    CallTurn,
    Interaction,
    InteractionEvent,
    Message,
    RecordType,
)
from leadline.kit import clock
from leadline.kit.durations import parse_duration
from leadline.kit.phone import format_phone

SEED = 2026
STORY_DAYS = 30
CO = reference.NAME
STOP_LINE = "Reply STOP to opt out."
OPT_OUT_CONFIRMATION = (
    f"You have been unsubscribed from {CO} and will receive no more messages. "
    "Reply START to resubscribe."
)

# How many interactions of each status the story tells: about 30% converted, 10%
# escalated, 15% abandoned, and a live tail of active conversations.
STATUS_COUNTS: dict[str, int] = {
    "started": 18,
    "active.hot": 5,
    "active.warm": 9,
    "active.cool": 8,
    "active.cold": 10,
    "active": 4,
    "converted.agent": 130,
    "converted.human": 26,
    "converted": 6,
    "escalated.agent_issue": 5,
    "escalated.availability": 8,
    "escalated.skill_handling": 10,
    "escalated.human_request": 14,
    "escalated.negative_sentiment": 9,
    "escalated": 4,
    "dismissed.agent": 52,
    "dismissed.human": 22,
    "dismissed": 8,
    "abandoned": 80,
    "opt_out": 34,
    "failed": 12,
    "terminated": 8,
    "takeover": 18,
}

# When leads arrive, local time: a morning peak and an early-evening peak.
_HOUR_WEIGHTS = (
    0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 1.0, 2.2, 3.6, 4.0, 3.6, 3.0,
    2.6, 2.3, 2.3, 2.5, 2.9, 3.7, 4.1, 3.5, 2.4, 1.4, 0.8, 0.4,
)  # fmt: skip
# Leads who never answer skew late: they filled the form in the evening and moved on.
_SILENT_HOUR_WEIGHTS = (
    0.6, 0.3, 0.2, 0.2, 0.2, 0.4, 0.9, 1.6, 2.2, 2.4, 2.2, 2.0,
    1.9, 1.9, 2.0, 2.3, 2.8, 3.6, 4.3, 4.6, 4.2, 3.4, 2.2, 1.2,
)  # fmt: skip
_DAY_WEIGHTS = (1.25, 1.1, 1.05, 1.0, 0.95, 0.8, 0.6)

# How long ago (hours) each status's lead arrived; the rest come from the whole 30 days.
_AGES: dict[str, tuple[float, float]] = {
    "started": (0.2, 70),
    "active.hot": (0.3, 3),
    "active.warm": (1, 20),
    "active.cool": (8, 44),
    "active.cold": (28, 75),
    "active": (0.2, 5),
    "abandoned": (100, STORY_DAYS * 24),
}
_ESCALATED_MAX_AGE = 7 * 24.0

_VOICE_OK = frozenset(
    {
        "started",
        "converted.agent",
        "escalated.agent_issue",
        "escalated.availability",
        "escalated.skill_handling",
        "escalated.human_request",
        "escalated.negative_sentiment",
        "dismissed.agent",
        "abandoned",
        "opt_out",
        "failed",
        "terminated",
    }
)
_INBOUND_OK = frozenset(
    {
        "active.hot",
        "active.warm",
        "active.cool",
        "active",
        "converted.agent",
        "converted.human",
        "escalated.agent_issue",
        "escalated.availability",
        "escalated.skill_handling",
        "escalated.human_request",
        "escalated.negative_sentiment",
        "escalated",
        "dismissed.agent",
        "dismissed.human",
        "opt_out",
        "takeover",
    }
)
_OPPORTUNITY_OK = frozenset(
    {
        "started",
        "active.warm",
        "active.cold",
        "converted.agent",
        "converted.human",
        "escalated.human_request",
        "dismissed.agent",
        "abandoned",
        "takeover",
    }
)
_CUSTOMER_ONLY = frozenset({"escalated", "escalated.negative_sentiment"})
_ESTIMATES = (
    "hvac_replacement_estimate",
    "water_heater_replacement_estimate",
    "panel_upgrade_estimate",
    "ev_charger_estimate",
    "garage_door_replacement_estimate",
)

FIRST_NAMES = (
    "Dana", "Marcus", "Priya", "Luis", "Keisha", "Tom", "Mei", "Jamal", "Sofia", "Brandon",
    "Aaliyah", "Carlos", "Hannah", "Minh", "Fatima", "Tyler", "Rosa", "Derek", "Imani", "Raj",
    "Emily", "Javier", "Lauren", "DeShawn", "Ana", "Kevin", "Grace", "Omar", "Megan", "Andre",
    "Yesenia", "Chris", "Leticia", "Ryan", "Amara", "Hector", "Jessica", "Wei", "Brianna",
    "Mateo", "Olivia", "Darnell", "Kim", "Arjun", "Rachel", "Travis", "Lupe", "Ethan", "Nadia",
    "Victor", "Tasha", "Connor", "Elena", "Malik", "Amy", "Diego", "Ashley", "Samir", "Claire",
    "Terrence", "Yolanda", "Jake", "Linh", "Isaiah", "Monica", "Hiroshi", "Beth", "Gabriel",
    "Tiana", "Cody", "Maribel", "Jordan", "Esther", "Ahmed", "Kayla", "Reggie", "Carmen",
    "Logan", "Anjali", "Dwayne", "Natalie", "Felipe", "Heather", "Kofi", "Valeria", "Paul",
)  # fmt: skip
LAST_NAMES = (
    "Ruiz", "Johnson", "Patel", "Hernandez", "Williams", "Nguyen", "Kim", "Garcia", "Brown",
    "Okafor", "Martinez", "Smith", "Davis", "Chen", "Lopez", "Jackson", "Rodriguez", "Thompson",
    "Singh", "Washington", "Gonzalez", "Miller", "Ali", "Wilson", "Ramirez", "Anderson", "Tran",
    "Moore", "Flores", "Taylor", "Rivera", "Harris", "Sanchez", "Clark", "Cruz", "Lewis",
    "Mendoza", "Walker", "Young", "Torres", "King", "Diaz", "Wright", "Morales", "Scott",
    "Castillo", "Green", "Ortiz", "Baker", "Gutierrez", "Adams", "Vasquez", "Nelson", "Jimenez",
    "Hill", "Romero", "Campbell", "Alvarez", "Mitchell", "Medina", "Roberts", "Herrera",
    "Carter", "Aguilar", "Phillips", "Vargas", "Evans", "Le", "Turner", "Pham", "Parker",
    "Murphy", "Yang", "Cooper", "Hoang", "Bell", "Shah", "Ward", "Khan", "Brooks", "Okonkwo",
    "Foster", "Mensah", "Bailey", "Haddad", "Sullivan", "Kowalski", "Fischer", "O'Brien",
)  # fmt: skip
STREETS = (
    "Ridgewood Rd", "Burnet Rd", "S Lamar Blvd", "Manchaca Rd", "Brodie Ln", "Slaughter Ln",
    "W Parmer Ln", "Wells Branch Pkwy", "Anderson Mill Rd", "Cameron Rd", "Manor Rd",
    "E Riverside Dr", "W Mary St", "Barton Hills Dr", "Shoal Creek Blvd", "Far West Blvd",
    "Spicewood Springs Rd", "Pleasant Valley Rd", "William Cannon Dr", "Escarpment Blvd",
    "Cherrywood Rd", "Avenue F", "Duval St", "Koenig Ln", "Georgian Dr", "Braker Ln",
    "Mesa Dr", "Jollyville Rd", "Great Hills Trl", "Berkman Dr",
)  # fmt: skip
SERVICE_ZIPS = (
    "78701", "78702", "78703", "78704", "78705", "78717", "78723", "78726", "78727", "78728",
    "78729", "78730", "78731", "78732", "78735", "78737", "78739", "78741", "78744", "78745",
    "78746", "78748", "78749", "78750", "78751", "78752", "78753", "78754", "78756", "78757",
    "78758", "78759", "78613", "78660", "78664", "78681",
)  # fmt: skip
OUTSIDE_ZIPS = (
    ("78640", "Kyle"), ("78610", "Buda"), ("78666", "San Marcos"), ("78626", "Georgetown"),
    ("76502", "Temple"), ("78620", "Dripping Springs"), ("78602", "Bastrop"), ("78634", "Hutto"),
)  # fmt: skip
# Fictional 555-01xx numbers of Austin's own area codes first, then of the rest of Texas.
AREA_CODES = (
    ("512", 45), ("737", 25), ("254", 6), ("210", 6), ("830", 5),
    ("979", 4), ("361", 3), ("713", 3), ("214", 3),
)  # fmt: skip


@dataclass(frozen=True)
class Need:
    """What a lead needs, in the words the lead and the agent would use."""

    job_type: str
    note: str  # the web form's free text
    ask: str  # how the agent refers to it: "your AC blowing warm air"
    topic: str  # how a summary refers to it: "an AC blowing warm air"
    short: str  # in follow-ups: "the AC repair"
    details: tuple[str, ...]  # the lead describing it
    texts: tuple[str, ...]  # a first text, when the lead texts first
    empathy: str


NEEDS: tuple[Need, ...] = (
    Need(
        "ac_repair",
        "AC running but blowing warm air",
        "your AC blowing warm air",
        "an AC blowing warm air",
        "the AC repair",
        (
            "It's running but the air coming out is warm. House is at 84.",
            "Upstairs unit quit cooling last night, downstairs is fine.",
            "Outside unit hums but the fan isn't spinning.",
        ),
        (
            "Hi, my AC is blowing warm air. Can someone come out?",
            "Do you guys fix AC? Ours stopped cooling this afternoon.",
        ),
        "Sorry about that, nobody wants a warm house.",
    ),
    Need(
        "ac_repair",
        "Ice on the AC lines, not cooling",
        "the ice on your AC lines",
        "ice on the AC lines",
        "the AC repair",
        (
            "There's ice all over the copper line by the outside unit.",
            "It froze up again and water is dripping in the closet.",
        ),
        ("My AC line is frozen solid, is that something you fix?",),
        "It's best to leave it off until a technician looks at it.",
    ),
    Need(
        "heating_repair",
        "Furnace won't ignite",
        "your furnace not igniting",
        "a furnace that won't ignite",
        "the heating repair",
        (
            "It clicks a few times and then nothing. No heat at all.",
            "Thermostat calls for heat and the blower runs, but the air is cold.",
        ),
        ("Our furnace isn't lighting and it's getting cold in here. Can you help?",),
        "Sorry to hear that, let's get your heat back.",
    ),
    Need(
        "heating_repair",
        "Heat pump blowing cold air",
        "your heat pump blowing cold air",
        "a heat pump blowing cold air",
        "the heat pump repair",
        (
            "Heat pump runs all day and the house won't get above 62.",
            "It blows cold air in heat mode and the outside unit has frost on it.",
        ),
        ("Heat pump is blowing cold in heat mode. Do you service those?",),
        "Sorry you're dealing with that in this cold snap.",
    ),
    Need(
        "hvac_tune_up",
        "Tune-up before winter, two systems",
        "a tune-up for your heating and cooling",
        "a tune-up of two systems",
        "the tune-up",
        (
            "Yes, it's been a while since anyone looked at it.",
            "Sure, want to make sure it's ready for winter. Two systems, up and down.",
        ),
        ("Do you do seasonal tune-ups? We have two systems.",),
        "Good idea to get ahead of the season.",
    ),
    Need(
        "hvac_replacement_estimate",
        "System is 18 years old, want a replacement quote",
        "a quote to replace your AC system",
        "replacing an 18-year-old AC system",
        "the replacement estimate",
        (
            "It's about 18 years old and we've repaired it twice this year.",
            "Looking at a new heat pump, the old one still uses R-22.",
        ),
        ("Looking for a quote to replace an old AC and furnace. Do you do free estimates?",),
        "Happy to help you look at options.",
    ),
    Need(
        "leak_repair",
        "Leak under the kitchen sink",
        "the leak under your kitchen sink",
        "a leak under the kitchen sink",
        "the leak repair",
        (
            "Slow drip under the sink, the cabinet floor is getting soft.",
            "Water pools under the kitchen sink every time we run the dishwasher.",
        ),
        ("Hi, there's a leak under my kitchen sink. Can someone come look?",),
        "Let's get it fixed before it does more damage.",
    ),
    Need(
        "leak_repair",
        "Water stain spreading on the ceiling",
        "the water stain on your ceiling",
        "a water stain spreading on the ceiling",
        "the leak repair",
        (
            "Stain on the living room ceiling right under the upstairs bathroom, getting bigger.",
            "Ceiling below the shower is wet to the touch.",
        ),
        ("We have water coming through the ceiling under our bathroom. Help!",),
        "That sounds stressful; a plumber will find the source.",
    ),
    Need(
        "drain_cleaning",
        "Main line backing up into the tub",
        "the drain backing up into your tub",
        "a drain backing up into the tub",
        "the drain cleaning",
        (
            "Tub fills with water when we flush the toilet.",
            "Every drain in the house is slow and gurgling.",
        ),
        ("Our bathtub backs up when we do laundry. Do you do drain cleaning?",),
        "Sorry about that, backups are no fun.",
    ),
    Need(
        "drain_cleaning",
        "Kitchen sink clogged",
        "your clogged kitchen sink",
        "a clogged kitchen sink",
        "the drain cleaning",
        ("Kitchen sink won't drain at all, already tried a plunger.",),
        ("Kitchen sink is completely clogged. How soon can you come?",),
        "Sorry about the clog.",
    ),
    Need(
        "toilet_repair",
        "Toilet runs constantly",
        "your running toilet",
        "a running toilet",
        "the toilet repair",
        (
            "It runs every few minutes, I already replaced the flapper.",
            "Toilet rocks and leaks a little at the base.",
        ),
        ("Toilet keeps running all night. Can you fix that?",),
        "A running toilet adds up fast, let's get it fixed.",
    ),
    Need(
        "water_heater_repair",
        "No hot water since this morning",
        "having no hot water",
        "having no hot water",
        "the water heater repair",
        (
            "No hot water at all since this morning. Gas heater, about 8 years old.",
            "The pilot light keeps going out.",
        ),
        ("We have no hot water. Do you repair water heaters?",),
        "Sorry, cold showers are rough.",
    ),
    Need(
        "water_heater_replacement_estimate",
        "Water heater leaking from the bottom, 12 years old",
        "replacing your water heater",
        "replacing a leaking water heater",
        "the water heater estimate",
        (
            "It's 12 years old and there's rust and a puddle at the bottom.",
            "Thinking about going tankless when we replace it.",
        ),
        ("Water heater is leaking from the bottom. Need a quote for a new one.",),
        "Good timing to look at it before it fails.",
    ),
    Need(
        "electrical_repair",
        "Outlets dead in the living room",
        "the dead outlets in your living room",
        "dead outlets in the living room",
        "the electrical repair",
        (
            "Half the outlets in the living room stopped working and no breaker is tripped.",
            "Outlets in the kitchen and the garage are dead.",
        ),
        ("Several outlets stopped working in my house. Do you have an electrician?",),
        "Our electrician will track it down.",
    ),
    Need(
        "electrical_repair",
        "Breaker keeps tripping",
        "the breaker that keeps tripping",
        "a breaker that keeps tripping",
        "the electrical repair",
        (
            "The kitchen breaker trips every time the microwave and toaster run together.",
            "A breaker trips a few times a day, no pattern I can see.",
        ),
        ("My breaker keeps tripping. Can an electrician take a look?",),
        "Good call getting that checked.",
    ),
    Need(
        "electrical_repair",
        "Lights flickering in the kitchen",
        "the flickering lights in your kitchen",
        "flickering kitchen lights",
        "the electrical repair",
        ("Kitchen lights flicker whenever the AC kicks on.",),
        ("The lights flicker in our whole kitchen. Is that something you check?",),
        "Flickering is worth a look; glad you reached out.",
    ),
    Need(
        "panel_upgrade_estimate",
        "Old Federal Pacific panel, want an upgrade",
        "upgrading your electrical panel",
        "upgrading an old electrical panel",
        "the panel upgrade estimate",
        (
            "It's an old Federal Pacific panel and our home inspector flagged it.",
            "We're adding an EV and a hot tub, so we need more capacity.",
        ),
        ("Need a quote on replacing an old electrical panel.",),
        "Happy to get you a quote.",
    ),
    Need(
        "ev_charger_estimate",
        "Level 2 charger install for a new EV",
        "a Level 2 EV charger install",
        "installing a Level 2 EV charger",
        "the EV charger estimate",
        (
            "Just got an Ioniq 5 and want a charger in the garage.",
            "Picking up a Model Y next week, need a 240V charger.",
        ),
        ("Do you install EV chargers? Looking for a Level 2 in the garage.",),
        "Congrats on the new car!",
    ),
    Need(
        "garage_door_repair",
        "Garage door spring broke",
        "your broken garage door spring",
        "a broken garage door spring",
        "the garage door repair",
        (
            "Heard a loud bang and now the door won't lift. Spring is snapped.",
            "The spring broke and my car is stuck inside.",
        ),
        ("Garage door spring just snapped and my car is stuck inside. Can you come out?",),
        "Sorry about that, a broken spring is a pain.",
    ),
    Need(
        "garage_door_repair",
        "Garage door off its track",
        "your garage door coming off its track",
        "a garage door off its track",
        "the garage door repair",
        ("One side of the door came off the track and it's hanging crooked.",),
        ("My garage door came off the track. Do you fix those?",),
        "Please don't run it until a technician has looked at it.",
    ),
    Need(
        "garage_door_opener",
        "Opener clicks but the door doesn't move",
        "your garage door opener",
        "a garage door opener that won't lift the door",
        "the opener repair",
        (
            "The opener clicks and the light comes on but the door doesn't move.",
            "We want to replace our old chain opener with a quiet belt drive.",
        ),
        ("Need a new garage door opener installed, do you carry LiftMaster?",),
        "We can help with that.",
    ),
    Need(
        "garage_door_replacement_estimate",
        "Dented garage door, want to replace it",
        "replacing your garage door",
        "replacing a dented garage door",
        "the garage door estimate",
        (
            "Someone backed into it and two panels are dented.",
            "Want an insulated door, ours is the original from 1998.",
        ),
        ("Looking for a quote on a new insulated garage door.",),
        "Happy to get you a quote.",
    ),
)

_OPPORTUNITY_TITLES: dict[str, tuple[str, int, int]] = {
    "hvac_replacement_estimate": ("AC and furnace replacement, 3 ton", 9800, 14800),
    "water_heater_replacement_estimate": ("50-gallon water heater replacement", 1800, 3400),
    "panel_upgrade_estimate": ("200 amp panel upgrade", 2800, 4300),
    "ev_charger_estimate": ("Level 2 EV charger installation", 900, 1900),
    "garage_door_replacement_estimate": ("Insulated garage door replacement", 1700, 3600),
}

_BRANDS_BY_TRADE = {
    "hvac": ("Trane", "Carrier", "Lennox", "Goodman"),
    "plumbing": ("Rheem", "Bradford White"),
    "electrical": ("Square D", "Eaton"),
    "garage_doors": ("LiftMaster", "Chamberlain"),
}

_SKILL_TOPICS = (
    (
        "a whole-house generator",
        "Can you also install a whole-house generator? That's the big one.",
    ),
    ("solar panels", "Do you guys do solar panel installs too?"),
    ("a pool pump", "My pool pump is also out, can you look at that while you're here?"),
    ("air duct cleaning", "Do you do air duct cleaning? The vents are filthy."),
    ("a sprinkler line", "Can your plumber fix a broken sprinkler line in the yard too?"),
    ("a commercial kitchen", "This is actually for our restaurant kitchen. Do you do commercial?"),
    ("a gas line for an outdoor kitchen", "I also need a gas line run out to the grill."),
)
_AVAILABILITY_ASKS = (
    ("today", "Do you have anything today? It really needs to be today."),
    ("this evening", "Nothing during the day works, I'm at work until 6. Any evenings?"),
    ("Sundays", "I can only do Sundays, that's my one day off."),
    ("tonight", "Can anyone come tonight? Water is everywhere."),
)
_HUMAN_ASKS = (
    "Can I talk to an actual person please?",
    "Is this a bot? I'd rather speak with someone in the office.",
    "Can someone call me instead? Easier to explain on the phone.",
    "I'd like to talk to a real person about this.",
    "Can I speak to whoever does the scheduling?",
)
_ANGRY = (
    "This is ridiculous. I was told someone would come Tuesday and nobody showed up.",
    "Your tech was here last week and it's broken again. Not happy.",
    "I've been waiting three days for a call back. Really frustrated with you guys.",
    "You charged me $89 and it still doesn't work. Unacceptable.",
)
_CONFUSED = (
    ("the thing by the thing again", "like last time??", "no the other one"),
    ("pic attached", "did u get it", "the one in the pic"),
    ("same as b4", "u know", "the noise one"),
)
_STOP_WORDS = ("STOP", "Stop", "stop", "STOP.", "UNSUBSCRIBE", "Stop!")
_STOP_PHRASES = (
    ("please stop texting me", OptOut.Method.WORDS),
    ("Remove me from your list", OptOut.Method.WORDS),
    ("Don't text this number again.", OptOut.Method.WORDS),
    ("wrong number", OptOut.Method.WRONG_NUMBER),
    ("No más, gracias", OptOut.Method.WORDS),
    ("I'm not interested, stop texting me please", OptOut.Method.WORDS),
)
_DECLINES = (
    ("We already got it fixed, thanks.", "the problem was already fixed"),
    ("Went with another company, sorry.", "they hired another company"),
    ("Just wanted a rough price for now, not ready to schedule.", "they only wanted a price"),
    ("My brother-in-law took care of it last night, we're good.", "a relative fixed it"),
)
_THANKS = (
    "Perfect, thank you!",
    "Great, thanks",
    "Awesome, see you then.",
    "Thank you so much!",
    "Sounds good.",
    "ok thanks",
)
_PERSONAL_NOTES = (
    "Gate code 2580#, dog in the backyard.",
    "Asked for the same tech as last time (Ramon).",
    "Second-floor unit; attic access is in the hall closet.",
    "Mentioned the water heater is 11 years old; worth a replacement quote at the visit.",
    "Prefers a call 30 minutes before arrival.",
    "Park on the street, the driveway is being resurfaced.",
)

_Script = Callable[["_Thread"], None]


@dataclass
class _Person:
    first: str
    last: str
    phone: str
    zip: str
    street: str
    email: str
    customer: Customer | None = None

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}".strip()


@dataclass
class _Plan:
    status: str
    goal: str
    channel: str
    record_type: str
    need: Need
    person: _Person
    source: str


@dataclass
class _Msg:
    at: datetime
    direction: str
    author: str
    body: str
    user: User | None = None
    delivery: str = Message.Delivery.DELIVERED
    error_code: str = ""
    row: Message | None = None


@dataclass
class _Turn:
    speaker: str
    text: str
    at: datetime


@dataclass
class _Call:
    started_at: datetime
    ended_at: datetime
    outcome: str
    turns: list[_Turn]
    row: Call | None = None


@dataclass
class _Booking:
    at: datetime
    window: ArrivalWindow
    job_type: str
    booked_by: str
    user: User | None
    job: Job | None = None


@dataclass
class _Event:
    at: datetime
    order: int
    kind: str
    actor_kind: str
    actor: User | None = None
    from_status: str = ""
    to_status: str = ""
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    ref: _Msg | _Call | _Booking | None = None


@dataclass
class _Note:
    at: datetime
    author: User
    body: str


@dataclass
class _Task:
    at: datetime
    title: str
    assignee: User
    created_by: User | None
    due: date
    done_at: datetime | None


@dataclass
class _OptOutDraft:
    at: datetime
    method: str
    raw: str


class _Rejected(Exception):
    """The thread ran past the present; the story retries it from another start."""


def _clock_hour(hour: int) -> tuple[str, str]:
    return str((hour - 1) % 12 + 1), ("am" if hour < 12 else "pm")


def _span(start: datetime, end: datetime) -> str:
    h1, m1 = _clock_hour(start.hour)
    h2, m2 = _clock_hour(end.hour)
    return f"{h1}-{h2} {m2}" if m1 == m2 else f"{h1} {m1}-{h2} {m2}"


def _spoken_span(start: datetime, end: datetime) -> str:
    if 12 in (start.hour, end.hour):
        first = "noon" if start.hour == 12 else _clock_hour(start.hour)[0]
        second = "noon" if end.hour == 12 else _clock_hour(end.hour)[0]
        return f"between {first} and {second}"
    part = "in the morning" if end.hour < 12 else "in the afternoon"
    return f"between {_clock_hour(start.hour)[0]} and {_clock_hour(end.hour)[0]} {part}"


def _job(job_type: str) -> str:
    """A job type inside a sentence: "drain cleaning", but "AC repair" keeps its capitals."""
    label = label_of(job_type)
    return label if label.split()[0].isupper() else label[0].lower() + label[1:]


def _month_day(day: date) -> str:
    return f"{day:%b} {day.day}"


def _duration_text(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


class _Story:
    """Everything the threads share: the company, its people, time rules and free windows."""

    def __init__(self, *, company: Company, users: Sequence[User], now: datetime) -> None:
        self.company = company
        self.now = now
        self.rng = random.Random(SEED)
        # Provider ids come from their own stream so the story's choices never shift them.
        self.ids = random.Random(f"{SEED}-provider-ids")
        self.zone = ZoneInfo(company.time_zone)
        self.office_phone = format_phone(company.phone)
        by_role = {u.email.split("@")[0]: u for u in users}
        self.admin = by_role.get("admin") or users[0]
        self.csr = by_role.get("csr") or users[0]
        self.campaigns = {
            (c.goal, c.channel): c for c in Campaign.objects.for_company(company).order_by("id")
        }
        base = self.campaigns[(Goal.SPEED_TO_LEAD, Channel.SMS)]
        self.cadence = [parse_duration(step) for step in base.cadence]
        self.abandon_after = parse_duration(base.abandon_after)
        self.windows: dict[str, list[ArrivalWindow]] = {}
        for window in ArrivalWindow.objects.for_company(company).order_by("starts_at"):
            self.windows.setdefault(window.trade, []).append(window)
        self.free = {w.pk: w.capacity - w.booked for ws in self.windows.values() for w in ws}
        self.phones = self._phone_pool()
        self.used_names: set[tuple[str, str]] = set()
        self.order = 0

    def _phone_pool(self) -> dict[str, list[str]]:
        pool: dict[str, list[str]] = {}
        for area, _weight in AREA_CODES:
            numbers = [f"+1{area}55501{n:02d}" for n in range(100)]
            if f"+1{area}5550100" == self.company.phone:
                numbers.remove(self.company.phone)
            self.rng.shuffle(numbers)
            pool[area] = numbers
        return pool

    def next_order(self) -> int:
        self.order += 1
        return self.order

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def outreach_time(self, moment: datetime) -> datetime:
        """The first moment at or after `moment` when the compliance gate allows outreach."""
        locales = (Locale(time_zone=str(self.zone), state="TX", source="company"),)
        opens = next_allowed_at(locales, moment)
        if opens is None:
            raise AssertionError("no outreach window within a week")
        if opens <= moment:
            return moment
        # Not on the stroke of nine: the first touch goes out a little after the window opens.
        return opens + timedelta(seconds=self.rng.randint(20, 300))

    def office_time(self, moment: datetime) -> datetime:
        """When a person in the office gets to it: business hours, Monday to Saturday."""
        local = self.local(moment)
        for _ in range(8):
            opens = local.replace(hour=8, minute=0, second=0, microsecond=0)
            closes = local.replace(hour=17, minute=30, second=0, microsecond=0)
            if local.weekday() != 6 and local <= closes:
                if local < opens:
                    return (opens + timedelta(minutes=self.rng.randint(5, 50))).astimezone(UTC)
                return moment + timedelta(minutes=self.rng.randint(4, 45))
            local = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0)
        raise AssertionError("no office hours within a week")

    def sample_start(self, low_hours: float, high_hours: float, *, silent: bool) -> datetime:
        """A moment `low`-`high` hours ago, drawn with the hour-of-day and weekday patterns."""
        hours = _SILENT_HOUR_WEIGHTS if silent else _HOUR_WEIGHTS
        top = max(hours) * max(_DAY_WEIGHTS)
        while True:
            ago = self.rng.uniform(low_hours, high_hours)
            moment = self.now - timedelta(hours=ago)
            local = self.local(moment)
            weight = hours[local.hour] * _DAY_WEIGHTS[local.weekday()]
            if self.rng.random() * top <= weight:
                return moment.replace(microsecond=0)

    def free_windows(self, trade: str, *, after: datetime, count: int) -> list[ArrivalWindow]:
        """Free arrival windows of a trade starting two hours or more after `after`."""
        earliest = after + timedelta(hours=2)
        horizon = after + timedelta(days=14)
        pool: list[ArrivalWindow] = []
        for window in self.windows.get(trade, []):
            if window.starts_at < earliest or self.free[window.pk] <= 0:
                continue
            if window.starts_at > horizon or len(pool) >= 6:
                break
            pool.append(window)
        if len(pool) <= count:
            return pool
        rest = self.rng.sample(pool[1:5], count - 1)
        return sorted([pool[0], *rest], key=lambda w: w.starts_at)

    def person(self, *, zip_code: str | None = None) -> _Person:
        while True:
            first = self.rng.choice(FIRST_NAMES)
            last = self.rng.choice(LAST_NAMES)
            if (first, last) not in self.used_names:
                self.used_names.add((first, last))
                break
        areas = [(a, w) for a, w in AREA_CODES if self.phones[a]]
        area = self.rng.choices([a for a, _ in areas], weights=[w for _, w in areas])[0]
        handle = f"{first}.{last}".lower().replace("'", "")
        return _Person(
            first=first,
            last=last,
            phone=self.phones[area].pop(),
            zip=zip_code or self.rng.choice(SERVICE_ZIPS),
            street=f"{self.rng.randint(1100, 9899)} {self.rng.choice(STREETS)}",
            email=f"{handle}@example.com" if self.rng.random() < 0.65 else "",
        )


class _Thread:
    """One interaction being composed: a cursor in time and everything it produced."""

    def __init__(self, story: _Story, plan: _Plan, start: datetime) -> None:
        self.story = story
        self.plan = plan
        self.rng = story.rng
        self.person = plan.person
        self.first = plan.person.first
        self.need = plan.need
        self.trade = trade_of(plan.need.job_type)
        self.inbound = plan.goal == Goal.INBOUND_SMS
        self.voice = plan.channel == Channel.VOICE
        self.lead_created_at = start
        self.started_at = start + timedelta(seconds=0 if self.inbound else self.rng.randint(1, 4))
        self.t = self.started_at
        self.status = "started"
        self.engagement = ""
        self.closed_at: datetime | None = None
        self.messages: list[_Msg] = []
        self.calls: list[_Call] = []
        self.events: list[_Event] = []
        self.bookings: list[_Booking] = []
        self.notes: list[_Note] = []
        self.tasks: list[_Task] = []
        self.opt_out: _OptOutDraft | None = None
        self.touches = 0
        self.next_touch_at: datetime | None = None
        self.summary = ""
        self.paused: tuple[datetime, User] | None = None
        self.merged_into: _Thread | None = None
        self.lead_zip = plan.person.zip
        self.lead_phone = plan.person.phone
        self.lead_note = "" if self.inbound else plan.need.note
        self.opportunity_lost = False
        # Filled in when the rows are written.
        self.lead_row: Lead | None = None
        self.opportunity: Opportunity | None = None
        self.row: Interaction | None = None
        campaign = story.campaigns[(plan.goal, plan.channel)]
        self.campaign = campaign
        self.event(
            InteractionEvent.Kind.STATUS_CHANGED,
            Author.SYSTEM,
            to_status="started",
            detail=f"{campaign.get_goal_display()} started on {campaign.get_channel_display()}",
        )

    # Time and the timeline.

    def wait(self, low: float, high: float) -> datetime:
        """Move the cursor on by a random number of seconds."""
        self.t += timedelta(seconds=self.rng.uniform(low, high))
        return self.t

    def event(
        self,
        kind: str,
        actor_kind: str,
        actor: User | None = None,
        *,
        from_status: str = "",
        to_status: str = "",
        detail: str = "",
        data: dict[str, Any] | None = None,
        ref: _Msg | _Call | _Booking | None = None,
    ) -> None:
        self.events.append(
            _Event(
                at=self.t,
                order=self.story.next_order(),
                kind=kind,
                actor_kind=actor_kind,
                actor=actor,
                from_status=from_status,
                to_status=to_status,
                detail=detail[:500],
                data=data or {},
                ref=ref,
            )
        )

    def move(
        self, to: str, actor_kind: str = Author.AGENT, actor: User | None = None, detail: str = ""
    ) -> None:
        """Change status the way `change_status` would, refusing a transition it would refuse."""
        if not statuses.can_change(self.status, to):
            raise AssertionError(f"the story moves {self.status} to {to}, which is not allowed")
        target = statuses.get(to)
        self.event(
            InteractionEvent.Kind.STATUS_CHANGED,
            actor_kind,
            actor,
            from_status=self.status,
            to_status=to,
            detail=detail,
        )
        engagement = {v: k for k, v in statuses.ENGAGEMENT_STATUSES.items()}.get(to)
        if engagement is not None:
            self.engagement = engagement
        if not target.is_open and self.closed_at is None:
            self.closed_at = self.t
        self.status = to

    # Messages.

    def _message(self, msg: _Msg) -> _Msg:
        self.messages.append(msg)
        inbound = msg.direction == Message.Direction.INBOUND
        self.event(
            InteractionEvent.Kind.MESSAGE_IN if inbound else InteractionEvent.Kind.MESSAGE_OUT,
            msg.author,
            msg.user,
            detail=msg.body[:200],
            ref=msg,
        )
        return msg

    def agent(self, body: str, *, low: float = 4, high: float = 25) -> _Msg:
        """The agent answers the lead (a direct reply, so quiet hours do not apply)."""
        self.wait(low, high)
        return self._message(_Msg(self.t, Message.Direction.OUTBOUND, Author.AGENT, body))

    def touch(self, body: str, *, at: datetime | None = None) -> _Msg:
        """An agent-initiated text (a cadence touch): it waits for the outreach window."""
        self.t = self.story.outreach_time(max(self.t, at or self.t))
        self.touches += 1
        return self._message(_Msg(self.t, Message.Direction.OUTBOUND, Author.AGENT, body))

    def lead(self, body: str, *, low: float = 40, high: float = 600) -> _Msg:
        self.wait(low, high)
        return self._message(
            _Msg(
                self.t,
                Message.Direction.INBOUND,
                Author.LEAD,
                body,
                delivery=Message.Delivery.RECEIVED,
            )
        )

    def human(self, user: User, body: str, *, low: float = 40, high: float = 300) -> _Msg:
        self.wait(low, high)
        return self._message(
            _Msg(self.t, Message.Direction.OUTBOUND, Author.HUMAN, body, user=user)
        )

    def last_outbound_at(self) -> datetime:
        times = [m.at for m in self.messages if m.direction == Message.Direction.OUTBOUND]
        times += [c.ended_at for c in self.calls]
        return max(times) if times else self.started_at

    def last_outbound_before(self, msg: _Msg) -> datetime:
        times = [
            m.at
            for m in self.messages
            if m.direction == Message.Direction.OUTBOUND and m.at <= msg.at and m is not msg
        ]
        return max(times) if times else self.started_at

    def cadence_at(self, touch: int) -> datetime:
        """When the `touch`-th touch (1-based) of the cadence is due, from the first touch."""
        first = next(
            (m.at for m in self.messages if m.author == Author.AGENT),
            self.calls[0].started_at if self.calls else self.started_at,
        )
        return first + self.story.cadence[min(touch, len(self.story.cadence)) - 1]

    # Calls.

    def call(self, lines: Sequence[tuple[str, str]], *, outcome: str, touch: bool = True) -> _Call:
        """A call of the Voice Agent; transcript turns are timed by their length."""
        if touch:
            self.t = self.story.outreach_time(self.t)
            self.touches += 1
        start = self.t
        cursor = start + timedelta(seconds=self.rng.uniform(6, 18))
        turns = []
        for speaker, text in lines:
            turns.append(_Turn(speaker, text, cursor))
            seconds = len(text.split()) / 2.6 + self.rng.uniform(0.8, 2.4)
            cursor += timedelta(seconds=seconds)
        if not lines:
            cursor = start + timedelta(seconds=self.rng.uniform(24, 38))
        call = _Call(start, cursor + timedelta(seconds=1), outcome, turns)
        self.calls.append(call)
        self.t = call.ended_at
        seconds = (call.ended_at - call.started_at).total_seconds()
        self.event(
            InteractionEvent.Kind.CALL,
            Author.AGENT,
            detail=f"Outbound call, {_duration_text(seconds)}: {Call.Outcome(outcome).label}",
            data={"outcome": outcome},
            ref=call,
        )
        return call

    # Bookings, people and compliance.

    def book(self, window: ArrivalWindow, *, by: str, user: User | None = None) -> None:
        if self.story.free[window.pk] <= 0:
            raise AssertionError("the story booked a full window")
        self.story.free[window.pk] -= 1
        booking = _Booking(self.t, window, self.need.job_type, by, user)
        self.bookings.append(booking)
        self.event(
            InteractionEvent.Kind.BOOKING,
            Author.HUMAN if by == Job.BookedBy.HUMAN else Author.AGENT,
            user,
            detail=f"{label_of(self.need.job_type)} booked for {self.slot(window)}",
            ref=booking,
        )

    def release(self) -> None:
        """Give back what a rejected attempt took."""
        for booking in self.bookings:
            self.story.free[booking.window.pk] += 1

    def take_over(self, user: User) -> None:
        self.t = self.story.office_time(self.t)
        self.paused = (self.t, user)
        self.event(
            InteractionEvent.Kind.TAKEOVER,
            Author.HUMAN,
            user,
            detail=f"{user.get_full_name()} took over from the agent",
        )
        self.move("takeover", Author.HUMAN, user, detail="Taken over from the Interactions page")

    def opted_out(self, method: str, raw: str) -> None:
        """The lead's opt-out: registry, timeline, the one confirmation, then the status."""
        self.opt_out = _OptOutDraft(self.t, method, raw)
        self.event(
            InteractionEvent.Kind.OPT_OUT,
            Author.LEAD,
            detail=f"Opted out ({OptOut.Method(method).label}): {raw}",
            data={"method": method},
        )
        if not self.voice:
            self.agent(OPT_OUT_CONFIRMATION, low=2, high=6)
        self.move("opt_out", Author.LEAD, detail=f"The lead opted out: {raw}")

    def note(self, user: User, body: str, *, after: float = 600) -> None:
        self.wait(60, after)
        self.notes.append(_Note(self.t, user, body))
        self.event(InteractionEvent.Kind.NOTE, Author.HUMAN, user, detail=body[:200])

    def task(
        self, title: str, *, assignee: User, created_by: User | None, due_in: int, done: bool
    ) -> None:
        # An escalation rule assigns its task at once; a person takes a few minutes.
        if created_by is None:
            self.wait(1, 5)
        else:
            self.wait(30, 300)
        due = self.story.local(self.t).date() + timedelta(days=due_in)
        done_at = None
        if done:
            done_at = min(self.t + timedelta(hours=self.rng.uniform(0.5, 20)), self.story.now)
        self.tasks.append(_Task(self.t, title, assignee, created_by, due, done_at))
        self.event(
            InteractionEvent.Kind.TASK,
            Author.SYSTEM if created_by is None else Author.HUMAN,
            created_by,
            detail=f"Task for {assignee.get_full_name()}: {title}",
        )

    # Words.

    def slot(self, window: ArrivalWindow) -> str:
        """An arrival window as a confirmation says it: Thursday, Nov 12, 2-4 pm."""
        start = self.story.local(window.starts_at)
        end = self.story.local(window.ends_at)
        return f"{start:%A}, {_month_day(start.date())}, {_span(start, end)}"

    def day_word(self, window: ArrivalWindow) -> str:
        today = self.story.local(self.t).date()
        day = self.story.local(window.starts_at).date()
        if day == today:
            return "today"
        if day == today + timedelta(days=1):
            return "tomorrow"
        if day < today + timedelta(days=6):
            return f"{day:%A}"
        return f"{day:%a} {_month_day(day)}"

    def option(self, window: ArrivalWindow) -> str:
        start = self.story.local(window.starts_at)
        return f"{self.day_word(window)} {_span(start, self.story.local(window.ends_at))}"

    def spoken(self, window: ArrivalWindow) -> str:
        start = self.story.local(window.starts_at)
        return f"{self.day_word(window)} {_spoken_span(start, self.story.local(window.ends_at))}"

    def who(self) -> str:
        if self.plan.record_type != RecordType.LEAD:
            street = self.person.street.split(" ", 1)[1]
            return f"{self.person.name}, an existing customer on {street},"
        return f"{self.person.name} ({self.lead_zip})" if self.lead_zip else self.person.name

    def came_in(self) -> str:
        if self.inbound:
            return "texted our number"
        if self.plan.record_type == RecordType.OPPORTUNITY:
            return "got a follow-up on an open estimate"
        if self.plan.source == Lead.Source.API:
            return "came in through a lead partner"
        if self.plan.source == Lead.Source.REFERRAL:
            return "was referred by a neighbour"
        return "filled in the website form"

    def opportunity_title(self) -> str:
        return _OPPORTUNITY_TITLES.get(self.need.job_type, ("", 0, 0))[0]

    def answer_text(self) -> str:
        """What a lead typically answers first: the details (or, inbound, name and ZIP)."""
        rng = self.rng
        if not self.inbound:
            lead_in = rng.choice(("Yes please. ", "Yes! ", "Yeah. ", "Hi, yes. ", ""))
            return lead_in + rng.choice(self.need.details)
        if self.plan.record_type == RecordType.CUSTOMER:
            return rng.choice(("Yes, same house.", "Yep, same address.", "Yes"))
        return rng.choice(
            (
                f"{self.first} {self.person.last}, {self.lead_zip}",
                f"It's {self.first}. Zip is {self.lead_zip}",
                f"{self.lead_zip}. Name is {self.first} {self.person.last}",
            )
        )

    def within(self) -> bool:
        times = [self.t, *(e.at for e in self.events)]
        times += [n.at for n in self.notes] + [t.at for t in self.tasks]
        return max(times) <= self.story.now - timedelta(seconds=30)


# The building blocks of a conversation.


def _opener(th: _Thread) -> str:
    """The first agent text: it always names the business and says how to opt out."""
    rng = th.rng
    need = th.need
    if th.plan.record_type == RecordType.OPPORTUNITY:
        return (
            f"Hi {th.first}, this is the virtual assistant at {CO}, following up on the "
            f"{th.opportunity_title().lower()} you asked us about. Would you like to set up "
            f"the free in-home estimate? {STOP_LINE}"
        )
    if th.plan.record_type == RecordType.CUSTOMER:
        return (
            f"Hi {th.first}, it's the virtual assistant at {CO}. Good to hear from you again! "
            f"I see you need help with {need.ask} at {th.person.street}. Want me to get a "
            f"technician out? {STOP_LINE}"
        )
    return rng.choice(
        (
            f"Hi {th.first}, this is the virtual assistant at {CO}. Thanks for your request "
            f"about {need.ask}. Can I get a technician out to take a look? {STOP_LINE}",
            f"Hi {th.first}! {CO} here (I'm the virtual assistant). We got your request about "
            f"{need.ask}. Want me to find you an arrival window? {STOP_LINE}",
            f"Hello {th.first}, thanks for contacting {CO} about {need.ask}. I can schedule a "
            f"visit for you right here by text. {STOP_LINE}",
        )
    )


def _intro_reply(th: _Thread) -> str:
    """The agent's answer to a lead who texted first."""
    if th.plan.record_type == RecordType.CUSTOMER:
        return (
            f"Hi {th.first}! This is the virtual assistant for {CO}; good to hear from you "
            f"again. {th.need.empathy} Is this for the house on {th.person.street}? {STOP_LINE}"
        )
    return (
        f"Hi! You've reached the virtual assistant for {CO}. {th.need.empathy} Can I get your "
        f"name and the ZIP code where you need service? {STOP_LINE}"
    )


def _follow_up_text(th: _Thread, touch: int) -> str:
    short = th.need.short
    return {
        2: f"Hi {th.first}, just checking in from {CO}. Still need help with {short}? "
        "I have openings this week.",
        3: f"{th.first}, following up on your request about {short}. Reply with a day that "
        "works and I'll hold a window for you.",
    }.get(
        touch,
        f"Last check-in from {CO} about {short}. If you still need us, just reply here anytime.",
    )


def _voicemail(th: _Thread) -> list[tuple[str, str]]:
    return [
        (
            Author.AGENT,
            f"Hi {th.first}, this is the virtual assistant calling from {CO} about your request "
            f"for {th.need.short.removeprefix('the ')}. Please call or text us back at "
            f"{th.story.office_phone} whenever it's convenient. Thanks!",
        )
    ]


def _opening(th: _Thread) -> None:
    """Speed to lead: the first touch. Inbound: the lead's text and the agent's introduction."""
    if th.inbound:
        text = th.rng.choice(th.need.texts)
        if th.plan.record_type == RecordType.CUSTOMER:
            text = f"Hi, it's {th.first} {th.person.last}. {text.removeprefix('Hi, ')}"
        th.lead(text, low=0, high=0)
        th.agent(_intro_reply(th))
    else:
        th.touch(_opener(th))


def _no_answer_first(th: _Thread) -> None:
    """Sometimes the lead only answers the second touch."""
    if not th.inbound and th.rng.random() < 0.2:
        th.touch(_follow_up_text(th, 2), at=th.cadence_at(2))


def _engage(th: _Thread, reply: _Msg) -> None:
    """Score the lead's first reply the way the agent does: by how fast it came."""
    if th.status != "started":
        return
    delay = (reply.at - th.last_outbound_before(reply)).total_seconds()
    to = "active.hot" if delay < 600 else ("active.warm" if delay < 3 * 3600 else "active.cool")
    th.move(to, detail=f"The lead replied after {_duration_text(delay)}")


def _speed(kind: str) -> tuple[float, float]:
    return {
        "quick": (30, 360),
        "normal": (600, 3000),
        "slow": (3 * 3600 + 60, 6 * 3600),
    }[kind]


def _answer(th: _Thread, text: str | None = None, *, speed: str = "quick") -> _Msg:
    """The lead's first real answer; its speed sets the engagement."""
    low, high = _speed(speed)
    reply = th.lead(text or th.answer_text(), low=low, high=high)
    _engage(th, reply)
    return reply


def _question(th: _Thread) -> tuple[str, str]:
    """A question a lead asks, and the agent's answer from the company's own words."""
    rng = th.rng
    prices = th.story.company.prices or {}
    kind = rng.choice(("price", "brand", "hours", "home", "length"))
    if kind == "price":
        price = prices.get(th.need.job_type)
        answer = (
            f"{price}."
            if price
            else "The technician gives you an exact price on site before any work starts."
        )
        return rng.choice(("How much is it to come out?", "What does the visit cost?")), answer
    if kind == "brand":
        brand = rng.choice(_BRANDS_BY_TRADE[th.trade])
        return f"Do you work on {brand}?", f"Yes, we service all the major brands, {brand} too."
    if kind == "hours":
        return (
            "Are you open Saturdays?",
            f"Yes, our hours are {th.story.company.business_hours.replace('; ', ', ')}.",
        )
    if kind == "home":
        return (
            "Do I need to be home?",
            "Yes, an adult needs to be there. The technician texts when they're on the way.",
        )
    return "How long does it usually take?", "Most visits take 1 to 2 hours."


def _preface(th: _Thread) -> str:
    """What the agent says before offering windows, without repeating its introduction."""
    return f"Thanks, {th.first}! " if th.inbound else f"{th.need.empathy} "


def _offer(th: _Thread, preface: str = "") -> list[ArrivalWindow]:
    windows = th.story.free_windows(th.trade, after=th.t, count=3)
    if len(windows) < 2:
        raise _Rejected("no free windows to offer")
    options = [th.option(w) for w in windows]
    listed = ", ".join(options[:-1]) + f" or {options[-1]}"
    th.agent(f"{preface}I can have a technician there {listed}. Which works best for you?")
    return windows


def _pick(th: _Thread, windows: list[ArrivalWindow], *, speed: str = "quick") -> ArrivalWindow:
    rng = th.rng
    index = rng.choices(range(len(windows)), weights=[5, 3, 2][: len(windows)])[0]
    window = windows[index]
    ordinal = ("first", "second", "third")[index]
    day = th.day_word(window)
    option = th.option(window)
    answers = [f"The {ordinal} one works", f"{option[0].upper()}{option[1:]} please"]
    answers.append(f"{ordinal.capitalize()} one")
    # Naming only the day is a clear answer when just one offered window falls on it.
    if [th.day_word(w) for w in windows].count(day) == 1:
        answers += [f"Let's do {day}", f"{day[0].upper()}{day[1:]} is best"]
    text = rng.choice(answers)
    low, high = _speed(speed)
    th.lead(text, low=low, high=high)
    return window


def _agent_books(th: _Thread, window: ArrivalWindow) -> None:
    th.agent(
        f"You're booked, {th.first}: {_job(th.need.job_type)} on {th.slot(window)}. The "
        "technician will text you when they're on the way. Anything else I can help with?"
    )
    th.book(window, by=Job.BookedBy.AGENT)
    th.move("converted.agent", detail=f"Booked {_job(th.need.job_type)}")


def _wrap_up(th: _Thread, window: ArrivalWindow) -> None:
    if th.rng.random() < 0.6:
        th.lead(th.rng.choice(_THANKS), low=20, high=400)
        if th.rng.random() < 0.5:
            th.agent(f"You're welcome, {th.first}! See you {th.day_word(window)}.")


def _handoff(th: _Thread, reason: str, *, topic: str = "", voice: bool = False) -> str:
    """What the agent says when it hands the conversation to a person."""
    first = th.first
    if reason == "human_request":
        return (
            "I understand. I'll have someone from our office call you back shortly at this number."
            if voice
            else "Of course. I've asked someone from our office to reach out; they'll text or "
            "call you at this number shortly."
        )
    if reason == "negative_sentiment":
        return (
            f"I'm really sorry, {first}. That's not the experience we want you to have. I've "
            "flagged this for our service manager, and a person will contact you shortly."
        )
    if reason == "availability":
        return (
            f"I'm sorry, I don't have a window {topic}. I've passed your request to our "
            "scheduling team; they'll see what they can do and reach out shortly."
        )
    if reason == "skill_handling":
        return (
            f"I can't book {topic} myself, so I've passed your question to our team. Someone "
            "will follow up with you shortly."
        )
    if reason == "agent_issue":
        return (
            "I'm sorry, I'm having trouble hearing you. I'll have a team member call you back "
            "shortly."
            if voice
            else "Sorry, I'm having trouble understanding. I've asked a member of our team to "
            "pick this up, and they'll reach out to you shortly."
        )
    return (
        f"Thanks for letting us know, {first}. I've flagged this for our service team as a "
        "possible warranty callback, and someone will follow up with you today."
    )


def _follow_up_task(th: _Thread, title: str, *, done: bool, automatic: bool = False) -> None:
    """A follow-up task; escalations assign theirs automatically (no creator)."""
    story = th.story
    assignee = story.csr if th.rng.random() < 0.75 else story.admin
    creator = None if automatic else (story.admin if assignee is story.csr else story.csr)
    due_in = 0 if done else th.rng.choice((0, 1, 1, 2))
    th.task(title, assignee=assignee, created_by=creator, due_in=due_in, done=done)


def _sms_escalation(th: _Thread, reason: str) -> str:
    """The lead's words that escalate, the agent's handoff and the status; returns the topic."""
    rng = th.rng
    topic = ""
    if reason == "human_request":
        th.lead(rng.choice(_HUMAN_ASKS), low=30, high=900)
    elif reason == "negative_sentiment":
        th.lead(rng.choice(_ANGRY), low=30, high=900)
        topic = "a complaint about an earlier visit"
    elif reason == "availability":
        when, text = rng.choice(_AVAILABILITY_ASKS)
        th.lead(text, low=30, high=900)
        topic = f"for {when}" if when != "Sundays" else "on Sundays, we're closed"
    elif reason == "skill_handling":
        topic, text = rng.choice(_SKILL_TOPICS)
        th.lead(text, low=30, high=900)
    elif reason == "agent_issue":
        lines = rng.choice(_CONFUSED)
        th.lead(lines[0], low=30, high=600)
        th.agent("Sorry, could you tell me a bit more about what's going on?")
        th.lead(lines[1], low=30, high=300)
        th.agent(f"I want to make sure I get this right. Is this about {th.need.ask}?")
        th.lead(lines[2], low=30, high=300)
        topic = "a request the agent could not follow"
    else:
        th.lead(
            f"Hi, it's {th.first}. Your tech was out last week for {th.need.short} and it's "
            "doing the same thing again.",
            low=30,
            high=900,
        )
        topic = "a possible warranty callback"
    th.agent(_handoff(th, reason, topic=topic))
    to = "escalated" if not reason else f"escalated.{reason}"
    details = {
        "human_request": "The lead asked for a person",
        "negative_sentiment": "The lead is upset with the business",
        "availability": "No arrival window fits the lead",
        "skill_handling": f"Outside the configured skills: {topic}",
        "agent_issue": "The agent could not understand three replies in a row",
    }
    th.move(to, detail=details.get(reason, "Flagged for review: possible warranty callback"))
    return topic


# Scripts, one per final status (some with several variants).


def _s_converted_agent(th: _Thread) -> None:
    if th.voice:
        _v_converted_agent(th)
        return
    rng = th.rng
    _opening(th)
    _no_answer_first(th)
    if th.inbound:
        _answer(th, speed=rng.choice(("quick", "quick", "normal")))
        th.lead(rng.choice(th.need.details), low=5, high=60)
    else:
        _answer(th, speed=rng.choice(("quick", "quick", "normal", "slow")))
    preface = _preface(th)
    asked = rng.random() < 0.45
    if asked:
        question, answer = _question(th)
        th.lead(question, low=5, high=90)
        preface = f"{answer} " if th.inbound else f"{th.need.empathy} {answer} "
    windows = _offer(th, preface)
    if rng.random() < 0.2:
        question, answer = _question(th)
        th.lead(question, low=30, high=600)
        th.agent(f"{answer} Which of those times would you like?")
    window = _pick(th, windows)
    _agent_books(th, window)
    _wrap_up(th, window)
    if rng.random() < 0.08:
        th.note(th.story.csr, rng.choice(_PERSONAL_NOTES), after=7200)
    if th.opportunity_title() and th.plan.record_type == RecordType.OPPORTUNITY:
        _follow_up_task(th, f"Prepare the {th.opportunity_title().lower()} proposal", done=False)
    th.summary = (
        f"{th.who()} {th.came_in()} about {th.need.topic}. "
        f"The agent {'answered a question, ' if asked else ''}offered {len(windows)} arrival "
        f"windows and booked {_job(th.need.job_type)} for {th.slot(window)}. "
        "Nothing is pending."
    )


def _v_greeting(th: _Thread) -> list[tuple[str, str]]:
    rng = th.rng
    about = (
        f"the {th.opportunity_title().lower()} estimate"
        if th.plan.record_type == RecordType.OPPORTUNITY
        else th.need.ask
    )
    return [
        (Author.AGENT, f"Hi, is this {th.first}?"),
        (
            Author.LEAD,
            rng.choice(("Yes, speaking.", "Yeah, who's this?", f"This is {th.first}.", "Yes?")),
        ),
        (
            Author.AGENT,
            f"Hi {th.first}, this is the virtual assistant calling from {CO} about {about}. "
            "This call is recorded. Do you have a minute to get that scheduled?",
        ),
    ]


def _v_unanswered(th: _Thread, touch: int) -> None:
    """A cadence call that nobody picks up (or that reaches voicemail)."""
    if touch > 1:
        th.t = max(th.t, th.cadence_at(touch))
    if th.rng.random() < 0.5:
        th.call(_voicemail(th), outcome=Call.Outcome.VOICEMAIL)
    else:
        outcome = th.rng.choice((Call.Outcome.NO_ANSWER, Call.Outcome.NO_ANSWER, Call.Outcome.BUSY))
        th.call([], outcome=outcome)


def _v_converted_agent(th: _Thread) -> None:
    rng = th.rng
    if rng.random() < 0.3:
        _v_unanswered(th, 1)
        th.t = th.cadence_at(2)
    windows = th.story.free_windows(th.trade, after=th.t, count=2)
    if len(windows) < 2:
        raise _Rejected("no free windows to offer")
    window = windows[0] if rng.random() < 0.6 else windows[1]
    which = "The first one" if window is windows[0] else "The second one"
    lines = _v_greeting(th)
    lines += [
        (Author.LEAD, f"Yeah. {rng.choice(th.need.details)}"),
        (
            Author.AGENT,
            f"{th.need.empathy} The earliest I have is {th.spoken(windows[0])}, or "
            f"{th.spoken(windows[1])}. Would either of those work?",
        ),
        (Author.LEAD, rng.choice((f"{which} works.", f"{which}, please.", f"{which} is good."))),
        (
            Author.AGENT,
            f"Great, you're booked for {th.spoken(window)}. The technician will text you when "
            "they're on the way, and I'll send a confirmation text now. Anything else?",
        ),
        (Author.LEAD, rng.choice(("No, that's it. Thanks!", "Nope, thank you.", "That's all."))),
        (Author.AGENT, f"Thanks, {th.first}. Have a good day!"),
    ]
    call = th.call(lines, outcome=Call.Outcome.COMPLETED)
    th.t = call.turns[-3].at
    th.book(window, by=Job.BookedBy.AGENT)
    th.t = call.ended_at
    th.move("converted.agent", detail=f"Booked {_job(th.need.job_type)} on a call")
    th.agent(
        f"{CO}: you're booked for {_job(th.need.job_type)} on {th.slot(window)}. The "
        f"technician will text when they're on the way. {STOP_LINE}",
        low=5,
        high=20,
    )
    th.summary = (
        f"{th.who()} {th.came_in()} about {th.need.topic}. The Voice Agent reached them by "
        f"phone{' on the second try' if len(th.calls) > 1 else ''}, offered two arrival "
        f"windows and booked {_job(th.need.job_type)} for {th.slot(window)}. A "
        "confirmation text went out; nothing is pending."
    )


def _s_converted_human(th: _Thread) -> None:
    rng = th.rng
    story = th.story
    user = story.csr if rng.random() < 0.7 else story.admin
    _opening(th)
    _answer(th, speed=rng.choice(("quick", "normal")))
    escalated = rng.random() < 0.7
    if escalated:
        reason = rng.choice(("human_request", "human_request", "skill_handling", "availability"))
        topic = _sms_escalation(th, reason)
        context = {
            "human_request": "Happy to help you directly.",
            "skill_handling": f"I saw your question about {topic}; that's one for a quote "
            "after we look at the main job.",
            "availability": "I checked with dispatch: today is full, but I can get you "
            "one of the first slots.",
        }[reason]
        why = {
            "human_request": "asked to talk to a person",
            "skill_handling": f"also asked about {topic}",
            "availability": "needed a time the agent could not offer",
        }[reason]
    else:
        context = "I can get you on the schedule and answer any questions."
        why = "the office stepped in while the agent was still talking with them"
    th.take_over(user)
    th.human(user, f"Hi {th.first}, this is {user.first_name} at {CO}. {context}", low=5, high=60)
    th.lead(rng.choice(("Great, thank you", "Thanks! What do you have?", "ok sounds good")))
    windows = story.free_windows(th.trade, after=th.t, count=2)
    if len(windows) < 2:
        raise _Rejected("no free windows to offer")
    th.human(
        user,
        f"I can do {th.option(windows[0])} or {th.option(windows[1])}. Which is better?",
        low=60,
        high=400,
    )
    window = _pick(th, windows)
    th.human(
        user,
        f"Done! You're booked for {_job(th.need.job_type)} on {th.slot(window)}. The "
        "technician will text when they're on the way.",
        low=60,
        high=300,
    )
    th.book(window, by=Job.BookedBy.HUMAN, user=user)
    th.move("converted.human", Author.HUMAN, user, detail=f"Booked by {user.get_full_name()}")
    if rng.random() < 0.5:
        th.lead(rng.choice(_THANKS), low=20, high=400)
    th.note(user, f"Took over and booked {th.slot(window)}. {rng.choice(_PERSONAL_NOTES)}")
    if rng.random() < 0.5:
        _follow_up_task(th, f"Confirm the visit with {th.first} the day before", done=True)
    th.summary = (
        f"{th.who()} {th.came_in()} about {th.need.topic} and {why}. {user.get_full_name()} "
        f"took over from the agent and booked {_job(th.need.job_type)} for "
        f"{th.slot(window)}. Nothing is pending."
    )


def _s_converted(th: _Thread) -> None:
    rng = th.rng
    story = th.story
    _opening(th)
    _answer(
        th,
        rng.choice(
            (
                "I'm going to call your office instead, easier for me.",
                "Calling you guys now actually.",
                "Can I just call? What's the number?",
            )
        ),
    )
    th.agent(f"Of course! You can reach our office at {story.office_phone}.")
    th.t = story.office_time(th.t)
    windows = story.free_windows(th.trade, after=th.t, count=1)
    if not windows:
        raise _Rejected("no free windows to offer")
    th.book(windows[0], by=Job.BookedBy.HUMAN, user=story.csr)
    th.move(
        "converted",
        Author.HUMAN,
        story.csr,
        detail="Booked by phone with the office",
    )
    th.summary = (
        f"{th.who()} {th.came_in()} about {th.need.topic} and preferred to call the office. "
        f"{story.csr.get_full_name()} booked {_job(th.need.job_type)} by phone for "
        f"{th.slot(windows[0])}. Nothing is pending."
    )


def _s_escalated(th: _Thread, reason: str) -> None:
    rng = th.rng
    if th.voice:
        _v_escalated(th, reason)
    else:
        _opening(th)
        _answer(th, speed=rng.choice(("quick", "normal")))
        topic = _sms_escalation(th, reason)
        th.summary = _escalation_summary(th, reason, topic)
    if rng.random() < 0.75:
        title = {
            "human_request": f"Call {th.first} back",
            "negative_sentiment": f"Call {th.first} about the earlier visit",
            "availability": f"Find {th.first} a time that works",
            "skill_handling": f"Follow up with {th.first} about the extra work",
            "agent_issue": f"Read the thread and call {th.first}",
        }.get(reason, f"Review the warranty callback for {th.first}")
        _follow_up_task(th, title, done=False, automatic=True)


def _escalation_summary(th: _Thread, reason: str, topic: str) -> str:
    why = {
        "human_request": "then asked to talk to a person",
        "negative_sentiment": "is upset about an earlier visit",
        "availability": f"needs a visit {topic}, which the open windows do not cover",
        "skill_handling": f"also asked about {topic}, which the agent cannot book",
        "agent_issue": "sent replies the agent could not understand",
    }.get(reason, "reports the same problem again after a recent visit")
    return (
        f"{th.who()} {th.came_in()} about {th.need.topic} and {why}. The agent handed the "
        "conversation to the team and stopped. Waiting for someone to follow up."
    )


def _v_escalated(th: _Thread, reason: str) -> None:
    rng = th.rng
    lines = _v_greeting(th)
    topic = ""
    if reason == "human_request":
        lines.append((Author.LEAD, "Wait, is this a robot? I'd rather talk to a real person."))
    elif reason == "negative_sentiment":
        lines.append(
            (
                Author.LEAD,
                "Honestly I'm pretty frustrated. Your guy was here two weeks ago and it's "
                "doing the same thing again.",
            )
        )
    elif reason == "availability":
        topic = "for this evening"
        lines.append(
            (Author.LEAD, f"{rng.choice(th.need.details)} Can somebody come tonight after 6?")
        )
    elif reason == "skill_handling":
        topic, text = rng.choice(_SKILL_TOPICS)
        lines.append((Author.LEAD, text))
    else:
        topic = "a bad line"
        lines += [
            (Author.LEAD, "Yeah it's the (inaudible) ... in the ... (inaudible)"),
            (Author.AGENT, "Sorry, I didn't catch that. Could you say it again?"),
            (Author.LEAD, "I said the (inaudible) upstairs"),
            (Author.AGENT, "I'm sorry, I still didn't get that. Was that about the upstairs unit?"),
            (Author.LEAD, "(inaudible)"),
        ]
    lines.append((Author.AGENT, _handoff(th, reason, topic=topic, voice=True)))
    th.call(lines, outcome=Call.Outcome.COMPLETED)
    th.move(
        f"escalated.{reason}",
        detail={
            "human_request": "The lead asked for a person on the call",
            "negative_sentiment": "The lead is upset with the business",
            "availability": "No arrival window fits the lead",
            "skill_handling": f"Outside the configured skills: {topic}",
            "agent_issue": "The agent could not understand the lead on the call",
        }[reason],
    )
    th.summary = _escalation_summary(th, reason, topic).replace(
        "The agent handed the conversation", "On the call, the Voice Agent handed it"
    )


def _s_takeover(th: _Thread) -> None:
    rng = th.rng
    story = th.story
    user = story.csr if rng.random() < 0.65 else story.admin
    _opening(th)
    _answer(th, speed=rng.choice(("quick", "normal")))
    if rng.random() < 0.6:
        reason = rng.choice(("human_request", "skill_handling", "negative_sentiment"))
        topic = _sms_escalation(th, reason)
        why = {
            "human_request": "asked for a person",
            "skill_handling": f"asked about {topic}",
            "negative_sentiment": "was unhappy about an earlier visit",
        }[reason]
    else:
        why = "asked about financing a bigger job"
        th.lead(rng.choice(("Do you offer financing?", "Is there a payment plan option?")))
        th.agent(
            "Good question. Let me get someone from our office to go over the options with you."
        )
    th.take_over(user)
    th.human(
        user,
        f"Hi {th.first}, this is {user.first_name} at {CO}. I'll take it from here. "
        "Is now a good time for a quick call?",
        low=5,
        high=60,
    )
    th.lead(
        rng.choice(("Sure, call me after 5", "Yes, go ahead", "Can you call tomorrow morning?"))
    )
    th.human(user, "Sounds good, I'll call you then.", low=30, high=240)
    if rng.random() < 0.7:
        th.note(user, f"Talked to {th.first} by phone; sending a written quote. Follow up Friday.")
        _follow_up_task(th, f"Send {th.first} the written quote", done=rng.random() < 0.6)
    th.summary = (
        f"{th.who()} {th.came_in()} about {th.need.topic} and {why}. {user.get_full_name()} "
        "took over from the agent and is handling it by phone; the agent sends nothing more."
    )


def _s_dismissed_agent(th: _Thread) -> None:
    rng = th.rng
    if th.voice:
        _v_dismissed_agent(th)
        return
    # Customers live in the service area; only new leads can be outside it.
    variant = rng.random() if th.plan.record_type == RecordType.LEAD else 1.0
    if variant < 0.35 and not th.inbound:
        zip_code, town = rng.choice(OUTSIDE_ZIPS)
        th.lead_zip = zip_code
        th.touch(
            f"Hi {th.first}, this is the virtual assistant at {CO}. Thanks for your request "
            f"about {th.need.ask}. Unfortunately {zip_code} ({town}) is outside our service "
            f"area, so we can't send a technician. Sorry we can't help this time! {STOP_LINE}"
        )
        th.move("dismissed.agent", detail=f"Outside the service area ({zip_code})")
        th.summary = (
            f"{th.person.name} in {town} ({zip_code}) {th.came_in()} about {th.need.topic}. "
            "The address is outside the service area, so the agent explained and closed it. "
            "Nothing is pending."
        )
        return
    if variant < 0.55 and th.inbound:
        zip_code, town = rng.choice(OUTSIDE_ZIPS)
        th.lead_zip = zip_code
        _opening(th)
        _answer(th, f"{th.first}, I'm in {town}, {zip_code}")
        th.agent(
            f"Thanks, {th.first}. I'm sorry, {zip_code} is outside our service area right now, "
            "so we can't send a technician. I hope you get it sorted quickly!"
        )
        th.move("dismissed.agent", detail=f"Outside the service area ({zip_code})")
        th.summary = (
            f"{th.person.name} in {town} ({zip_code}) {th.came_in()} about {th.need.topic}. "
            "The address is outside the service area, so the agent explained and closed it. "
            "Nothing is pending."
        )
        return
    _opening(th)
    if not th.inbound and rng.random() < 0.3:
        th.touch(_follow_up_text(th, 2), at=th.cadence_at(2))
    text, why = rng.choice(_DECLINES)
    if th.plan.record_type == RecordType.OPPORTUNITY:
        text, why = (
            "We decided to hold off until next year, thanks though.",
            "they decided to wait until next year",
        )
        th.opportunity_lost = True
    if th.inbound:
        _answer(th)
        th.agent(f"Thanks, {th.first}! {_offer_line(th)}")
        th.lead(text, low=60, high=1800)
    else:
        _answer(th, text, speed=rng.choice(("quick", "normal", "slow")))
    th.agent(
        f"Thanks for letting us know, {th.first}. If anything else comes up, just text us here."
    )
    th.move("dismissed.agent", detail=f"The lead declined: {why}")
    th.summary = (
        f"{th.who()} {th.came_in()} about {th.need.topic}, then said {why}. The agent thanked "
        "them and closed the conversation. Nothing is pending."
    )


def _offer_line(th: _Thread) -> str:
    windows = th.story.free_windows(th.trade, after=th.t, count=2)
    if len(windows) < 2:
        return "When would you like us to come out?"
    return f"I have {th.option(windows[0])} or {th.option(windows[1])}. Would either work?"


def _v_dismissed_agent(th: _Thread) -> None:
    rng = th.rng
    lines = _v_greeting(th)
    if th.plan.record_type == RecordType.LEAD and rng.random() < 0.5:
        zip_code, town = rng.choice(OUTSIDE_ZIPS)
        th.lead_zip = zip_code
        lines += [
            (Author.LEAD, f"Sure. I'm out in {town}, {zip_code}."),
            (
                Author.AGENT,
                f"Thanks. I'm sorry, {zip_code} is outside our service area, so we can't send "
                "a technician there. I hope you get it sorted quickly. Goodbye!",
            ),
        ]
        detail = f"Outside the service area ({zip_code})"
        why = f"said they live in {town}, outside the service area"
    else:
        text, why = rng.choice(_DECLINES)
        lines += [
            (Author.LEAD, text),
            (
                Author.AGENT,
                "Glad to hear it's handled! If anything else comes up, just give us a call. "
                "Have a good day.",
            ),
        ]
        detail = f"The lead declined: {why}"
        why = f"said {why}"
    th.call(lines, outcome=Call.Outcome.COMPLETED)
    th.move("dismissed.agent", detail=detail)
    th.summary = (
        f"{th.person.name} {th.came_in()} about {th.need.topic}. On the call the lead {why}, so "
        "the Voice Agent closed it. Nothing is pending."
    )


def _s_dismissed_human(th: _Thread) -> None:
    rng = th.rng
    story = th.story
    user = story.csr if rng.random() < 0.7 else story.admin
    _opening(th)
    _answer(th, speed=rng.choice(("quick", "normal")))
    reason, human_line = rng.choice(
        (
            (
                "Handled by phone; no visit needed",
                "I called and walked them through resetting the GFCI. All working now.",
            ),
            ("Renter; the landlord will schedule", "Tenant; landlord uses his own plumber."),
            ("The customer hired another company", "They went with another company."),
            ("Commercial job, referred to a partner", "Commercial property, referred to Mendez."),
        )
    )
    if rng.random() < 0.6:
        _sms_escalation(th, rng.choice(("human_request", "skill_handling")))
        th.t = story.office_time(th.t)
    else:
        th.take_over(user)
        th.human(
            user,
            f"Hi {th.first}, this is {user.first_name} at {CO}. Mind if I give you a quick call?",
            low=5,
            high=60,
        )
        th.lead(rng.choice(("Sure", "yes that's fine", "ok")))
    th.note(user, human_line, after=1800)
    th.move("dismissed.human", Author.HUMAN, user, detail=reason)
    if rng.random() < 0.4:
        _follow_up_task(th, f"Check in with {th.first} next season", done=False)
    th.summary = (
        f"{th.who()} {th.came_in()} about {th.need.topic}. {user.get_full_name()} followed up "
        f"and dismissed it: {reason[0].lower()}{reason[1:]}. Nothing is pending."
    )


def _s_dismissed(th: _Thread) -> None:
    reason, note = th.rng.choice(
        (
            ("Looks like a test submission from the website form", "test please ignore"),
            (
                "Spam: a marketing pitch, not a service request",
                "We can get your business to page 1 of Google! Reply for a free audit.",
            ),
            ("Duplicate of a request already booked by the office", th.need.note),
        )
    )
    th.lead_note = note
    th.wait(2, 10)
    th.move("dismissed", Author.SYSTEM, detail=reason)
    th.summary = (
        f"A website form from {th.person.name} was closed automatically before any outreach: "
        f"{reason[0].lower()}{reason[1:]}. Nothing was sent."
    )


def _s_abandoned(th: _Thread) -> None:
    total = len(th.story.cadence)
    for touch in range(1, total + 1):
        if th.voice:
            _v_unanswered(th, touch)
        elif touch == 1:
            th.touch(_opener(th))
        else:
            th.touch(_follow_up_text(th, touch), at=th.cadence_at(touch))
    th.t = th.last_outbound_at() + th.story.abandon_after
    th.move(
        "abandoned",
        Author.SYSTEM,
        detail=f"No reply after {total} touches; the cadence is complete",
    )
    tried = f"made {total} calls" if th.voice else f"sent {total} texts"
    th.summary = (
        f"{th.who()} {th.came_in()} about {th.need.topic}. The agent {tried} over three days "
        "and never got an answer, so the interaction was closed as abandoned."
    )


def _s_opt_out(th: _Thread) -> None:
    rng = th.rng
    if th.voice:
        lines = _v_greeting(th)
        text = rng.choice(
            (
                "Please take me off your call list. I don't want these calls.",
                "Wrong number. Don't call this number again.",
            )
        )
        lines += [
            (Author.LEAD, text),
            (
                Author.AGENT,
                "Understood. I've removed this number, and you won't receive any more calls or "
                f"texts from {CO}. Goodbye.",
            ),
        ]
        call = th.call(lines, outcome=Call.Outcome.COMPLETED)
        th.t = call.turns[-2].at
        method = OptOut.Method.WRONG_NUMBER if "Wrong" in text else OptOut.Method.WORDS
        th.opted_out(method, text)
        th.t = call.ended_at
        th.summary = (
            f"{th.person.name} {th.came_in()} about {th.need.topic}. On the first call they "
            "asked not to be contacted again; the number is on the opt-out list and nothing "
            "more will be sent."
        )
        return
    _opening(th)
    variant = rng.random()
    if variant < 0.4 and not th.inbound:
        text = rng.choice(_STOP_WORDS)
        th.lead(text, low=20, high=1800)
        th.opted_out(OptOut.Method.KEYWORD, text)
        how = f"replied {text} to the first text"
    elif variant < 0.7 and not th.inbound:
        th.touch(_follow_up_text(th, 2), at=th.cadence_at(2))
        text, method = rng.choice(_STOP_PHRASES)
        th.lead(text, low=60, high=3600)
        th.opted_out(method, text)
        how = f'answered a follow-up with "{text}"'
    else:
        _answer(th, speed=rng.choice(("quick", "normal")))
        th.agent(f"{_preface(th)}{_offer_line(th)}")
        text = rng.choice(
            (
                "Actually please stop texting me, I'll call when I'm ready.",
                "STOP",
                "Never mind. Unsubscribe.",
            )
        )
        th.lead(text, low=120, high=5400)
        method = OptOut.Method.KEYWORD if text == "STOP" else OptOut.Method.WORDS
        th.opted_out(method, text)
        how = "started to schedule, then asked to stop the texts"
    th.summary = (
        f"{th.who()} {th.came_in()} about {th.need.topic} and {how}. The agent sent the one "
        "opt-out confirmation; the number is on the opt-out list and nothing more will be sent."
    )


def _s_failed(th: _Thread) -> None:
    rng = th.rng
    if th.voice:
        th.call([], outcome=Call.Outcome.FAILED)
        th.move("failed", Author.SYSTEM, detail="Call failed: the number is not in service")
        th.summary = (
            f"{th.person.name} {th.came_in()} about {th.need.topic}. The call could not be "
            "placed (number not in service), so the agent could not make contact."
        )
        return
    if rng.random() < 0.3:
        th.lead_phone = f"512555{rng.randint(100, 999)}"
        th.wait(1, 3)
        th.move("failed", Author.SYSTEM, detail=f"{th.lead_phone} is not a valid phone number")
        th.summary = (
            f"{th.person.name} {th.came_in()} about {th.need.topic} but typed an incomplete "
            f"phone number ({th.lead_phone}). Nothing could be sent; the lead has to be "
            "reached another way."
        )
        return
    msg = th.touch(_opener(th))
    msg.delivery = Message.Delivery.UNDELIVERED
    msg.error_code = "30006"
    th.wait(2, 20)
    th.event(
        InteractionEvent.Kind.DELIVERY,
        Author.SYSTEM,
        detail="Undelivered (30006: landline or unreachable carrier)",
        data={"error_code": "30006"},
        ref=msg,
    )
    th.move("failed", Author.SYSTEM, detail="The carrier could not deliver the first text (30006)")
    th.summary = (
        f"{th.person.name} {th.came_in()} about {th.need.topic}. The carrier rejected the first "
        "text (30006: a landline or unreachable number), so the agent could not make contact."
    )


def _s_terminated(th: _Thread) -> None:
    """Only the campaign-paused variant; merged duplicates are written by `_merged_duplicate`."""
    if th.voice:
        _v_unanswered(th, 1)
    else:
        th.touch(_opener(th))
    th.t = th.story.office_time(th.t + timedelta(hours=th.rng.uniform(0.3, 0.8)))
    th.move(
        "terminated",
        Author.SYSTEM,
        detail=f"Campaign {th.campaign.name} was paused; its open interactions ended",
    )
    th.summary = (
        f"{th.person.name} {th.came_in()} about {th.need.topic}. Before the lead answered, the "
        f"{th.campaign.name} campaign was paused for a script change and the system ended "
        "the interaction."
    )


def _merged_duplicate(th: _Thread, original: _Thread) -> None:
    window = original.bookings[0].window
    th.touch(_opener(th))
    _answer(
        th,
        f"I already booked with you guys earlier, got a confirmation for {th.day_word(window)}.",
    )
    th.agent("Thanks, I see that booking. You're all set, nothing else needed here!")
    th.wait(120, 900)
    th.merged_into = original
    th.move(
        "terminated",
        Author.SYSTEM,
        detail=f"Lead merged into the earlier request from {original.person.name}",
    )
    th.summary = (
        f"{th.person.name} filled in the website form a second time about {th.need.topic}. "
        "They were already booked from an earlier request, so this lead was merged into it "
        "and the system ended the duplicate."
    )


def _s_started(th: _Thread) -> None:
    now = th.story.now
    total = len(th.story.cadence)
    for touch in range(1, total + 1):
        due = th.story.outreach_time(th.cadence_at(touch) if touch > 1 else th.t)
        if due > now - timedelta(minutes=1):
            th.next_touch_at = due
            break
        if th.voice:
            _v_unanswered(th, touch)
        elif touch == 1:
            th.touch(_opener(th))
        else:
            th.touch(_follow_up_text(th, touch), at=th.cadence_at(touch))
    else:
        th.next_touch_at = th.last_outbound_at() + th.story.abandon_after
        if th.next_touch_at <= now:
            raise _Rejected("the cadence would already be complete")
    if not th.touches:
        raise _Rejected("nothing was sent yet")
    plural = "s" if th.touches > 1 else ""
    tried = f"made {th.touches} call{plural}" if th.voice else f"sent {th.touches} text{plural}"
    th.summary = (
        f"{th.who()} {th.came_in()} about {th.need.topic}. The agent has {tried} and is "
        "waiting for a first answer; the next follow-up is scheduled."
    )


def _s_active_hot(th: _Thread) -> None:
    rng = th.rng
    _opening(th)
    _answer(th, speed="quick")
    if th.status != "active.hot":
        raise _Rejected("not hot")
    windows = _offer(th, _preface(th))
    question, answer = _question(th)
    th.lead(question, low=30, high=240)
    th.agent(f"{answer} Which of those times would you like?")
    if rng.random() < 0.5:
        th.lead(rng.choice(("Let me check with my husband real quick", "one sec checking")))
    th.summary = (
        f"{th.who()} {th.came_in()} about {th.need.topic} and is replying quickly. The agent "
        f"offered {len(windows)} arrival windows and answered a question; waiting for the "
        "lead to pick one."
    )


def _s_active_warm(th: _Thread) -> None:
    _opening(th)
    _answer(th, speed="normal")
    windows = _offer(th, _preface(th))
    th.summary = (
        f"{th.who()} {th.came_in()} about {th.need.topic} and answered within the hour. The "
        f"agent offered {len(windows)} arrival windows; waiting for the lead to choose."
    )


def _s_active_cool(th: _Thread) -> None:
    _opening(th)
    _answer(th, speed="normal")
    _offer(th, _preface(th))
    th.lead(th.rng.choice(("maybe", "not sure yet", "k", "how much?")), low=3 * 3600, high=9 * 3600)
    th.agent(
        "No problem. The diagnostic visit is $89 and it's waived if you go ahead with the "
        "repair. Just reply with a time when you're ready."
        if th.trade == "hvac"
        else "No problem. Just reply with a day that works when you're ready."
    )
    th.move("active.cool", detail="Short, slow replies")
    th.summary = (
        f"{th.who()} {th.came_in()} about {th.need.topic} but replies slowly and briefly. The "
        "agent offered arrival windows and left the choice open; engagement is slowing."
    )


def _s_active_cold(th: _Thread) -> None:
    _opening(th)
    _answer(th, speed="normal")
    _offer(th, _preface(th))
    th.t = th.story.outreach_time(th.t + timedelta(days=1))
    th.touch(
        f"Hi {th.first}, still want me to hold one of those times for {th.need.short}? "
        "Just reply with the one that works."
    )
    th.move("active.cold", detail="No reply in a day; follow-ups continue")
    th.next_touch_at = th.story.outreach_time(th.t + timedelta(days=2))
    if th.next_touch_at <= th.story.now:
        raise _Rejected("the follow-up would already be due")
    th.summary = (
        f"{th.who()} {th.came_in()} about {th.need.topic} and replied once, then went quiet "
        "after the agent offered arrival windows. A follow-up went out; another is scheduled."
    )


def _s_active(th: _Thread) -> None:
    _opening(th)
    low, high = _speed("quick")
    th.lead(th.answer_text(), low=low, high=high)
    th.move("active", detail="The lead is answering; engagement not scored yet")
    _offer(th, f"Thanks, {th.first}! ")
    th.summary = (
        f"{th.who()} {th.came_in()} about {th.need.topic}. The agent introduced itself, "
        "took the details and offered arrival windows; the conversation is under way."
    )


SCRIPTS: dict[str, _Script] = {
    "started": _s_started,
    "active.hot": _s_active_hot,
    "active.warm": _s_active_warm,
    "active.cool": _s_active_cool,
    "active.cold": _s_active_cold,
    "active": _s_active,
    "converted.agent": _s_converted_agent,
    "converted.human": _s_converted_human,
    "converted": _s_converted,
    "escalated.agent_issue": lambda th: _s_escalated(th, "agent_issue"),
    "escalated.availability": lambda th: _s_escalated(th, "availability"),
    "escalated.skill_handling": lambda th: _s_escalated(th, "skill_handling"),
    "escalated.human_request": lambda th: _s_escalated(th, "human_request"),
    "escalated.negative_sentiment": lambda th: _s_escalated(th, "negative_sentiment"),
    "escalated": lambda th: _s_escalated(th, ""),
    "dismissed.agent": _s_dismissed_agent,
    "dismissed.human": _s_dismissed_human,
    "dismissed": _s_dismissed,
    "abandoned": _s_abandoned,
    "opt_out": _s_opt_out,
    "failed": _s_failed,
    "terminated": _s_terminated,
    "takeover": _s_takeover,
}

_MERGED_SHARE = 0.5


def _plan(story: _Story, status: str) -> _Plan:
    rng = story.rng
    goal = Goal.SPEED_TO_LEAD
    if status in _INBOUND_OK and rng.random() < 0.33:
        goal = Goal.INBOUND_SMS
    channel = Channel.SMS
    if goal == Goal.SPEED_TO_LEAD and status in _VOICE_OK and rng.random() < 0.3:
        channel = Channel.VOICE
    if status in _CUSTOMER_ONLY:
        record_type = RecordType.CUSTOMER
    elif goal == Goal.SPEED_TO_LEAD and status in _OPPORTUNITY_OK and rng.random() < 0.12:
        record_type = RecordType.OPPORTUNITY
    elif status not in ("dismissed", "failed") and rng.random() < 0.15:
        record_type = RecordType.CUSTOMER
    else:
        record_type = RecordType.LEAD
    if record_type == RecordType.OPPORTUNITY:
        need = rng.choice([n for n in NEEDS if n.job_type in _ESTIMATES])
    else:
        need = rng.choice(NEEDS)
    person = story.person()
    if record_type != RecordType.LEAD:
        person.customer = Customer(
            company=story.company,
            first_name=person.first,
            last_name=person.last,
            phone=person.phone,
            email=person.email,
            address=person.street,
            zip=person.zip,
            created_at=story.now - timedelta(days=rng.randint(120, 1500)),
        )
    if goal == Goal.INBOUND_SMS:
        source = Lead.Source.INBOUND_SMS
    else:
        source = rng.choices(
            (Lead.Source.WEB_FORM, Lead.Source.API, Lead.Source.REFERRAL), weights=(70, 20, 10)
        )[0]
    return _Plan(status, goal, channel, record_type, need, person, source)


def _age_range(story: _Story, status: str) -> tuple[float, float]:
    if status in _AGES:
        return _AGES[status]
    if statuses.get(status).group is statuses.Group.ESCALATED:
        # A backlog of open escalations is mostly recent: people do work them.
        return 0.5, story.rng.choice((48.0, 120.0, _ESCALATED_MAX_AGE))
    return 1.0, STORY_DAYS * 24 - 12.0


def _build(story: _Story, plan: _Plan, script: _Script) -> _Thread:
    low, high = _age_range(story, plan.status)
    silent = plan.status in ("abandoned", "started")
    for attempt in range(300):
        # Widen the range when the present makes a fit hard (at night, say).
        top = min(high * (1 + attempt / 25), STORY_DAYS * 24 - 12.0)
        th = _Thread(story, plan, story.sample_start(low, max(top, low + 0.5), silent=silent))
        try:
            script(th)
        except _Rejected:
            th.release()
            continue
        if th.within():
            return th
        th.release()
    raise RuntimeError(f"the story could not place a {plan.status} interaction")


def _compose(story: _Story) -> list[_Thread]:
    """Plan every interaction, then tell each one; merged duplicates come last."""
    plans = [_plan(story, status) for status, count in STATUS_COUNTS.items() for _ in range(count)]
    story.rng.shuffle(plans)
    threads: list[_Thread] = []
    later: list[_Plan] = []
    for plan in plans:
        if plan.status == "terminated" and len(later) < STATUS_COUNTS["terminated"] * _MERGED_SHARE:
            later.append(plan)
            continue
        threads.append(_build(story, plan, SCRIPTS[plan.status]))
    originals = [
        th
        for th in threads
        if th.status == "converted.agent"
        and not th.inbound
        and th.plan.record_type == RecordType.LEAD
        and th.started_at < story.now - timedelta(hours=8)
    ]
    candidates = story.rng.sample(originals, len(originals))
    for plan in later:
        while True:
            original = candidates.pop()
            duplicate = _Plan(
                "terminated",
                Goal.SPEED_TO_LEAD,
                Channel.SMS,
                RecordType.LEAD,
                original.need,
                original.person,
                plan.source,
            )
            th = _Thread(story, duplicate, original.started_at + timedelta(hours=2))
            _merged_duplicate(th, original)
            if th.within():
                threads.append(th)
                break
    return threads


def _provider_id(story: _Story, prefix: str) -> str:
    return f"{prefix}{story.ids.getrandbits(128):032x}"


def _write_people(story: _Story, threads: list[_Thread]) -> None:
    company = story.company
    customers: dict[int, Customer] = {}
    for th in threads:
        if th.person.customer is not None:
            customers[id(th.person.customer)] = th.person.customer
    Customer.objects.bulk_create(customers.values())
    leads = []
    for th in threads:
        person = th.person
        paused_at, paused_by = th.paused if th.paused else (None, None)
        th.lead_row = Lead(
            company=company,
            customer=person.customer,
            first_name=person.first,
            last_name=person.last,
            phone=th.lead_phone,
            email=person.email,
            zip=th.lead_zip,
            address=person.street if person.customer or story.rng.random() < 0.4 else "",
            note=th.lead_note,
            source=th.plan.source,
            created_at=th.lead_created_at,
            agent_paused_at=paused_at,
            agent_paused_by=paused_by,
        )
        leads.append(th.lead_row)
    Lead.objects.bulk_create(leads)
    merged = []
    for th in threads:
        if th.merged_into is not None and th.lead_row is not None:
            th.lead_row.merged_into = th.merged_into.lead_row
            merged.append(th.lead_row)
    Lead.objects.bulk_update(merged, ["merged_into"])
    opportunities = []
    for th in threads:
        if th.plan.record_type != RecordType.OPPORTUNITY:
            continue
        title, low, high = _OPPORTUNITY_TITLES[th.need.job_type]
        th.opportunity = Opportunity(
            company=company,
            customer=th.person.customer,
            title=title,
            job_type=th.need.job_type,
            stage=Opportunity.Stage.LOST if th.opportunity_lost else Opportunity.Stage.OPEN,
            estimated_value=Decimal(story.rng.randrange(low, high, 50)),
            created_at=th.started_at - timedelta(days=story.rng.randint(3, 40)),
        )
        opportunities.append(th.opportunity)
    Opportunity.objects.bulk_create(opportunities)


def _write_interactions(story: _Story, threads: list[_Thread]) -> None:
    rows = []
    # Each lead's first interaction (ids follow this order) is marked as start_interaction
    # marks it, so the console counts the story's leads without its slower exact path.
    seen_leads: set[int | None] = set()
    for th in threads:
        target = statuses.get(th.status)
        # A spoken turn counts like a text, as the pipeline counts it (add_call_turn).
        spoken = [turn for call in th.calls for turn in call.turns]
        inbound = [m.at for m in th.messages if m.direction == Message.Direction.INBOUND]
        inbound += [t.at for t in spoken if t.speaker == Author.LEAD]
        outbound = [m.at for m in th.messages if m.direction == Message.Direction.OUTBOUND]
        outbound += [t.at for t in spoken if t.speaker != Author.LEAD]
        activity = [m.at for m in th.messages] + [c.ended_at for c in th.calls]
        lead_id = th.lead_row.pk if th.lead_row is not None else None
        th.row = Interaction(
            company=story.company,
            campaign=th.campaign,
            lead=th.lead_row,
            customer=th.person.customer,
            opportunity=th.opportunity,
            record_type=th.plan.record_type,
            channel=th.plan.channel,
            goal=th.plan.goal,
            status=th.status,
            status_group=target.group.value,
            escalated=target.group is statuses.Group.ESCALATED,
            engagement=th.engagement,
            lead_name=th.person.name,
            lead_phone=th.lead_phone,
            started_at=th.started_at,
            last_activity_at=max(activity) if activity else th.started_at,
            last_inbound_at=max(inbound) if inbound else None,
            last_outbound_at=max(outbound) if outbound else None,
            closed_at=th.closed_at,
            message_count=len(th.messages) + len(spoken),
            inbound_count=len(inbound),
            outbound_count=len(outbound),
            touches_sent=th.touches,
            next_touch_at=th.next_touch_at if target.is_open else None,
            summary=th.summary,
            first_of_lead=lead_id not in seen_leads,
            created_at=th.started_at,
            updated_at=max(e.at for e in th.events),
        )
        seen_leads.add(lead_id)
        rows.append(th.row)
    Interaction.objects.bulk_create(rows)


def _write_threads(story: _Story, threads: list[_Thread]) -> None:
    company = story.company
    messages = []
    calls = []
    for th in threads:
        for msg in th.messages:
            outbound = msg.direction == Message.Direction.OUTBOUND
            msg.row = Message(
                company=company,
                interaction=th.row,
                direction=msg.direction,
                author=msg.author,
                author_user=msg.user,
                body=msg.body,
                provider_id=_provider_id(story, "SM"),
                delivery_status=msg.delivery,
                error_code=msg.error_code,
                created_at=msg.at,
                sent_at=msg.at + timedelta(seconds=story.rng.uniform(0.5, 3)) if outbound else None,
            )
            messages.append(msg.row)
        for call in th.calls:
            recorded = call.outcome in (Call.Outcome.COMPLETED, Call.Outcome.VOICEMAIL)
            duration = (call.ended_at - call.started_at).total_seconds()
            call.row = Call(
                company=company,
                interaction=th.row,
                provider_id=_provider_id(story, "CA"),
                direction="outbound",
                started_at=call.started_at,
                ended_at=call.ended_at,
                outcome=call.outcome,
                recording_id=_provider_id(story, "RE") if recorded else "",
                recording_duration=round(duration) if recorded else None,
            )
            calls.append(call.row)
    Message.objects.bulk_create(messages)
    Call.objects.bulk_create(calls)
    CallTurn.objects.bulk_create(
        CallTurn(call=call.row, seq=seq, speaker=turn.speaker, text=turn.text, at=turn.at)
        for th in threads
        for call in th.calls
        for seq, turn in enumerate(call.turns, start=1)
    )


def _write_bookings(story: _Story, threads: list[_Thread]) -> None:
    """Bookings go through `book_window`, each at its own moment of the story."""
    pending = sorted(((b, th) for th in threads for b in th.bookings), key=lambda pair: pair[0].at)
    finished = []
    for booking, th in pending:
        assert th.row is not None
        with clock.use_clock(clock.VirtualClock(booking.at)):
            booking.job = book_window(
                window=booking.window,
                job_type=booking.job_type,
                booked_by=booking.booked_by,
                lead=th.lead_row,
                customer=th.person.customer,
                opportunity=th.opportunity,
                interaction_id=th.row.pk,
                user=booking.user,
            )
        if booking.job.arrival_end <= story.now:
            booking.job.status = Job.Status.COMPLETED
            finished.append(booking.job)
    Job.objects.bulk_update(finished, ["status"])


def _write_timeline(story: _Story, threads: list[_Thread]) -> None:
    """Events in time order, so their ids (which live pages follow) rise with time too."""
    company = story.company
    pending = sorted(
        ((e, th) for th in threads for e in th.events), key=lambda pair: (pair[0].at, pair[0].order)
    )
    rows = []
    for event, th in pending:
        data = dict(event.data)
        ref = event.ref
        if isinstance(ref, _Msg) and ref.row is not None:
            data["message_id"] = ref.row.pk
        elif isinstance(ref, _Call) and ref.row is not None:
            data["call_id"] = ref.row.pk
        elif isinstance(ref, _Booking) and ref.job is not None:
            data.update(job_id=ref.job.pk, window_id=ref.window.pk)
        rows.append(
            InteractionEvent(
                company=company,
                interaction=th.row,
                lead=th.lead_row,
                kind=event.kind,
                actor_kind=event.actor_kind,
                actor=event.actor,
                from_status=event.from_status,
                to_status=event.to_status,
                detail=event.detail,
                data=data,
                created_at=event.at,
            )
        )
    InteractionEvent.objects.bulk_create(rows)


def _write_follow_ups(story: _Story, threads: list[_Thread]) -> None:
    company = story.company
    notes = []
    tasks = []
    opt_outs = []
    for th in threads:
        for note in th.notes:
            notes.append(
                Note(
                    company=company,
                    lead=th.lead_row,
                    author=note.author,
                    body=note.body,
                    created_at=note.at,
                )
            )
        for task in th.tasks:
            tasks.append(
                Task(
                    company=company,
                    lead=th.lead_row,
                    title=task.title,
                    assignee=task.assignee,
                    created_by=task.created_by,
                    due_date=task.due,
                    done=task.done_at is not None,
                    done_at=task.done_at,
                    created_at=task.at,
                )
            )
        if th.opt_out is not None:
            opt_outs.append(
                OptOut(
                    company=company,
                    phone=th.lead_phone,
                    opted_out_at=th.opt_out.at,
                    method=th.opt_out.method,
                    raw_text=th.opt_out.raw,
                )
            )
    Note.objects.bulk_create(notes)
    Task.objects.bulk_create(tasks)
    OptOut.objects.bulk_create(opt_outs)


@transaction.atomic
def write_story(*, company: Company, users: Sequence[User]) -> int:
    """Write the last 30 days of the demo company; returns how many interactions it wrote."""
    story = _Story(company=company, users=users, now=clock.now())
    threads = _compose(story)
    _write_people(story, threads)
    _write_interactions(story, threads)
    _write_threads(story, threads)
    _write_bookings(story, threads)
    _write_timeline(story, threads)
    _write_follow_ups(story, threads)
    return len(threads)

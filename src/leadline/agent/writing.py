"""How the built-in agent says things: a friendly, brief office assistant that names the company.

Pure functions from facts to text. SMS texts stay short; voice texts are written to be spoken
(no numbered lists, no "reply"). Times are shown in the company's time zone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leadline.capacity.job_types import JOB_TYPES, label_of

VOICE = "voice"
# A plain hyphen keeps texts in the GSM-7 alphabet (160 characters a segment, not 70).
DASH = "-"
STOP_LINE = "Reply STOP to opt out."
VOICE_NOTICE = (
    "This call may be recorded. If you'd rather not get calls from us, say stop at any time."
)

_NEED_PHRASES = {
    "ac_repair": "your AC",
    "heating_repair": "your heating",
    "hvac_tune_up": "an HVAC tune-up",
    "hvac_replacement_estimate": "a new system estimate",
    "leak_repair": "the leak",
    "drain_cleaning": "the drain",
    "toilet_repair": "your toilet",
    "water_heater_repair": "your water heater",
    "water_heater_replacement_estimate": "a water heater replacement estimate",
    "electrical_repair": "the electrical problem",
    "panel_upgrade_estimate": "a panel upgrade estimate",
    "ev_charger_estimate": "an EV charger estimate",
    "garage_door_repair": "your garage door",
    "garage_door_opener": "your garage door opener",
    "garage_door_replacement_estimate": "a new garage door estimate",
}
_TRADE_WORDS = {
    "hvac": "heating and cooling",
    "plumbing": "plumbing",
    "electrical": "electrical",
    "garage_doors": "garage doors",
}


def greeting_name(first_name: str) -> str:
    return first_name.strip() or "there"


def need_phrase(job_type: str | None) -> str:
    """How the agent names a job in a sentence: "your AC", "an HVAC tune-up"."""
    if job_type is None:
        return "your request"
    return _NEED_PHRASES.get(job_type, label_of(job_type).lower())


# --- The lead's note as a phrase ---------------------------------------------------------------
#
# The opening says "about <phrase>". A phrase is put together only from the words below and a
# few fixed templates, so it is grammatical by construction:
#
#   your [state] [place] THING [trailing place]           your leaking water heater
#   your [place] THING that isn't/aren't GERUND            your AC that isn't cooling
#   your THING that won't / doesn't / don't BASE           your garage door that won't open
#   your THING that keeps / keep GERUND                    your breaker that keeps tripping
#   your THING that stopped GERUND / that died ...         your furnace that stopped working
#   your THING that's / that are STATE-or-GERUND           your AC that's out
#   having no THING                                        having no hot water
#   a/an [new] [THING] PROJECT [PROJECT]                   a panel upgrade, an HVAC tune-up
#   replacing your THING / installing a/an [new] THING     installing an EV charger
#   a quote / an estimate for <one of the three above>     a quote for a new water heater
#
# A note that fits none of them falls back to the job type ("the electrical repair you asked
# about") or, when no job type is known, is quoted as written (your request: "...").


@dataclass(frozen=True)
class Noun:
    text: str  # as written in a reply
    plural: bool = False
    alone: bool = False  # only ever said alone: "your electrical problem", never "... that ..."


@dataclass(frozen=True)
class Verb:
    base: str
    gerund: str


@dataclass(frozen=True)
class State:
    text: str
    before: bool  # "your clogged drain"; otherwise after the noun: "your AC that's out"


def _nouns(
    entries: dict[str, str], *, plural: bool = False, alone: bool = False
) -> dict[str, Noun]:
    return {key: Noun(text, plural, alone) for key, text in entries.items()}


NOTE_THINGS: dict[str, Noun] = {
    **_nouns(
        {
            "ac": "AC",
            "ac unit": "AC unit",
            "ac system": "AC system",
            "aircon": "AC",
            "air conditioner": "air conditioner",
            "air condition": "air conditioner",
            "air conditioning": "air conditioning",
            "air conditioning unit": "air conditioning unit",
            "central air": "central air",
            "central ac": "central AC",
            "hvac": "HVAC",
            "hvac system": "HVAC system",
            "hvac unit": "HVAC unit",
            "heat pump": "heat pump",
            "furnace": "furnace",
            "furnance": "furnace",
            "furnice": "furnace",
            "furnace unit": "furnace",
            "heater": "heater",
            "heat": "heat",
            "heating": "heating",
            "heating system": "heating system",
            "thermostat": "thermostat",
            "thermostate": "thermostat",
            "air handler": "air handler",
            "unit": "unit",
            "system": "system",
            "compressor": "compressor",
            "condenser": "condenser",
            "vent": "vent",
            "blower": "blower",
            "water heater": "water heater",
            "hot water heater": "water heater",
            "waterheater": "water heater",
            "water heather": "water heater",
            "water htr": "water heater",
            "hot water tank": "water heater",
            "gas water heater": "gas water heater",
            "electric water heater": "electric water heater",
            "tankless": "tankless water heater",
            "tankless water heater": "tankless water heater",
            "tankless heater": "tankless water heater",
            "toilet": "toilet",
            "toliet": "toilet",
            "toilette": "toilet",
            "drain": "drain",
            "main drain": "main drain",
            "shower drain": "shower drain",
            "tub drain": "tub drain",
            "sink": "sink",
            "sink drain": "sink drain",
            "shower": "shower",
            "tub": "tub",
            "bathtub": "bathtub",
            "sewer": "sewer line",
            "sewer line": "sewer line",
            "main line": "main line",
            "pipe": "pipe",
            "water line": "water line",
            "faucet": "faucet",
            "garbage disposal": "garbage disposal",
            "disposal": "garbage disposal",
            "spigot": "spigot",
            "hose bib": "hose bib",
            "leak": "leak",
            "water leak": "water leak",
            "sump pump": "sump pump",
            "breaker": "breaker",
            "circuit breaker": "circuit breaker",
            "outlet": "outlet",
            "light": "light",
            "light switch": "light switch",
            "switch": "switch",
            "light fixture": "light fixture",
            "ceiling fan": "ceiling fan",
            "gfci": "GFCI outlet",
            "gfi": "GFCI outlet",
            "gfci outlet": "GFCI outlet",
            "fuse": "fuse",
            "panel": "panel",
            "electrical panel": "electrical panel",
            "electric panel": "electrical panel",
            "breaker box": "breaker box",
            "breaker panel": "breaker panel",
            "fuse box": "fuse box",
            "wiring": "wiring",
            "garage door": "garage door",
            "garage": "garage door",
            "overhead door": "overhead door",
            "garage door opener": "garage door opener",
            "garage opener": "garage door opener",
            "opener": "opener",
            "garage door motor": "garage door opener",
            "garage door spring": "garage door spring",
            "garage spring": "garage door spring",
            "spring": "spring",
            "garage door remote": "garage door remote",
            "garage remote": "garage door remote",
            "keypad": "keypad",
            "ev charger": "EV charger",
            "car charger": "car charger",
            "tesla charger": "Tesla charger",
            "charger": "charger",
            "ev charging station": "EV charging station",
            "charging station": "charging station",
        }
    ),
    **_nouns(
        {
            "toilets": "toilets",
            "drains": "drains",
            "pipes": "pipes",
            "faucets": "faucets",
            "vents": "vents",
            "breakers": "breakers",
            "outlets": "outlets",
            "lights": "lights",
            "switches": "switches",
            "springs": "springs",
            "garage door springs": "garage door springs",
            "garage springs": "garage door springs",
            "fuses": "fuses",
        },
        plural=True,
    ),
    **_nouns(
        {
            "electrical": "electrical problem",
            "electrical problem": "electrical problem",
            "electrical issue": "electrical problem",
            "electric problem": "electrical problem",
            "plumbing": "plumbing problem",
            "plumbing problem": "plumbing problem",
            "plumbing issue": "plumbing problem",
            "ac problem": "AC problem",
            "ac issue": "AC problem",
            "hvac problem": "HVAC problem",
            "hvac issue": "HVAC problem",
        },
        alone=True,
    ),
}
# Said before the thing: "your upstairs toilet", "your old water heater".
NOTE_PLACES: dict[str, str] = {
    key: key
    for key in (
        "upstairs",
        "downstairs",
        "kitchen",
        "bathroom",
        "master bathroom",
        "master bath",
        "guest bathroom",
        "guest bath",
        "hall",
        "hallway",
        "basement",
        "attic",
        "outside",
        "outdoor",
        "indoor",
        "front",
        "back",
        "main",
        "laundry",
        "laundry room",
        "bedroom",
        "living room",
        "exterior",
        "old",
        "second floor",
        "main floor",
    )
} | {"2nd floor": "second floor", "outdoors": "outdoor"}
# Said after the rest: "your toilet that keeps running upstairs".
NOTE_TRAILING_PLACES: dict[str, str] = {
    key: key
    for key in (
        "upstairs",
        "downstairs",
        "outside",
        "in the kitchen",
        "in the bathroom",
        "in the master bathroom",
        "in the master bath",
        "in the garage",
        "in the attic",
        "in the basement",
        "in the house",
        "in the yard",
        "in the laundry room",
        "in the hallway",
        "in the bedroom",
        "in the living room",
        "in the ceiling",
        "in the wall",
        "in the closet",
        "in the backyard",
        "in the front yard",
        "in half the house",
        "in part of the house",
        "in the whole house",
        "under the sink",
        "under the kitchen sink",
        "under the bathroom sink",
        "under the house",
    )
} | {
    "in garage": "in the garage",
    "in my house": "in the house",
    "in our house": "in the house",
    "in my kitchen": "in the kitchen",
}


def _states(entries: dict[str, str], *, before: bool) -> dict[str, State]:
    return {key: State(text, before) for key, text in entries.items()}


NOTE_STATES: dict[str, State] = {
    **_states(
        {
            "clogged": "clogged",
            "cloged": "clogged",
            "clogd": "clogged",
            "clogged up": "clogged",
            "leaking": "leaking",
            "leakin": "leaking",
            "leeking": "leaking",
            "leaky": "leaky",
            "broken": "broken",
            "broke": "broken",
            "busted": "broken",
            "frozen": "frozen",
            "frozen up": "frozen",
            "froze up": "frozen",
            "iced up": "frozen",
            "dripping": "dripping",
            "running": "running",
            "sparking": "sparking",
            "overflowing": "overflowing",
            "flickering": "flickering",
            "tripping": "tripping",
            "tripped": "tripped",
            "beeping": "beeping",
            "noisy": "noisy",
            "loud": "loud",
            "squeaky": "squeaky",
            "squeaking": "squeaking",
            "smelly": "smelly",
            "cracked": "cracked",
            "rusty": "rusty",
            "rusted": "rusted",
            "slow": "slow",
            "loose": "loose",
            "wobbly": "wobbly",
            "blown": "blown",
            "bent": "bent",
        },
        before=True,
    ),
    **_states(
        {
            "out": "out",
            "dead": "dead",
            "down": "down",
            "stuck": "stuck",
            "jammed": "jammed",
            "backed up": "backed up",
            "backing up": "backing up",
            "off track": "off track",
            "off the track": "off track",
            "off its track": "off track",
            "off the tracks": "off track",
            "stuck open": "stuck open",
            "stuck closed": "stuck closed",
            "stuck shut": "stuck shut",
            "stuck halfway": "stuck halfway",
            "stuck half way": "stuck halfway",
            "stuck half open": "stuck half open",
            "acting up": "acting up",
            "acting weird": "acting weird",
            "acting funny": "acting funny",
            "on the fritz": "on the fritz",
            "making noise": "making noise",
            "making noises": "making noises",
            "making a noise": "making a noise",
            "making a weird noise": "making a weird noise",
            "making weird noises": "making weird noises",
            "making a loud noise": "making a loud noise",
            "making a strange noise": "making a strange noise",
            "making a grinding noise": "making a grinding noise",
            "making a buzzing noise": "making a buzzing noise",
            "blowing warm air": "blowing warm air",
            "blowing hot air": "blowing hot air",
            "blowing cold air": "blowing cold air",
            "leaking water": "leaking water",
            "shorting out": "shorting out",
            "burned out": "burned out",
            "burnt out": "burned out",
            "smoking": "smoking",
            "hot": "hot",
            "warm": "warm",
        },
        before=False,
    ),
}


def _verbs(*pairs: tuple[str, str]) -> dict[str, Verb]:
    found: dict[str, Verb] = {}
    for base, gerund in pairs:
        verb = Verb(base, gerund)
        found[base] = found[gerund] = verb
    return found


NOTE_VERBS: dict[str, Verb] = _verbs(
    ("cool", "cooling"),
    ("heat", "heating"),
    ("work", "working"),
    ("drain", "draining"),
    ("flush", "flushing"),
    ("open", "opening"),
    ("close", "closing"),
    ("turn on", "turning on"),
    ("turn off", "turning off"),
    ("start", "starting"),
    ("come on", "coming on"),
    ("kick on", "kicking on"),
    ("run", "running"),
    ("stop", "stopping"),
    ("stop running", "stopping running"),
    ("shut off", "shutting off"),
    ("shut down", "shutting down"),
    ("light", "lighting"),
    ("ignite", "igniting"),
    ("spin", "spinning"),
    ("go up", "going up"),
    ("go down", "going down"),
    ("stay on", "staying on"),
    ("stay lit", "staying lit"),
    ("stay closed", "staying closed"),
    ("stay open", "staying open"),
    ("respond", "responding"),
    ("charge", "charging"),
    ("reset", "resetting"),
    ("fill", "filling"),
    ("fill up", "filling up"),
    ("get hot", "getting hot"),
    ("heat up", "heating up"),
    ("cool down", "cooling down"),
    ("move", "moving"),
    ("lock", "locking"),
    ("blow", "blowing"),
    ("blow air", "blowing air"),
    ("blow cold air", "blowing cold air"),
    ("trip", "tripping"),
    ("leak", "leaking"),
    ("drip", "dripping"),
    ("clog", "clogging"),
    ("clog up", "clogging up"),
    ("back up", "backing up"),
    ("beep", "beeping"),
    ("flicker", "flickering"),
    ("go out", "going out"),
    ("go off", "going off"),
    ("freeze", "freezing"),
    ("freeze up", "freezing up"),
    ("ice up", "icing up"),
    ("make noise", "making noise"),
    ("click", "clicking"),
    ("squeak", "squeaking"),
    ("reverse", "reversing"),
    ("get stuck", "getting stuck"),
    ("spark", "sparking"),
    ("overflow", "overflowing"),
    ("cycle", "cycling"),
    ("short cycle", "short cycling"),
    ("lose power", "losing power"),
    ("buzz", "buzzing"),
    ("hum", "humming"),
    ("pop", "popping"),
    ("rattle", "rattling"),
    ("power on", "powering on"),
    ("latch", "latching"),
) | {
    "triping": Verb("trip", "tripping"),
    "tripin": Verb("trip", "tripping"),
    "runing": Verb("run", "running"),
    "leeking": Verb("leak", "leaking"),
    "workin": Verb("work", "working"),
    "coolin": Verb("cool", "cooling"),
    "heatin": Verb("heat", "heating"),
    "shuting off": Verb("shut off", "shutting off"),
    "flickring": Verb("flicker", "flickering"),
}
# The negation, and which form of the verb follows it.
_NEGATIONS: dict[str, str] = {
    **dict.fromkeys(("not", "isn't", "isnt", "is not", "aren't", "arent", "are not"), "is"),
    **dict.fromkeys(
        (
            "won't",
            "wont",
            "will not",
            "can't",
            "cant",
            "cannot",
            "can not",
            "wouldn't",
            "wouldnt",
            "would not",
        ),
        "will",
    ),
    **dict.fromkeys(
        ("doesn't", "doesnt", "does not", "don't", "dont", "do not", "didn't", "didnt"), "does"
    ),
    **dict.fromkeys(("stopped", "quit", "quit on me", "has stopped"), "stopped"),
}
_KEEPS = ("keeps on", "keep on", "keeps", "keep", "kept")
NOTE_PAST: dict[str, str] = {
    "died": "died",
    "quit": "quit",
    "quit on me": "quit",
    "stopped": "stopped",
    "broke": "broke",
    "broke down": "broke down",
    "went out": "went out",
    "gave out": "gave out",
    "conked out": "conked out",
    "burst": "burst",
    "stopped working": "stopped working",
    "quit working": "stopped working",
}
_COPULAS = ("has been", "have been", "is", "are", "was", "were", "been", "seems", "seem")
_ADVERBS = {
    "really",
    "totally",
    "completely",
    "just",
    "still",
    "kinda",
    "very",
    "always",
    "constantly",
    "now",
    "suddenly",
    "randomly",
    "also",
    "all",
}
# Nothing at all: "having no hot water".
NOTE_NO_THINGS: dict[str, str] = {
    "heat": "heat",
    "heating": "heat",
    "ac": "AC",
    "air": "AC",
    "air conditioning": "AC",
    "cooling": "cooling",
    "cool air": "cool air",
    "hot water": "hot water",
    "hotwater": "hot water",
    "power": "power",
    "electricity": "power",
    "water": "water",
    "water pressure": "water pressure",
}
_NO_POWER = ("power out", "power is out", "power outage", "lost power", "power went out")
# Project words: "a panel upgrade", "an EV charger install". Maintenance takes no article.
NOTE_PROJECTS: dict[str, str] = {
    "estimate": "estimate",
    "quote": "quote",
    "install": "install",
    "installation": "installation",
    "instalation": "installation",
    "replacement": "replacement",
    "upgrade": "upgrade",
    "tune up": "tune-up",
    "tune-up": "tune-up",
    "tuneup": "tune-up",
    "inspection": "inspection",
    "check up": "check-up",
    "check-up": "check-up",
    "checkup": "check-up",
    "maintenance": "maintenance",
    "maintenence": "maintenance",
    "maintainance": "maintenance",
}
_HVAC_ONLY_PROJECTS = {"tune-up", "maintenance", "check-up"}
_UNCOUNTED = {"maintenance"}
_REPLACING = ("replace", "replacing", "replacement of", "swap out", "swap", "change out")
_INSTALLING = ("install", "installing", "installation of", "put in", "add", "adding", "hook up")
_QUOTE_WORDS = {
    "estimate": "an estimate",
    "quote": "a quote",
    "price": "a quote",
    "pricing": "a quote",
    "bid": "a quote",
    "cost": "a quote",
}
# The thing and what it needs: "repair my AC", "AC fixed", "AC service".
_NOISE_AFTER = {
    "repair",
    "repairs",
    "fix",
    "fixed",
    "repaired",
    "service",
    "serviced",
    "issue",
    "issues",
    "problem",
    "problems",
    "looked at",
    "checked",
    "checked out",
    "work",
    "help",
}
_LEADING = {
    "hi",
    "hello",
    "hey",
    "hola",
    "please",
    "pls",
    "plz",
    "urgent",
    "emergency",
    "asap",
    "help",
    "need",
    "needs",
    "needed",
    "i",
    "we",
    "have",
    "got",
    "my",
    "our",
    "the",
    "with",
    "issue",
    "issues",
    "problem",
    "problems",
    "trouble",
    "question",
    "about",
    "looking",
    "for",
    "want",
    "wanted",
    "would",
    "like",
    "i'd",
    "id",
    "repair",
    "fix",
    "check",
    "look",
    "at",
    "someone",
    "somebody",
    "can",
    "could",
    "you",
    "to",
    "get",
    "getting",
    "a",
    "an",
    "service",
    "re",
    "on",
    "yes",
    "so",
    "come",
    "out",
    "and",
}
_TAIL = re.compile(
    r"(\s+(again|bad|badly|really bad|real bad|so bad|asap|please|pls|plz|urgent|urgently|now|"
    r"right now|today|tonight|still|help|anymore|any more|lol|thanks|thank you|thx|ty|"
    r"completely|totally|constantly|nonstop|non stop|sometimes|too|all the time|all night|"
    r"all day|at night|a lot|every day|every night|every time|again and again|this morning|"
    r"last night|yesterday|this week|since .*|for (a|an|one|two|three|four|five|several|a few|"
    r"the past|the last|\d+) ?(few )?(days?|weeks?|hours?|months?|minutes?|while|years?)))+$"
)
_NOTE_CLAUSES = re.compile(r"[,.;:!?()\[\]\n]+|\s+[-/&]\s+|\s+(?:and|but|also|plus)\s+")
_VAGUE_NOTES = {
    "question",
    "questions",
    "info",
    "information",
    "inquiry",
    "other",
    "general",
    "contact me",
    "call me",
    "quote request",
    "service request",
}
_EMPTY_NOTES = {"n/a", "na", "none", "-", "test", "nothing", "no note"}
QUOTE_LIMIT = 60
# Letters whose spoken name starts with a vowel sound: "an AC", "an HVAC", "an EV".
_AN_LETTERS = set("aefhilmnorsx")


def describe_note(note: str, job_type: str | None, *, quote: bool = True) -> str:
    """The lead's note as a phrase: "AC not cooling" -> "your AC that isn't cooling".

    Only known words and fixed templates are used, so the phrase is always grammatical. A note
    that fits no template gives "the <job type> you asked about", or, with no job type known,
    the note itself in quotes (shortened), or "your request" when `quote` is false.
    """
    text = re.sub(r"\s+", " ", note).strip()
    if not re.search(r"[a-zA-Z0-9]", text) or text.lower() in _EMPTY_NOTES:
        return need_phrase(job_type) if job_type else "your service request"
    norm = _note_form(text)
    if norm in _VAGUE_NOTES:
        return "your question"
    # The first clause that says something ("hi," and "URGENT!" say nothing) decides.
    said = next((c for c in _NOTE_CLAUSES.split(norm) if c and _strip_ends(c)), "")
    phrase = _note_clause(said, job_type)
    if phrase:
        return phrase
    if job_type in JOB_TYPES:
        return f"the {job_label(job_type)} you asked about"
    if not quote:
        return "your request"
    return f'your request: "{short_quote(text)}"'


def short_quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """The note as written, made safe to quote and cut at a word when it is long."""
    text = re.sub(r"\s+", " ", text.replace('"', "'")).strip().strip("'")
    text = re.sub(r"[\s.!?,;:]+$", "", text)
    if len(text) <= limit:
        return text
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0].rstrip(".!? ")
    if 12 <= len(first) <= limit:
        return first
    cut = text[: limit - 2].rsplit(" ", 1)[0]
    return re.sub(r"[\s.!?,;:'-]+$", "", cut) + "..."


def _note_form(text: str) -> str:
    """Lowercase words, the way the templates read them."""
    low = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    low = re.sub(r"\ba\s*/\s*c\b|\ba\.c\.?(?=\s|$)", "ac", low)
    low = re.sub(r"(?<=[a-z])'s\b", " is", low)
    low = re.sub(r"\b(its|it is|it's)\b", " ", low)
    low = re.sub(r"[^a-z0-9'/&\-,.;:!?()\[\]\n ]", " ", low)
    return re.sub(r"[ \t]+", " ", low).strip()


def _take(words: list[str], at: int, choices: Sequence[str] | dict[str, Any]) -> tuple[str, int]:
    """The longest of `choices` (phrases of words) starting at word `at`, and its length."""
    best = ("", 0)
    for size in range(min(5, len(words) - at), 0, -1):
        phrase = " ".join(words[at : at + size])
        if phrase in choices:
            return phrase, size
    return best


def _strip_ends(clause: str) -> list[str]:
    clause = _TAIL.sub("", " " + clause.strip()).strip()
    words = clause.split()
    while words and words[0] in _LEADING:
        if words[0] == "a" and len(words) > 1 and words[1] in ("new", "quote"):
            words = words[1:]
            continue
        words = words[1:]
    while words and words[-1] in _ADVERBS:
        words = words[:-1]
    return words


def _note_clause(clause: str, job_type: str | None) -> str | None:
    words = _strip_ends(clause)
    if not words:
        return None
    joined = " ".join(words)
    if joined in _NO_POWER:
        return "having no power"
    return (
        _no_thing(words)
        or _quote_for(words, job_type)
        or _project(words, job_type)
        or _thing_phrase(words)
    )


def _no_thing(words: list[str]) -> str | None:
    if words[0] != "no":
        return None
    what, size = _take(words, 1, NOTE_NO_THINGS)
    if not what:
        return None
    place, extra = _take(words, 1 + size, NOTE_TRAILING_PLACES)
    if 1 + size + extra != len(words):
        return None
    tail = f" {NOTE_TRAILING_PLACES[place]}" if place else ""
    return f"having no {NOTE_NO_THINGS[what]}{tail}"


def _quote_for(words: list[str], job_type: str | None) -> str | None:
    if len(words) < 3 or words[0] not in _QUOTE_WORDS or words[1] not in ("for", "on", "to"):
        return None
    rest = words[2:]
    while rest and rest[0] in ("a", "an", "my", "the", "our"):
        rest = rest[1:]
    if not rest:
        return None
    inner = _project(rest, job_type, generic=False) or _thing_phrase(rest, bare=True)
    return f"{_QUOTE_WORDS[words[0]]} for {inner}" if inner else None


def _project(words: list[str], job_type: str | None, *, generic: bool = True) -> str | None:
    first, size = _take(words, 0, _REPLACING)
    if first:
        found = _only_thing(words[size:])
        return f"replacing your {found[0].text}{found[1]}" if found else None
    first, size = _take(words, 0, _INSTALLING)
    if first:
        rest = words[size:]
        while rest and rest[0] in ("a", "an"):
            rest = rest[1:]
        new = bool(rest) and rest[0] == "new"
        found = _only_thing(rest[1:] if new else rest)
        return _installing(found[0], new) + found[1] if found else None
    new = words[0] == "new"
    at = 1 if new else 0
    thing_key, size = _take(words, at, NOTE_THINGS)
    at += size
    projects: list[str] = []
    while at < len(words) and len(projects) < 2:
        key, size = _take(words, at, NOTE_PROJECTS)
        if not key:
            break
        projects.append(NOTE_PROJECTS[key])
        at += size
    thing = NOTE_THINGS.get(thing_key)
    if at < len(words) and words[at] in ("installed", "replaced"):
        if thing is None or thing.alone or projects or at + 1 != len(words):
            return None
        if words[at] == "replaced" and not new:
            return f"replacing your {thing.text}"
        return _installing(thing, new)
    if at != len(words) or not (projects or (new and thing)):
        return None
    if thing is not None and thing.alone:
        return None
    if thing is None and not new:
        if not generic:
            return None
        if set(projects) <= _HVAC_ONLY_PROJECTS and job_type in (None, "hvac_tune_up"):
            return "an HVAC tune-up"
        if len(projects) == 1 and job_type is None and projects[0] not in _UNCOUNTED:
            return f"your {projects[0]} request"
        return None
    parts = (["new"] if new else []) + ([thing.text] if thing else []) + projects
    named = " ".join(parts)
    if not projects and thing is not None and thing.plural:
        return named
    if projects and projects[-1] in _UNCOUNTED:
        return named
    return _a(named)


def _installing(thing: Noun, new: bool) -> str:
    named = f"new {thing.text}" if new else thing.text
    return f"installing {named}" if thing.plural else f"installing {_a(named)}"


def _only_thing(words: list[str]) -> tuple[Noun, str] | None:
    """A thing and nothing else but a place: "my water heater", "EV charger in the garage"."""
    while words and words[0] in ("my", "the", "our", "a", "an", "old"):
        words = words[1:]
    key, size = _take(words, 0, NOTE_THINGS)
    if not key or NOTE_THINGS[key].alone:
        return None
    place = " ".join(words[size:])
    if place and place not in NOTE_TRAILING_PLACES:
        return None
    return NOTE_THINGS[key], f" {NOTE_TRAILING_PLACES[place]}" if place else ""


def _thing_phrase(words: list[str], *, bare: bool = False) -> str | None:
    """ "[state] [place] THING [is] [condition] [trailing place]" as a phrase, else None."""
    at = 0
    before, size = _take(words, at, {k: v for k, v in NOTE_STATES.items() if v.before})
    at += size
    thing_key, size = _take(words, at, NOTE_THINGS)
    place = ""
    if not thing_key:
        place, place_size = _take(words, at, NOTE_PLACES)
        thing_key, size = _take(words, at + place_size, NOTE_THINGS)
        if not place or not thing_key:
            return None
        at += place_size
    thing = NOTE_THINGS[thing_key]
    at += size
    after, size = _take(words, at, NOTE_TRAILING_PLACES)
    if after and at + size < len(words):
        at += size  # "outlet in the kitchen is dead": the place stays with the thing
    else:
        after = ""
    copula, size = _take(words, at, _COPULAS)
    at += size
    while at < len(words) and words[at] in _ADVERBS:
        at += 1
    rest = words[at:]
    trailing = ""
    for cut in range(len(rest) + 1):
        key = " ".join(rest[cut:])
        if key in NOTE_TRAILING_PLACES:
            trailing = NOTE_TRAILING_PLACES[key]
            rest = rest[:cut]
            break
    if rest and " ".join(rest) in _NOISE_AFTER:
        rest = []
    subject = f"{NOTE_PLACES[place]} {thing.text}" if place else thing.text
    if after:
        subject = f"{subject} {NOTE_TRAILING_PLACES[after]}"
        if trailing:
            return None
    tail = f" {trailing}" if trailing else ""
    if not rest:
        if copula:
            return None  # "furnace is" and nothing after it
        state = f"{NOTE_STATES[before].text} " if before else ""
        return f"your {state}{subject}{tail}"
    if thing.alone:
        return None
    condition = _condition(rest, thing.plural)
    if condition is None:
        return None
    kind, said, word = condition
    if bare and kind != "state-before":
        return None
    if kind == "state-before":
        if before or after:
            return None
        return f"your {said} {subject}{tail}"
    state = ""
    if before and NOTE_STATES[before].text != word:
        state = f"{NOTE_STATES[before].text} "
    return f"your {state}{subject} {said}{tail}"


def _condition(words: list[str], plural: bool) -> tuple[str, str, str] | None:
    """What is wrong: (kind, the words after the thing, the key word), or None."""
    whole = " ".join(words)
    that_is = "that are" if plural else "that's"
    if whole in NOTE_STATES:
        state = NOTE_STATES[whole]
        if state.before:
            return "state-before", state.text, state.text
        return "state", f"{that_is} {state.text}", state.text
    if whole in NOTE_PAST:
        return "past", f"that {NOTE_PAST[whole]}", NOTE_PAST[whole]
    alone = NOTE_VERBS.get(whole)
    if alone is not None:
        if whole != alone.base:
            return "state", f"{that_is} {alone.gerund}", alone.gerund
        if plural:
            return "does", f"that {alone.base}", alone.gerund  # "lights flicker"
        return None
    keeps, size = _take(words, 0, _KEEPS)
    if keeps:
        kept = NOTE_VERBS.get(" ".join(words[size:]))
        if kept is None:
            return None
        return "keeps", f"that {'keep' if plural else 'keeps'} {kept.gerund}", kept.gerund
    negation, size = _take(words, 0, _NEGATIONS)
    if not negation:
        return None
    said = " ".join(words[size:])
    verb = NOTE_VERBS.get(said)
    if verb is None:
        return None
    kind = _NEGATIONS[negation]
    gerund_given = said != verb.base
    if kind == "is" and gerund_given:
        return "not", f"that {'aren' if plural else 'isn'}'t {verb.gerund}", verb.gerund
    if kind == "stopped" and gerund_given:
        return "not", f"that stopped {verb.gerund}", verb.gerund
    if gerund_given:
        return None
    if kind == "does":
        return "not", f"that {'don' if plural else 'doesn'}'t {verb.base}", verb.gerund
    if kind in ("will", "is"):
        return "not", f"that won't {verb.base}", verb.gerund
    return None


def _a(text: str) -> str:
    """ "a" or "an" before `text`: "an AC", "an HVAC tune-up", "a unit", "an outlet"."""
    return f"{_article(text)} {text}"


def _article(text: str) -> str:
    word = text.split()[0]
    if word.isupper() and len(word) > 1:
        return "an" if word[0].lower() in _AN_LETTERS else "a"
    low = word.lower()
    if low.startswith(("uni", "use", "usu", "one", "eu")):
        return "a"
    return "an" if low[0] in "aeiou" else "a"


def trades_phrase(skills: Sequence[str]) -> str:
    """ "heating and cooling, plumbing, electrical or garage doors" from the job types offered."""
    trades: list[str] = []
    for code in skills or list(JOB_TYPES):
        job = JOB_TYPES.get(code)
        if job and _TRADE_WORDS[job.trade] not in trades:
            trades.append(_TRADE_WORDS[job.trade])
    return _join(trades, "or")


def _join(items: Sequence[str], word: str = "and", *, serial: bool = False) -> str:
    if len(items) <= 1:
        return "".join(items)
    comma = "," if serial and len(items) > 2 else ""
    return f"{', '.join(items[:-1])}{comma} {word} {items[-1]}"


# --- Times ------------------------------------------------------------------------------------


def _clock(moment: datetime, *, with_suffix: bool) -> str:
    hour = moment.hour % 12 or 12
    text = f"{hour}:{moment.minute:02d}" if moment.minute else str(hour)
    if with_suffix:
        text += "am" if moment.hour < 12 else "pm"
    return text


def time_span(start: datetime, end: datetime) -> str:
    """ "8-10am", "10am-12pm", "12-2pm" (with an en dash) for local times."""
    if (start.hour < 12) == (end.hour < 12):
        return f"{_clock(start, with_suffix=False)}{DASH}{_clock(end, with_suffix=True)}"
    return f"{_clock(start, with_suffix=True)}{DASH}{_clock(end, with_suffix=True)}"


def _spoken_clock(moment: datetime) -> str:
    if moment.hour == 12 and moment.minute == 0:
        return "noon"
    return _clock(moment, with_suffix=False) + (" am" if moment.hour < 12 else " pm")


def window_label(start: datetime, end: datetime, channel: str) -> str:
    """A window in local time: "Wed Mar 4, 8-10am" (SMS) or spoken words (voice)."""
    if channel == VOICE:
        start_words = _spoken_clock(start)
        end_words = _spoken_clock(end)
        if start_words[-3:] == end_words[-3:] and start_words != "noon":
            start_words = start_words[:-3]
        return f"{start:%A}, {start:%B} {start.day}, between {start_words} and {end_words}"
    return f"{start:%a} {start:%b} {start.day}, {time_span(start, end)}"


# --- Messages ---------------------------------------------------------------------------------


def opening(*, company: str, first_name: str, need: str, channel: str) -> str:
    name = greeting_name(first_name)
    if channel == VOICE:
        about = "" if need == "your question" else f" calling about {need}"
        return (
            f"Hi {name}, this is the virtual assistant for {company}{about}. {VOICE_NOTICE} "
            f"{_ask_to_help(need, spoken=True)}"
        )
    about = "" if need == "your question" else f" about {need}"
    return (
        f"Hi {name}, this is the virtual assistant for {company}{about}. "
        f"{_ask_to_help(need, spoken=False)} {STOP_LINE}"
    )


def _ask_to_help(need: str, *, spoken: bool) -> str:
    if need == "your question":
        return "Thanks for reaching out! What can we help you with?"
    if spoken:
        return "Would you like us to get someone out to take a look?"
    return "Would you like us to get someone out?"


def follow_up(*, company: str, first_name: str, need: str, channel: str, touch: int) -> str:
    """A nudge to a lead who has not answered; `need` is always said as "about <need>"."""
    name = greeting_name(first_name)
    if channel == VOICE:
        if touch <= 2:
            return (
                f"Hi {name}, this is the virtual assistant for {company} again, following up "
                f"about {need}. {VOICE_NOTICE} Would you like us to get someone out?"
            )
        if touch == 3:
            return (
                f"Hi {name}, it's the virtual assistant for {company}, calling about {need}. "
                f"{VOICE_NOTICE} We still have arrival windows open. Would you like one?"
            )
        return (
            f"Hi {name}, this is the virtual assistant for {company} with a last check-in "
            f"about {need}. {VOICE_NOTICE} If you still need help, just call or text us back."
        )
    if touch <= 2:
        return (
            f"Hi {name}, just checking in from {company} about {need}. Want us to get someone "
            "out? Reply YES and I'll send you some times."
        )
    if touch == 3:
        return (
            f"{name}, {company} here again about {need}. We'd be glad to find a time that "
            "suits you. Just reply with a day that works."
        )
    return (
        f"Last check-in from {company}, {name}, about {need}: if you still need help, reply "
        "here anytime and we'll get you scheduled."
    )


def intro(*, company: str, first_name: str) -> str:
    """The first words of a reply that opens the conversation (the lead texted first)."""
    return f"Hi {greeting_name(first_name)}, this is the virtual assistant for {company}."


def offer(
    windows: Sequence[tuple[datetime, datetime]],
    channel: str,
    *,
    soonest: bool = True,
    reason: str = "",
    day: str = "",
) -> str:
    """Free windows (local times), soonest first; a plain "yes" books the first one.

    `soonest` says the windows are simply the next free ones, not ones the lead asked for.
    `reason` and `day` say why these are on another day than the one asked for: "We're closed
    on Sundays" and "Monday" give "We're closed on Sundays, but here's what I have Monday:".
    """
    if len(windows) == 1:
        label = window_label(*windows[0], channel)
        if reason:
            joint = ". " if channel == VOICE else ", but "
            opening = label[:1].upper() + label[1:] if channel == VOICE else label
            return f"{reason}{joint}{opening} is open. Should I book it?"
        if soonest:
            return f"The soonest I have is {label}. Should I book it?"
        return f"{label[:1].upper()}{label[1:]} is open. Should I book it?"
    if channel == VOICE:
        lead = f"{reason}. " if reason else ""
        return (
            f"{lead}I have {_spoken_list(windows)}. Should I book the first one, or would "
            "another time work better?"
        )
    numbered = "\n".join(
        f"{i}) {window_label(start, end, channel)}" for i, (start, end) in enumerate(windows, 1)
    )
    heading = f"{reason}, but here's what I have {day}:" if reason else "Here's what I have open:"
    return (
        f"{heading}\n{numbered}\nShould I book #1, the soonest, or would another one work better?"
    )


_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def closed_on(weekdays: Sequence[int]) -> str:
    """ "We're closed on Sundays" (Monday is 0)."""
    names = [f"{_WEEKDAY_NAMES[d]}s" for d in sorted(set(weekdays))]
    return f"We're closed on {_join(names)}"


def nothing_open(day: str) -> str:
    """ "I don't have any openings on Thursday"; "I don't have anything left today"."""
    if day == "today":
        return "I don't have anything left today"
    return f"I don't have any openings {day}"


def _spoken_list(windows: Sequence[tuple[datetime, datetime]]) -> str:
    """ "Wednesday, March 4, 8 to 10 am, 10 am to noon, or noon to 2 pm": one day said once."""
    pieces: list[str] = []
    last_day = None
    for start, end in windows:
        span = _spoken_span(start, end)
        if start.date() != last_day:
            span = f"{start:%A}, {start:%B} {start.day}, {span}"
            last_day = start.date()
        pieces.append(span)
    return _join(pieces, "or", serial=True)


def _spoken_span(start: datetime, end: datetime) -> str:
    start_words = _spoken_clock(start)
    end_words = _spoken_clock(end)
    if start_words[-3:] == end_words[-3:] and start_words != "noon":
        start_words = start_words[:-3]
    return f"{start_words} to {end_words}"


def noted() -> str:
    return "Thanks, got it!"


def no_match() -> str:
    return "I don't have an opening that matches that."


def pick_prompt(count: int, channel: str) -> str:
    if channel == VOICE:
        return "Which of those times works best for you?"
    choices = _join([str(i) for i in range(1, count + 1)], "or")
    return f"Which time works best? Just reply {choices}."


def booked(*, label: str, company: str, channel: str, ask_address: bool) -> str:
    if channel == VOICE:
        text = (
            f"You're all set for {label}. The technician will text you when they're on the way. "
            f"Thanks for choosing {company}!"
        )
    else:
        text = f"You're booked: {label}. A technician will text when on the way."
    if ask_address:
        text += " What's the service address?"
    return text


def arrival_answer(label: str, channel: str) -> str:
    """When the technician comes, asked after the booking."""
    if channel == VOICE:
        return f"The technician will arrive {label}, and will text you when they're on the way."
    return f"Your technician arrives {label} and will text you when on the way."


def still_booked(label: str) -> str:
    return f"You're all set for {label}."


def after_booking(*, label: str, thanks: bool, noted: bool, phone: str) -> str:
    if noted:
        return f"Thanks, got it! See you {label}."
    if thanks:
        return f"You're welcome! See you {label}."
    contact = f" call us at {phone}" if phone else " reply here"
    return f"Thanks! You're all set for {label}. If anything changes,{contact}."


def ask_need(skills: Sequence[str], channel: str) -> str:
    verb = "Tell me" if channel == VOICE else "Just let me know"
    return f"Happy to help! What do you need help with: {trades_phrase(skills)}? {verb}."


def prompt_for_service(need: str) -> str:
    return f"Would you like us to get someone out for {need}?"


def greet_back(first_name: str, need: str) -> str:
    name = first_name.strip()
    hello = f"Hi {name}!" if name else "Hi!"
    return f"{hello} {prompt_for_service(need)}"


# --- Answers ----------------------------------------------------------------------------------


def job_label(job_type: str) -> str:
    """The job type's label inside a sentence: "leak repair", "AC repair", "HVAC tune-up"."""
    words = label_of(job_type).split()
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)


def price_answer(prices: dict[str, str], job_type: str | None) -> str:
    if job_type and prices.get(job_type):
        return f"For {job_label(job_type)}: {prices[job_type].rstrip('.')}."
    diagnostic = prices.get("diagnostic") or prices.get("service_call")
    if job_type and diagnostic:
        return (
            f"The technician will quote {job_label(job_type)} on site before any work; "
            f"the diagnostic visit is {diagnostic.rstrip('.')}."
        )
    if job_type:
        return (
            f"The technician will give you an exact quote for {job_label(job_type)} on "
            "site before any work starts, or a team member can quote it for you."
        )
    return "Prices depend on the job. What do you need done? I'll tell you what it costs."


def brand_answer(brands: Sequence[str], named: Sequence[str], others: Sequence[str]) -> str:
    if named:
        text = f"Yes, we service {_join(list(named))}."
        if others:
            text += f" {_join(list(others)).title()} isn't on our usual list; the tech can check."
        return text
    if others and brands:
        return (
            f"{_join(list(others)).title()} isn't on our usual list (we service "
            f"{_join(list(brands))}), but the technician can take a look."
        )
    if brands:
        return f"We service {_join(list(brands))}, and most other common brands."
    return "We work on most common brands; the technician can confirm for yours."


def hours_answer(business_hours: str) -> str:
    if business_hours:
        return f"Our hours: {business_hours.rstrip('.')}."
    return "Our office will be glad to tell you our hours."


def area_summary(zips: Sequence[str]) -> str:
    """ "78701-78759, 78613 and 78660": consecutive ZIPs collapsed into ranges."""
    numbers = sorted({int(z) for z in zips if z.isdigit()})
    runs: list[str] = []
    start = prev = None
    for number in [*numbers, None]:
        if number is not None and prev is not None and number == prev + 1:
            prev = number
            continue
        if start is not None and prev is not None:
            if prev - start >= 2:
                runs.append(f"{start:05d}{DASH}{prev:05d}")
            else:
                runs.extend(f"{n:05d}" for n in range(start, prev + 1))
        start = prev = number
    if len(runs) > 8:
        return ", ".join(runs[:8]) + " and nearby"
    return _join(runs)


def area_answer(zips: Sequence[str], zip_code: str | None) -> str:
    if zip_code and zip_code in zips:
        return f"Yes, {zip_code} is in our service area."
    if not zips:
        return "We cover the whole area around our office."
    return f"We serve ZIP codes {area_summary(zips)}. What's your ZIP code?"


def bot_answer(company: str, *, offer_person: bool, why: str = "") -> str:
    """Honest about being an assistant; `why` (why_contacted) goes before any question."""
    text = f"I'm the virtual assistant for {company}, not a person."
    if why:
        text += f" {why}"
    if offer_person:
        return text + " Would you like someone from our office to contact you instead?"
    return text + " I can answer questions and book a visit right here."


def why_contacted(company: str, need: str, *, texted_first: bool) -> str:
    """Why the agent is in touch: the lead's own request."""
    if texted_first:
        return f"You texted {company}, and I'm here to help."
    if need == "your question":
        return f"You reached out to {company}, so I'm following up."
    return f"You reached out to {company} about {need}, so I'm following up."


def sympathy() -> str:
    return "Sorry to hear that!"


def skill_answer(need: str) -> str:
    return f"Yes, we can help with {need}."


def general_question() -> str:
    return (
        "Of course, ask away! I can help with prices, the brands we service, our hours and "
        "scheduling a visit."
    )


def office_answer(phone: str) -> str:
    if phone:
        return f"Good question! Our office can help with that at {phone}."
    return "Good question! Our office can help with that."


def not_now() -> str:
    return "No problem! Just reply here whenever you're ready and we'll get you scheduled."


def no_person_needed() -> str:
    return "No problem, I'm happy to help right here."


def cannot_hand_over(phone: str) -> str:
    contact = f" You can also call our office at {phone}." if phone else ""
    return f"I'm the virtual assistant and I can help right here.{contact}"


def sorry_upset() -> str:
    return "I'm sorry about that, and I've noted it for our office."


# --- Endings ----------------------------------------------------------------------------------


def escalate_human() -> str:
    return "Of course. I'll have someone from our office reach out to you shortly."


def escalate_reschedule() -> str:
    return "No problem. I'll have someone from our office reach out to change your appointment."


def escalate_anger(first_name: str) -> str:
    name = f", {first_name.strip()}" if first_name.strip() else ""
    return (
        f"I'm really sorry about that{name}. I'm passing this to our office right now, and a "
        "manager will reach out to you shortly."
    )


def escalate_skill(what: str, company: str) -> str:
    return (
        f"Thanks for asking! {what[:1].upper() + what[1:]} isn't something I can book for "
        f"{company}, so I'm passing this to our office and a team member will get back to you."
    )


def decline_skill(what: str, company: str, skills: Sequence[str]) -> str:
    return (
        f"Sorry, {what} isn't something {company} handles. If you ever need "
        f"{trades_phrase(skills)} work, just text us."
    )


def escalate_availability(horizon_days: int) -> str:
    return (
        f"I don't see an open arrival window in the next {horizon_days} days, so a team member "
        "will reach out to schedule you."
    )


def escalate_no_other_times(horizon_days: int) -> str:
    return (
        f"Those are the only times I have in the next {horizon_days} days, so a team member "
        "will reach out to find one that works for you."
    )


def no_availability(phone: str) -> str:
    contact = f"call our office at {phone}" if phone else "reply here"
    return f"I don't see an open arrival window right now. Please {contact} to find a time."


def escalate_agent_issue() -> str:
    return "Sorry for the trouble. I'm passing this to our office, and someone will reach out."


def outside_area(zip_code: str, city: str) -> str:
    place = f"{zip_code} ({city})" if city else zip_code
    return (
        f"Thanks for reaching out! Unfortunately {place} is outside our service area, so we "
        "can't send a technician there. Sorry about that!"
    )


def declined(company: str) -> str:
    return f"No problem, thanks for letting us know! If anything comes up, {company} is here."


def clarify(stage: str, count: int, channel: str, *, question: bool = False) -> str:
    """A clarifying question that says what kind of answer would help."""
    if question:
        return _UNSURE + " " + clarify(stage, count, channel).removeprefix(_MISSED + " ")
    if stage == "offered":
        if channel == VOICE:
            return "Sorry, I didn't catch that. Which time works best, the first, second or third?"
        return (
            f"Sorry, I didn't catch that. Which time works? Reply 1 to {max(count, 1)}, or a day."
        )
    if stage == "need":
        return (
            "Sorry, I didn't catch that. What do you need help with, for example AC, heating, "
            "a leak, a drain, electrical or a garage door?"
        )
    if channel == VOICE:
        return "Sorry, I didn't catch that. Would you like us to get someone out? Yes or no?"
    return "Sorry, I didn't catch that. Would you like us to get someone out? Reply YES or NO."


_MISSED = "Sorry, I didn't catch that."
_UNSURE = "I'm not sure about that one, but our office can tell you."


def booking_taken() -> str:
    return "Sorry, that time was just taken."

"""Field finding 1: the opening's paraphrase of the lead's note is grammatical by construction.

Every phrase the agent puts after "about" must fit one of the templates below, each slot
filled only with the words writing.py knows (things, states, verbs, places, projects). A note
that fits none of them is named by its job type or quoted as written, never half-parsed into
broken English ("about your running toilet keeps").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pytest

from leadline.agent import writing
from leadline.agent.rules_brain import RulesBrain
from leadline.agent.understanding import detect_need
from leadline.capacity.job_types import JOB_TYPES
from tests.agent.helpers import conversation


def alt(words: Iterable[str]) -> str:
    """A regex alternation of these exact words, longest first."""
    ordered = sorted(set(words), key=len, reverse=True)
    return "(?:" + "|".join(re.escape(w) for w in ordered) + ")"


THINGS = writing.NOTE_THINGS.values()
ONE = alt(n.text for n in THINGS if not n.plural and not n.alone)
MANY = alt(n.text for n in THINGS if n.plural)
ALONE = alt(n.text for n in THINGS if n.alone)
PLACE = alt(writing.NOTE_PLACES.values())
TRAIL = alt(writing.NOTE_TRAILING_PLACES.values())
BEFORE = alt(s.text for s in writing.NOTE_STATES.values() if s.before)
AFTER = alt(s.text for s in writing.NOTE_STATES.values() if not s.before)
BASE = alt(v.base for v in writing.NOTE_VERBS.values())
GERUND = alt(v.gerund for v in writing.NOTE_VERBS.values())
PAST = alt(writing.NOTE_PAST.values())
NO_THING = alt(writing.NOTE_NO_THINGS.values())
PROJECT = alt(writing.NOTE_PROJECTS.values())
LABELS = alt(writing.job_label(code) for code in JOB_TYPES)

# What may follow a singular / a plural thing: verbs agree with it.
AFTER_ONE = (
    rf"that(?:'s (?:{AFTER}|{GERUND})| isn't {GERUND}| won't {BASE}| doesn't {BASE}"
    rf"| keeps {GERUND}| stopped {GERUND}| {PAST})"
)
AFTER_MANY = (
    rf"that(?: are (?:{AFTER}|{GERUND})| aren't {GERUND}| won't {BASE}| don't {BASE}"
    rf"| keep {GERUND}| stopped {GERUND}| {PAST}| {BASE})"
)


def thing_phrase(thing: str, condition: str) -> str:
    return rf"your (?:{BEFORE} )?(?:{PLACE} )?{thing}(?: {TRAIL})?(?: {condition})?(?: {TRAIL})?"


ARTICLE = r"(?:a|an)"
PROJECT_PHRASE = (
    rf"(?:{ARTICLE} )?(?:new )?(?:(?:{ONE}|{MANY}) )?{PROJECT}(?: {PROJECT})?"
    rf"|{ARTICLE} new {ONE}|new {MANY}"
)
CHANGE_PHRASE = (
    rf"replacing your (?:{ONE}|{MANY})(?: {TRAIL})?"
    rf"|installing (?:{ARTICLE} (?:new )?{ONE}|(?:new )?{MANY})(?: {TRAIL})?"
)
TEMPLATES = [
    re.compile(pattern)
    for pattern in (
        thing_phrase(ONE, AFTER_ONE),
        thing_phrase(MANY, AFTER_MANY),
        rf"your {ALONE}",
        rf"having no {NO_THING}(?: {TRAIL})?",
        PROJECT_PHRASE,
        CHANGE_PHRASE,
        rf"(?:a quote|an estimate) for (?:{PROJECT_PHRASE}|{CHANGE_PHRASE}|your {ONE}|your {MANY})",
        rf"your {PROJECT} request",
        rf"the {LABELS} you asked about",
        r'your request: "[^"]{1,60}"',
        r"your question",
        r"your service request",
    )
]

SMS_OPENING = re.compile(
    r"Hi Dana, this is the virtual assistant for Lone Star Comfort Pros about (?P<phrase>.+)\. "
    r"Would you like us to get someone out\? Reply STOP to opt out\."
)
VOICE_OPENING = re.compile(
    r"Hi Dana, this is the virtual assistant for Lone Star Comfort Pros calling about "
    r"(?P<phrase>.+)\. This call may be recorded\. .+ Would you like us to get someone out to "
    r"take a look\?"
)

# Realistic notes, as they arrive from web forms and the API.
NOTES = [
    "running toilet keeps running",
    "breaker keeps tripping",
    "tune up",
    "water heater leaking",
    "",
    "   ",
    "AC NOT COOLING!!!",
    "WATER HEATER LEAKING IN GARAGE",
    "furnance wont turn on",
    "toliet is runing",
    "Breaker keeps triping!!",
    "ac not coolin",
    "My AC stopped cooling yesterday and it is really hot in here, we have a newborn please "
    "send someone as soon as you can",
    "Hello, I'd like somebody to come look at the crawlspace vapor barrier under our house "
    "before we sell it next month please",
    "Need someone to come out and check why the upstairs bedroom is always 5 degrees warmer "
    "than downstairs, also noisy vents in the hallway",
    "drain is clogged bad",
    "Toilet clogged & overflowing",
    "garage door stuck halfway",
    "garage door off track...",
    "lights keep flickering",
    "lights flicker",
    "outlets not working",
    "outlet in the kitchen is dead",
    "no hot water",
    "No heat upstairs!",
    "power out",
    "AC out",
    "my a/c quit",
    "heater blowing cold air",
    "ac unit making a weird noise",
    "hi, my ac is blowing warm air",
    "EV charger install",
    "install EV charger in garage",
    "Need a quote for a new water heater",
    "replace my water heater",
    "new ac",
    "HVAC maintenance",
    "hvac tuneup plz",
    "panel upgrade",
    "breaker box upgrade 200 amp",
    "water heater replacement estimate",
    "estimate",
    "question",
    "n/a",
    "pool pump broke",
    "GENERATOR WONT START",
    'my husband said "it\'s the capacitor" lol',
    "sink draining slow",
    "thermostat blank???",
    "water everywhere from the ceiling!!",
    "garage door makes loud noise when opening",
    "opener clicking but door won't move",
    "kitchen sink leaking - please call after 5",
    "can u look at sump pump??",
]


QUESTION_OPENING = re.compile(
    r"Hi Dana, this is the virtual assistant for Lone Star Comfort Pros\. .*Thanks for reaching "
    r"out! What can we help you with\?.*"
)


def phrase_of(note: str, channel: str = "sms") -> str:
    decision = RulesBrain().opening(conversation(note=note, opened=False, channel=channel))
    if QUESTION_OPENING.fullmatch(decision.reply or ""):
        return "your question"
    pattern = VOICE_OPENING if channel == "voice" else SMS_OPENING
    match = pattern.fullmatch(decision.reply or "")
    assert match, decision.reply
    return match.group("phrase")


def articles_agree(phrase: str) -> bool:
    """ "an" before a vowel sound (an AC, an HVAC tune-up, an outlet), "a" before the rest."""
    for article, word in re.findall(r"\b(a|an) (\S+)", phrase.split(": ")[0]):
        if word.isupper() and len(word) > 1:
            vowel = word[0] in "AEFHILMNORSX"
        else:
            vowel = word[0] in "aeiou" and not word.startswith(("uni", "use", "one"))
        if (article == "an") != vowel:
            return False
    return True


def test_there_are_at_least_twenty_five_notes() -> None:
    assert len(NOTES) >= 25
    assert any(len(note) > 100 for note in NOTES)


@pytest.mark.parametrize("note", NOTES)
def test_opening_paraphrase_is_grammatical_by_construction(note: str) -> None:
    phrase = phrase_of(note)
    assert any(t.fullmatch(phrase) for t in TEMPLATES), phrase
    assert articles_agree(phrase), phrase
    assert len(phrase) <= 80, phrase


@pytest.mark.parametrize("note", NOTES)
def test_voice_opening_paraphrase_is_grammatical_by_construction(note: str) -> None:
    phrase = phrase_of(note, channel="voice")
    assert any(t.fullmatch(phrase) for t in TEMPLATES), phrase


@pytest.mark.parametrize("note", NOTES)
def test_follow_ups_name_the_note_without_quoting_it(note: str) -> None:
    brain = RulesBrain()
    for touch in (2, 3, 4):
        text = brain.follow_up(conversation(note=note, opened=False), touch).reply or ""
        phrase = re.search(r"about (.+?)(?:\. |: |$)", text)
        assert phrase, text
        assert '"' not in text
        said = phrase.group(1)
        assert said == "your request" or any(t.fullmatch(said) for t in TEMPLATES), text


@pytest.mark.parametrize(
    ("note", "phrase"),
    [
        ("running toilet keeps running", "your toilet that keeps running"),
        ("breaker keeps tripping", "your breaker that keeps tripping"),
        ("tune up", "an HVAC tune-up"),
        ("water heater leaking", "your leaking water heater"),
        ("AC NOT COOLING!!!", "your AC that isn't cooling"),
        ("WATER HEATER LEAKING IN GARAGE", "your leaking water heater in the garage"),
        ("furnance wont turn on", "your furnace that won't turn on"),
        ("Breaker keeps triping!!", "your breaker that keeps tripping"),
        ("lights keep flickering", "your lights that keep flickering"),
        ("outlets not working", "your outlets that aren't working"),
        ("no hot water", "having no hot water"),
        ("drain is clogged bad", "your clogged drain"),
        ("install EV charger in garage", "installing an EV charger in the garage"),
        ("Need a quote for a new water heater", "a quote for a new water heater"),
        ("hvac tuneup plz", "an HVAC tune-up"),
        ("new ac", "a new AC"),
        ("", "your service request"),
        ("question", "your question"),
        ("pool pump broke", 'your request: "pool pump broke"'),
        ("GENERATOR WONT START", 'your request: "GENERATOR WONT START"'),
        ("garage door makes loud noise when opening", "the garage door repair you asked about"),
    ],
)
def test_opening_paraphrase_of_known_notes(note: str, phrase: str) -> None:
    assert phrase_of(note) == phrase


def test_acronyms_stay_upper_case() -> None:
    for note in ("ev charger install", "hvac tune up", "ac out", "gfci not working"):
        phrase = phrase_of(note)
        assert re.search(r"\b(EV|HVAC|AC|GFCI)\b", phrase), phrase
        assert not re.search(r"\b(ev|hvac|ac|gfci)\b", phrase), phrase


def test_a_long_note_that_fits_nothing_is_quoted_shortened_at_a_word() -> None:
    note = NOTES[13]
    assert len(note) > 100
    assert detect_need(note).job_type is None
    phrase = phrase_of(note)
    quoted = re.fullmatch(r'your request: "(.+)"', phrase)
    assert quoted, phrase
    text = quoted.group(1)
    assert len(text) <= writing.QUOTE_LIMIT
    assert text.endswith("...")
    assert note.startswith(text.removesuffix("..."))
    assert not text.removesuffix("...").endswith((" ", ","))


def test_a_long_note_with_a_job_uses_its_first_clause_or_the_job_type() -> None:
    assert phrase_of(NOTES[12]) == "your AC that stopped cooling"
    assert phrase_of(NOTES[14]) == "the AC repair you asked about"


def test_quotes_inside_a_note_do_not_break_the_quote() -> None:
    phrase = phrase_of('my husband said "it\'s the capacitor" lol')
    assert phrase.count('"') == 2

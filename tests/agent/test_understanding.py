"""Reading lead messages: job types, answers, choices, times, questions, mood."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from leadline.agent.understanding import (
    Understanding,
    detect_need,
    parse_ordinal,
    parse_when,
    sentiment_score,
    understand,
)
from leadline.demo import reference
from tests.agent.helpers import CHICAGO

TODAY = date(2026, 3, 3)  # a Tuesday


def read(text: str) -> Understanding:
    return understand(text, today=TODAY, brands=reference.BRANDS)


@pytest.mark.parametrize(
    ("text", "job_type"),
    [
        ("AC not cooling", "ac_repair"),
        ("my air conditioner is blowing warm air", "ac_repair"),
        ("a/c wont turn on", "ac_repair"),
        ("the air conditioning quit", "ac_repair"),
        ("furnace not heating", "heating_repair"),
        ("heater stopped working", "heating_repair"),
        ("no heat in the house", "heating_repair"),
        ("my furnance is making a noise", "heating_repair"),
        ("water heater", "water_heater_repair"),
        ("no hot water since last night", "water_heater_repair"),
        ("water heater leaking from the bottom", "water_heater_repair"),
        ("replace water heater", "water_heater_replacement_estimate"),
        ("looking for a new tankless water heater", "water_heater_replacement_estimate"),
        ("tune up", "hvac_tune_up"),
        ("need annual maintenance on my system", "hvac_tune_up"),
        ("new system", "hvac_replacement_estimate"),
        ("want to replace my AC, its 20 years old", "hvac_replacement_estimate"),
        ("leaking pipe", "leak_repair"),
        ("pipe under the kitchen sink is dripping", "leak_repair"),
        ("faucet drips all night", "leak_repair"),
        ("drain clogged", "drain_cleaning"),
        ("shower wont drain", "drain_cleaning"),
        ("sewer backed up into the tub", "drain_cleaning"),
        ("toilet keeps running", "toilet_repair"),
        ("toliet is wobbly", "toilet_repair"),
        ("breaker keeps tripping", "electrical_repair"),
        ("outlet in the kitchen is dead", "electrical_repair"),
        ("no power in half the house", "electrical_repair"),
        ("lights are flickering", "electrical_repair"),
        ("panel upgrade", "panel_upgrade_estimate"),
        ("need a new breaker box", "panel_upgrade_estimate"),
        ("EV charger install", "ev_charger_estimate"),
        ("want a tesla charger in the garage", "ev_charger_estimate"),
        ("garage door stuck halfway", "garage_door_repair"),
        ("broken spring on the garage", "garage_door_repair"),
        ("garage door came off track", "garage_door_repair"),
        ("garage door opener", "garage_door_opener"),
        ("the opener stopped working", "garage_door_opener"),
        ("garage remote doesnt work", "garage_door_opener"),
        ("new garage door", "garage_door_replacement_estimate"),
        ("want to replace our garage door", "garage_door_replacement_estimate"),
    ],
)
def test_job_type_keywords(text: str, job_type: str) -> None:
    assert detect_need(text).job_type == job_type


@pytest.mark.parametrize(
    ("text", "outside"),
    [
        ("Do you do pest control? We have termites", "pest control"),
        ("roaches in the kitchen", "pest control"),
        ("quote for solar panels", "solar"),
        ("roof is leaking", "roofing"),
        ("pool pump is broken", "pools and spas"),
        ("fridge stopped cooling", "appliance repair"),
        ("washer is leaking everywhere", "appliance repair"),
        ("need sprinkler repair", "landscaping"),
        ("AC at our restaurant", "commercial properties"),
    ],
)
def test_work_outside_every_job_type(text: str, outside: str) -> None:
    assert detect_need(text).outside == outside


def test_outside_words_do_not_leak_into_job_types() -> None:
    assert detect_need("roof leak").job_type is None
    assert detect_need("solar panel quote").job_type is None
    assert detect_need("the fridge is leaking").job_type is None
    assert detect_need("fridge broke and the ac is dead").job_type == "ac_repair"


def test_heat_wave_is_not_a_heating_job() -> None:
    assert detect_need("this heat is killing me, AC is dead").job_type == "ac_repair"


def test_nothing_recognised_gives_no_job() -> None:
    assert detect_need("question").job_type is None
    assert detect_need("repeat repair").job_type is None


@pytest.mark.parametrize(
    "text",
    [
        "yes",
        "Yes please!",
        "yea",
        "yup",
        "yep",
        "ya",
        "sure thing",
        "ok sounds good",
        "sí",
        "si por favor",
        "Definitely",
        "k",
        "hey yes",
        "absolutely",
        "go ahead",
    ],
)
def test_yes(text: str) -> None:
    assert read(text).yes


@pytest.mark.parametrize("text", ["no", "nah", "nope", "No.", "naw"])
def test_no(text: str) -> None:
    understood = read(text)
    assert understood.no
    assert not understood.yes


@pytest.mark.parametrize(
    "text", ["no heat at all", "no one showed up", "no hot water", "not sure", "no problem"]
)
def test_words_starting_with_no_that_are_not_a_no(text: str) -> None:
    understood = read(text)
    assert not understood.no
    assert not understood.yes


@pytest.mark.parametrize(
    ("text", "ordinal"),
    [
        ("the second one", 2),
        ("The first one works for me", 1),
        ("#2", 2),
        ("2", 2),
        ("3 please", 3),
        ("option two", 2),
        ("1 works", 1),
        ("yes 2", 2),
        ("last one", -1),
        ("the 3rd", 3),
        ("2nd", 2),
        ("el primero", 1),
    ],
)
def test_ordinal_choice(text: str, ordinal: int) -> None:
    assert parse_ordinal(text.lower()) == ordinal


@pytest.mark.parametrize(
    "text",
    [
        "2pm",
        "at 2",
        "10-12",
        "Maybe, I have some questions first",
        "hold on a second",
        "first time customer",
        "2nd floor toilet",
        "last friday nobody came",
        "I'm in 78745",
    ],
)
def test_not_an_ordinal(text: str) -> None:
    assert parse_ordinal(text.lower()) is None


@pytest.mark.parametrize(
    "text",
    [
        "earliest",
        "What's the earliest you have?",
        "soonest please",
        "first available",
        "asap",
        "as soon as possible",
        "The earliest time is fine",
        "whatever you have",
        "lo antes posible",
    ],
)
def test_earliest(text: str) -> None:
    assert read(text).earliest


def at(hour: int, minute: int = 0, day: int = 4) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=CHICAGO)


@pytest.mark.parametrize(
    ("text", "start", "end", "fits"),
    [
        ("10-12", at(10), at(12), True),
        ("10-12", at(8), at(10), False),
        ("10 to 12", at(10), at(12), True),
        ("10am-12pm", at(10), at(12), True),
        ("between 12 and 2", at(12), at(14), True),
        ("12-2pm", at(12), at(14), True),
        ("8am", at(8), at(10), True),
        ("8am", at(10), at(12), False),
        ("at 2", at(14), at(16), True),
        ("at 2", at(12), at(14), False),
        ("2pm", at(14), at(16), True),
        ("around 10", at(10), at(12), True),
        ("after 1", at(14), at(16), True),
        ("after 1", at(12), at(14), False),
        ("before noon", at(10), at(12), True),
        ("before noon", at(12), at(14), False),
        ("morning", at(10), at(12), True),
        ("morning", at(12), at(14), False),
        ("afternoon", at(12), at(14), True),
        ("afternoon", at(8), at(10), False),
        ("tomorrow", at(8), at(10), True),
        ("tomorrow", at(8, day=5), at(10, day=5), False),
        ("tomorrow morning", at(8), at(10), True),
        ("tmrw afternoon", at(8), at(10), False),
        ("Thursday", at(8, day=5), at(10, day=5), True),
        ("Thursday", at(8), at(10), False),
        ("thurs am", at(10, day=5), at(12, day=5), True),
        ("wed 8am", at(8), at(10), True),
        ("friday at 2", at(14, day=6), at(16, day=6), True),
        ("3/5", at(8, day=5), at(10, day=5), True),
        ("March 6th", at(8, day=6), at(10, day=6), True),
        ("next week", at(8, day=9), at(10, day=9), True),
        ("next week", at(8, day=5), at(10, day=5), False),
        ("manana en la manana", at(8), at(10), True),
        ("don't come before 10", at(10), at(12), True),
        ("don't come before 10", at(8), at(10), False),
        ("no later than 2", at(12), at(14), True),
    ],
)
def test_days_and_times(text: str, start: datetime, end: datetime, fits: bool) -> None:
    when = parse_when(text.lower(), TODAY)
    assert not when.is_empty
    assert when.matches(start, end) is fits


@pytest.mark.parametrize(
    "text",
    [
        "my AC is blowing hot air",
        "we have 2 units",
        "123 Main St Austin TX 78704",
        "call 512-555-0100",
        "I'm in 78745",
        "been waiting 3 days",
    ],
)
def test_no_time_read_into_other_numbers(text: str) -> None:
    assert parse_when(text.lower(), TODAY).is_empty


def test_this_morning_is_today_in_the_morning() -> None:
    when = parse_when("yes please, this morning if possible", TODAY)
    assert when.dates == (TODAY,)
    assert when.part == "morning"


@pytest.mark.parametrize(
    "text",
    [
        "I'd prefer to speak with someone from your office",
        "can I talk to a real person",
        "call me",
        "Can you call me at 512-555-0143?",
        "give me a call",
        "human please",
        "i want to talk to a manager",
        "have someone call me",
        "representative",
    ],
)
def test_human_request(text: str) -> None:
    assert read(text).human_request


@pytest.mark.parametrize(
    "text", ["is this a bot?", "are you a real person?", "Am I texting with a robot", "who is this"]
)
def test_bot_question_is_not_a_request_for_a_person(text: str) -> None:
    understood = read(text)
    assert understood.bot_question
    assert not understood.human_request


def test_call_me_when_on_the_way_is_not_a_request_for_a_person() -> None:
    assert not read("call me when you're on the way").human_request


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("STOP", "keyword"),
        ("stop.", "keyword"),
        ("Unsubscribe", "keyword"),
        ("END", "keyword"),
        ("stop texting me", "words"),
        ("please remove me from your list", "words"),
        ("don't call this number again", "words"),
        ("no más", "words"),
        ("leave me alone", "words"),
    ],
)
def test_opt_out(text: str, kind: str) -> None:
    understood = read(text)
    assert understood.opt_out
    assert understood.opt_out_kind == kind


def test_wrong_number() -> None:
    assert read("wrong number").wrong_number
    assert read("Sorry, you have the wrong person").wrong_number


@pytest.mark.parametrize(
    "text", ["my AC stopped working", "cancel my appointment please", "the end of the pipe leaks"]
)
def test_words_inside_a_sentence_are_not_opt_outs(text: str) -> None:
    assert not read(text).opt_out


@pytest.mark.parametrize(
    "text",
    [
        "no thanks, already fixed",
        "we went with someone else",
        "not interested",
        "no gracias",
        "nevermind, it's working again",
        "all set, thanks",
        "my husband fixed it",
        "we don't need it anymore",
    ],
)
def test_decline(text: str) -> None:
    assert read(text).decline


def test_a_choice_is_not_a_decline() -> None:
    assert not read("i'm good with the first one").decline


@pytest.mark.parametrize(
    ("text", "zip_code"),
    [
        ("I'm in 78745", "78745"),
        ("123 Main St Austin TX 77002", "77002"),
        ("zip is 78704-1234", "78704"),
    ],
)
def test_stated_zip(text: str, zip_code: str) -> None:
    assert read(text).zip_code == zip_code


def test_a_number_that_is_no_zip_code() -> None:
    assert read("budget is $12000").zip_code is None
    assert read("it's 99999 degrees").zip_code is None


def test_street_address() -> None:
    assert read("123 Main St Austin TX 77002").address


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("how much is it?", "price_question"),
        ("what do you charge for a tune up", "price_question"),
        ("do you service Trane units?", "brand_question"),
        ("what brands do you work on", "brand_question"),
        ("what are your hours", "hours_question"),
        ("are you open on sunday?", "hours_question"),
        ("do you cover 78660?", "area_question"),
        ("do you service round rock", "area_question"),
        ("do you fix garage doors?", "skill_question"),
    ],
)
def test_questions(text: str, flag: str) -> None:
    assert getattr(read(text), flag)


def test_brand_named_as_configured() -> None:
    assert read("do you work on liftmaster openers").brands_named == ("LiftMaster",)
    assert read("what about a york unit").other_brands == ("york",)


def test_anger_at_the_business() -> None:
    text = (
        "Honestly your company has been awful. Nobody showed up Friday and I'm done wasting my time"
    )
    assert read(text).angry(-0.5)


@pytest.mark.parametrize(
    "text",
    [
        "your tech never showed up, worst service ever",
        "you guys are a scam",
        "f*** you",
        "your company sucks",
        "you people ripped me off",
    ],
)
def test_more_anger_at_the_business(text: str) -> None:
    assert read(text).angry(-0.5)


@pytest.mark.parametrize(
    "text",
    [
        "this heat is killing me, AC is dead",
        "my ac is fucking dead and its 100 degrees",
        "ugh worst week ever, the toilet overflowed",
        "I'm miserable, no heat and a baby at home",
    ],
)
def test_frustration_with_the_broken_thing_is_not_anger(text: str) -> None:
    assert not read(text).angry(-0.5)


def test_sentiment_is_one_signal_among_complaint_phrases() -> None:
    assert sentiment_score("Nobody showed up Friday") < -0.5
    assert sentiment_score("thanks so much, great service") == 0.0


def test_greetings_and_thanks_are_understood() -> None:
    for text in ["Hello, this is Hana", "hey", "thanks", "ok", "Yes, thank you"]:
        assert read(text).understood, text


def test_gibberish_is_not_understood() -> None:
    for text in ["asdfgh", "the purple one with the thing", "hmm"]:
        assert not read(text).understood, text

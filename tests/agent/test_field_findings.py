"""Field-test findings 2 to 7, one rule each (finding 1 is in test_opening_phrases.py)."""

from __future__ import annotations

import inspect
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from leadline.agent import policy
from leadline.agent.rules_brain import RulesBrain
from leadline.agent.types import (
    Action,
    Brain,
    Conversation,
    EscalationReason,
    Turn,
    WindowOption,
)
from leadline.agent.understanding import (
    closed_weekdays,
    detect_need,
    normalize,
    parse_when,
    understand,
)
from leadline.demo import reference
from tests.agent.helpers import (
    CHICAGO,
    FakeCapacity,
    company,
    conversation,
    dialogue,
    windows_from,
)
from tests.agent.test_rules_brain import offered_state

TODAY = date(2026, 3, 3)  # a Tuesday, as in helpers.NOW


def angry(text: str) -> bool:
    return understand(text, today=TODAY).angry(-0.5)


# --- 2. Anger needs a target: the business, its people or its service ---------------------

FRUSTRATION_ABOUT_THE_PROBLEM = [
    "drain is clogged bad",
    "drain is clogged bad can you guys come today",
    "toilet is overflowing this is a nightmare",
    "worst week ever, the AC died",
    "ugh the garage door is stuck again!!!",
    "the water heater is leaking everywhere, this is terrible",
    "my furnace is awful, it keeps shutting off",
    "this stupid breaker keeps tripping, I hate it",
    "the AC is making a horrible noise, can y'all send someone",
    "I'm so frustrated, the toilet keeps running all night",
    "sick of this garage door opener, it never works",
    "damn thing is leaking again",
    "it's ridiculous how hot it is in here, the ac is useless",
    "worst timing ever, the furnace died on the coldest night",
    "this is a disaster, water everywhere from the pipe under the sink",
    "can you guys hurry, it's really bad, water all over the floor",
    "terrible leak in the ceiling, you guys available today?",
    "y'all are lifesavers, the AC is dead and it's awful in here",
    "the last company never showed up so I'm trying you guys",
    "the previous plumber ripped us off, hoping you guys are better",
    "this is the worst, no hot water with 3 kids",
    "horrible smell coming from the drain, disgusting",
    "I'm pissed, the breaker tripped and fried my TV",
]
ANGER_AT_THE_BUSINESS = [
    "Honestly your company has been awful. Nobody showed up Friday and I'm done wasting my time",
    "your tech never showed up and nobody called, this is ridiculous",
    "you guys overcharged me last time, I want a refund",
    "your technician was rude and left a mess",
    "you people are a joke, been waiting all day",
    "worst service ever, the guy you sent broke my door",
    "y'all stood me up twice, unbelievable",
    "you ripped me off on the last repair",
    "your office is useless, nobody answers the phone",
    "I'm calling the BBB, your crew lied to me",
    "the plumber you sent made it worse and charged me $400, unacceptable",
    "you guys charged me $400 and it broke again, total rip off",
    "the AC you guys installed is garbage, worst company ever",
]


def test_there_are_enough_anger_examples() -> None:
    assert len(FRUSTRATION_ABOUT_THE_PROBLEM) >= 15
    assert len(ANGER_AT_THE_BUSINESS) >= 10


@pytest.mark.parametrize("text", FRUSTRATION_ABOUT_THE_PROBLEM)
def test_anger_needs_a_target_frustration_about_the_problem_is_not_anger(text: str) -> None:
    assert not angry(text)
    decision = RulesBrain().respond(conversation(text, note="drain clogged"))
    assert decision.reason != EscalationReason.NEGATIVE_SENTIMENT, decision.reply


@pytest.mark.parametrize("text", ANGER_AT_THE_BUSINESS)
def test_anger_needs_a_target_anger_at_the_business_escalates(text: str) -> None:
    assert angry(text)
    decision = RulesBrain().respond(conversation(text))
    assert decision.action == Action.ESCALATE
    assert decision.reason == EscalationReason.NEGATIVE_SENTIMENT


def test_anger_needs_a_target_bad_words_about_the_thing_do_not_count() -> None:
    understood = understand("drain is clogged bad", today=TODAY)
    assert understood.sentiment < -0.5  # negative, about the drain
    assert understood.sentiment_at_us == 0.0
    assert not understood.anger_target


# --- 3. Anything mentioning a water heater is a water heater job --------------------------


@pytest.mark.parametrize(
    ("text", "job_type"),
    [
        ("water heater leaking", "water_heater_repair"),
        ("leaking water heater", "water_heater_repair"),
        ("Water heater is leaking all over the garage floor", "water_heater_repair"),
        ("hot water heater leaking from the bottom", "water_heater_repair"),
        ("water heather leaks", "water_heater_repair"),
        ("leak coming from the water heater closet", "water_heater_repair"),
        ("pipe on top of the water heater is dripping", "water_heater_repair"),
        ("the toilet is running and the water heater is leaking", "water_heater_repair"),
        ("AC not cooling and the water heater is leaking", "water_heater_repair"),
        ("tankless is leaking", "water_heater_repair"),
        ("drain valve on the water heater won't close", "water_heater_repair"),
        ("need to replace the water heater, it's leaking", "water_heater_replacement_estimate"),
        ("new water heater", "water_heater_replacement_estimate"),
        ("water heater leaking, want a new one", "water_heater_replacement_estimate"),
        ("water heater is leaking, can you fix it", "water_heater_repair"),
    ],
)
def test_water_heater_mentioned_is_a_water_heater_job(text: str, job_type: str) -> None:
    assert detect_need(text).job_type == job_type


def test_water_heater_job_is_kept_when_the_lead_only_describes_the_leak() -> None:
    first, second = dialogue(
        ["hola yes its leaking everywhere in the garage, how much do u charge?", "1"],
        note="water heater leaking",
    )
    assert first.state["job_type"] == "water_heater_repair"
    assert "water heater repair" in (first.reply or "")
    assert second.action == Action.BOOK
    assert second.job_type == "water_heater_repair"


def test_water_heater_job_is_kept_but_a_new_thing_changes_the_job() -> None:
    kept = RulesBrain().respond(
        conversation("the breaker for it keeps tripping too", note="water heater not heating")
    )
    assert kept.state["job_type"] == "water_heater_repair"
    changed = RulesBrain().respond(
        conversation("actually its the toilet thats leaking", note="water heater")
    )
    assert changed.state["job_type"] == "toilet_repair"


# --- 4. Choosing a window by its hour; ways of writing tomorrow ---------------------------

# Offered: 1) Wed 10am-12pm (id 2), 2) Wed 12-2pm (id 3), 3) Wed 2-4pm (id 4).
BY_HOUR = (2, 3, 4)


@pytest.mark.parametrize(
    ("text", "window_id"),
    [
        ("the 10 one", 2),
        ("the 10am one", 2),
        ("10 oclock", 2),
        ("10 o'clock works", 2),
        ("the one at 12", 3),
        ("the 12 one pls", 3),
        ("2pm slot", 4),
        ("the 2pm one", 4),
        ("ill take the 12 slot", 3),
    ],
)
def test_window_picked_by_its_starting_hour(text: str, window_id: int) -> None:
    decision = RulesBrain().respond(conversation("yes", text, state=offered_state(*BY_HOUR)))
    assert decision.action == Action.BOOK, decision.reply
    assert decision.window_id == window_id


def test_window_picked_by_its_starting_hour_prefers_the_window_starting_then() -> None:
    # Overlapping windows 9-11 and 10-12: "the 10 one" is the one that starts at 10.
    day = date(2026, 3, 4)

    def window(i: int, start: int, end: int) -> WindowOption:
        return WindowOption(
            i,
            datetime(day.year, day.month, day.day, start, tzinfo=CHICAGO),
            datetime(day.year, day.month, day.day, end, tzinfo=CHICAGO),
        )

    windows = [window(1, 9, 11), window(2, 10, 12)]
    state = {
        "stage": "offered",
        "job_type": "ac_repair",
        "offered": [
            {
                "window_id": w.window_id,
                "start": w.starts_at.isoformat(),
                "end": w.ends_at.isoformat(),
            }
            for w in windows
        ],
    }
    state["shown"] = list(state["offered"])
    decision = RulesBrain().respond(
        conversation("yes", "the 10 one", state=state, capacity=FakeCapacity(windows=windows))
    )
    assert decision.window_id == 2


@pytest.mark.parametrize(
    "text", ["tmrw", "tmr", "2morrow", "tomorow", "mañana", "can u come tmrw", "mañana x favor"]
)
def test_tomorrow_spelled_as_people_text_it(text: str) -> None:
    assert parse_when(normalize(text), TODAY).dates == (TODAY + timedelta(days=1),)


def test_this_aft_is_this_afternoon() -> None:
    when = parse_when(normalize("can someone come this aft"), TODAY)
    assert when.dates == (TODAY,)
    assert when.part == "afternoon"


def test_la_manana_is_the_morning_not_tomorrow() -> None:
    when = parse_when(normalize("por la mañana"), TODAY)
    assert when.dates == ()
    assert when.part == "morning"


@pytest.mark.parametrize("text", ["tmrw", "tmr", "2morrow", "tomorow", "mañana"])
def test_tomorrow_spelled_as_people_text_it_picks_tomorrows_window(text: str) -> None:
    # Offered: Wed 8-10am (tomorrow), Wed 2-4pm, Thu 10am-12pm.
    decision = RulesBrain().respond(conversation("yes", text, state=offered_state(1, 4, 6)))
    assert decision.action == Action.BOOK
    assert decision.window_id == 1


# --- 5. A day the company is closed is said plainly ---------------------------------------

SATURDAY_EVENING = datetime(2026, 4, 11, 19, 40, tzinfo=CHICAGO)


def saturday_capacity() -> FakeCapacity:
    return FakeCapacity(windows=windows_from(start=date(2026, 4, 13)))


def test_closed_day_is_said_plainly_tomorrow_on_a_saturday() -> None:
    first, second = dialogue(
        ["ok can u come tmrw morning", "the 10 one"],
        note="water heater leaking",
        now=SATURDAY_EVENING,
        capacity=saturday_capacity(),
    )
    assert first.action == Action.NONE
    assert first.reply == (
        "We're closed on Sundays, but here's what I have Monday:\n"
        "1) Mon Apr 13, 8-10am\n2) Mon Apr 13, 10am-12pm\n"
        "Should I book #1, the soonest, or would another one work better?"
    )
    assert second.action == Action.BOOK
    booked = second.state["booked"]["start"]
    assert booked.startswith("2026-04-13T10:00")


def test_closed_day_is_said_plainly_when_sunday_is_asked_for() -> None:
    decision = RulesBrain().respond(conversation("yes", "sunday?", state=offered_state(1, 2, 3)))
    reply = decision.reply or ""
    assert reply.startswith("We're closed on Sundays, but here's what I have Monday:\n")
    assert "1) Mon Mar 9, 8-10am" in reply
    assert "I don't have an opening that matches that" not in reply


def test_closed_day_is_said_plainly_on_a_call() -> None:
    decision = RulesBrain().respond(
        conversation("yes", "can you come sunday", state=offered_state(1, 2, 3), channel="voice")
    )
    assert (decision.reply or "").startswith(
        "We're closed on Sundays. I have Monday, March 9, 8 to 10 am"
    )


def test_a_full_day_that_is_not_closed_says_there_are_no_openings() -> None:
    windows = [w for w in windows_from() if w.starts_at.date() != date(2026, 3, 5)]
    decision = RulesBrain().respond(
        conversation(
            "yes", "thursday?", state=offered_state(1, 2, 3), capacity=FakeCapacity(windows)
        )
    )
    assert (decision.reply or "").startswith(
        "I don't have any openings on Thursday, but here's what I have Friday:\n1) Fri Mar 6"
    )


def test_nothing_left_today_offers_tomorrow_in_the_part_of_the_day_asked() -> None:
    decision = RulesBrain().respond(
        conversation("yes", "can someone come this aft", state=offered_state(1, 2, 3))
    )
    assert decision.reply == (
        "I don't have anything left today, but here's what I have tomorrow:\n"
        "1) Wed Mar 4, 12-2pm\n2) Wed Mar 4, 2-4pm\n"
        "Should I book #1, the soonest, or would another one work better?"
    )


@pytest.mark.parametrize(
    ("hours", "closed"),
    [
        (reference.BUSINESS_HOURS, {6}),
        ("Mon-Fri 8-5, Sat 9-1", {6}),
        ("Mon-Fri 8am-5pm", {5, 6}),
        ("Monday through Friday 8 to 5, closed weekends", {5, 6}),
        ("Open 7 days a week", set()),
        ("24/7 emergency service", set()),
        ("Open daily 8-8, closed Sundays and holidays", {6}),
        ("", set()),
    ],
)
def test_closed_days_read_from_the_business_hours(hours: str, closed: set[int]) -> None:
    assert closed_weekdays(hours) == closed


def test_closed_day_unknown_from_the_hours_still_says_there_is_nothing_that_day() -> None:
    decision = RulesBrain().respond(
        conversation(
            "yes",
            "sunday?",
            state=offered_state(1, 2, 3),
            profile=company(business_hours="Call us anytime"),
        )
    )
    assert (decision.reply or "").startswith(
        "I don't have any openings on Sunday, but here's what I have Monday:"
    )


# --- 6. booking_failed is part of the Brain protocol ---------------------------------------


def test_booking_failed_is_part_of_the_brain_protocol() -> None:
    method = Brain.__dict__.get("booking_failed")
    assert method is not None
    assert "window" in (method.__doc__ or "")
    assert list(inspect.signature(method).parameters) == ["self", "conversation", "window_id"]
    brain: Brain = RulesBrain()
    assert callable(brain.booking_failed)


def test_booking_failed_is_called_directly_by_the_policy() -> None:
    source = inspect.getsource(policy._booking_failed)
    assert "get_brain().booking_failed(" in source
    assert "getattr" not in source


def lost_window_conversation(**kwargs: Any) -> Conversation:
    state = offered_state(1, 2, 3)
    # What the policy hands over: the BOOK decision's state, window 1 dropped from the offer.
    state.update(stage="booked", booked=state["offered"][0], offered=state["offered"][1:])
    return conversation("yes", "1", state=state, **kwargs)


def test_booking_failed_says_so_and_offers_other_windows() -> None:
    decision = RulesBrain().booking_failed(lost_window_conversation(), 1)
    assert decision.action == Action.NONE
    reply = decision.reply or ""
    assert reply.startswith("Sorry, that time was just taken. Here's what I have open:\n")
    assert [w["window_id"] for w in decision.state["offered"]] == [2, 3, 4]
    assert decision.state["stage"] == "offered"
    assert decision.state["booked"] is None
    assert "window_taken" in decision.intents


def test_booking_failed_with_nothing_left_hands_over_for_availability() -> None:
    only = windows_from()[:1]
    decision = RulesBrain().booking_failed(
        lost_window_conversation(capacity=FakeCapacity(windows=only)), 1
    )
    assert decision.action == Action.ESCALATE
    assert decision.reason == EscalationReason.AVAILABILITY


def test_booking_failed_then_the_lead_picks_again() -> None:
    brain = RulesBrain()
    conv = lost_window_conversation()
    again = brain.booking_failed(conv, 1)
    turns = (*conv.turns, Turn("agent", again.reply or "", conv.now), Turn("lead", "1", conv.now))
    decision = brain.respond(replace(conv, turns=turns, state=again.state))
    assert decision.action == Action.BOOK
    assert decision.window_id == 2


# --- 7. Only a clear yes books #1 after an offer; after a booking, brief answers -----------


@pytest.mark.parametrize(
    "text", ["yes", "yes please", "that works", "sure", "ok book it", "sounds good", "ok", "yep!"]
)
def test_only_a_clear_yes_books_the_first_window(text: str) -> None:
    decision = RulesBrain().respond(conversation("yes", text, state=offered_state(1, 2, 3)))
    assert decision.action == Action.BOOK, decision.reply
    assert decision.window_id == 1


@pytest.mark.parametrize(
    "text", ["ok thanks", "thanks", "ok thx", "great thanks", "ok ty", "thank you!", "got it"]
)
def test_only_a_clear_yes_books_the_first_window_thanks_asks_which(text: str) -> None:
    decision = RulesBrain().respond(conversation("yes", text, state=offered_state(1, 2, 3)))
    assert decision.action == Action.NONE, decision.reply
    assert decision.reply == "Which time works best? Just reply 1, 2 or 3."
    assert decision.state["stage"] == "offered"


def booked_state() -> dict[str, Any]:
    state = offered_state(1, 2, 3)
    state.update(stage="booked", booked=state["offered"][0])
    return state


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("ok thanks", "You're welcome! See you Wed Mar 4, 8-10am."),
        ("thx!!", "You're welcome! See you Wed Mar 4, 8-10am."),
        (
            "what time will the tech get here?",
            "Your technician arrives Wed Mar 4, 8-10am and will text you when on the way.",
        ),
        (
            "will they call before coming",
            "Your technician arrives Wed Mar 4, 8-10am and will text you when on the way.",
        ),
        (
            "do i need to be home?",
            "Your technician arrives Wed Mar 4, 8-10am and will text you when on the way.",
        ),
        (
            "do you take checks?",
            "Good question! Our office can help with that at (512) 555-0100.",
        ),
        (
            "should i turn the unit off until then?",
            "Good question! Our office can help with that at (512) 555-0100. You're all set "
            "for Wed Mar 4, 8-10am.",
        ),
    ],
)
def test_after_booking_thanks_and_questions_get_brief_answers(text: str, reply: str) -> None:
    decision = RulesBrain().respond(conversation("yes", "1", text, state=booked_state()))
    assert decision.action == Action.NONE
    assert decision.reply == reply
    assert decision.state["stage"] == "booked"


def test_after_booking_a_price_question_gets_the_price() -> None:
    decision = RulesBrain().respond(
        conversation("yes", "1", "how much is it", state=booked_state())
    )
    assert decision.reply == f"For AC repair: {reference.PRICES['ac_repair']}."


# --- The field-test conversations, played through the brain --------------------------------


def test_s56_water_heater_saturday_night_books_the_10am_monday_window() -> None:
    decisions = dialogue(
        [
            "hola yes its leaking everywhere in the garage, how much do u charge?",
            "ok can u come tmrw morning",
            "the 10 one",
        ],
        first_name="Maria",
        zip_code="78741",
        note="water heater leaking",
        now=SATURDAY_EVENING,
        capacity=saturday_capacity(),
    )
    price, closed, booked = decisions
    assert "quote for water heater repair on site" in (price.reply or "")
    assert (closed.reply or "").startswith(
        "We're closed on Sundays, but here's what I have Monday:"
    )
    assert booked.action == Action.BOOK
    assert booked.job_type == "water_heater_repair"
    assert (
        booked.reply
        == "You're booked: Mon Apr 13, 10am-12pm. A technician will text when on the way."
    )


def test_s57_breaker_opening_reads_well_and_no_mas_opts_out() -> None:
    brain = RulesBrain()
    opening = brain.opening(
        conversation(note="breaker keeps tripping", first_name="Tom", opened=False)
    )
    assert opening.reply == (
        "Hi Tom, this is the virtual assistant for Lone Star Comfort Pros about your breaker that "
        "keeps tripping. Would you like us to get someone out? Reply STOP to opt out."
    )
    who, no_mas = dialogue(["who is this", "no más por favor"], note="breaker keeps tripping")
    assert "virtual assistant" in (who.reply or "")
    assert no_mas.action == Action.OPT_OUT


def test_s58_inbound_heat_is_killing_me_is_not_anger_and_books_the_earliest() -> None:
    decisions = dialogue(
        [
            "my AC is blowing warm air and its 95 in here, this heat is killing me",
            "78745",
            "earliest",
        ],
        goal="inbound_sms",
        first_name="Luis",
        zip_code="",
        note="",
    )
    assert [d.action for d in decisions] == [Action.NONE, Action.NONE, Action.BOOK]
    assert decisions[2].job_type == "ac_repair"


# --- What the made-up conversations (s59-s64) showed -------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "ya its been doing it since sunday",
        "it broke monday",
        "last friday nobody came",
        "it quit working saturday",
        "started acting up this past thursday",
    ],
)
def test_a_day_in_the_past_is_not_a_day_asked_for(text: str) -> None:
    assert parse_when(normalize(text), TODAY).dates == ()


def test_a_day_in_the_past_next_to_a_day_asked_for() -> None:
    when = parse_when(normalize("it quit working saturday, can u do monday am"), TODAY)
    assert when.dates == (date(2026, 3, 9), date(2026, 3, 16))
    assert when.part == "morning"


def test_why_we_are_in_touch_is_answered_from_the_note() -> None:
    decision = RulesBrain().respond(
        conversation("whos this? how did u get my number", note="toilet running nonstop")
    )
    assert decision.reply == (
        "I'm the virtual assistant for Lone Star Comfort Pros, not a person. You reached out to "
        "us about your running toilet, so I'm following up. Would you like someone from our "
        "office to contact you instead?"
    )
    alone = RulesBrain().respond(conversation("what is this about?", note="AC not cooling"))
    assert (alone.reply or "").startswith(
        "You reached out to Lone Star Comfort Pros about your AC that isn't cooling, so I'm "
        "following up."
    )


def test_frustration_about_the_problem_gets_a_word_of_sympathy_once() -> None:
    first, second = dialogue(
        ["ugh this stupid AC died AGAIN, worst week ever. can u guys come today??", "ugh ok 1"]
    )
    assert (first.reply or "").startswith("Sorry to hear that! ")
    assert first.action == Action.NONE
    assert "Sorry to hear that" not in (second.reply or "")

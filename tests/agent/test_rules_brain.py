"""The rules brain: one test per rule, and the example scenarios' conversations."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from leadline.agent.rules_brain import RulesBrain
from leadline.agent.types import Action, EscalationReason, WindowOption
from leadline.demo import reference
from tests.agent.helpers import (
    NOW,
    FakeCapacity,
    company,
    conversation,
    dialogue,
    rules,
    say,
    windows_from,
)

WED_8 = "Wed Mar 4, 8-10am"


def offered_state(*ids: int, job_type: str = "ac_repair") -> dict[str, Any]:
    """State right after the brain offered these windows (ids of windows_from())."""
    by_id = {w.window_id: w for w in windows_from()}
    shown = [
        {
            "window_id": i,
            "start": by_id[i].starts_at.isoformat(),
            "end": by_id[i].ends_at.isoformat(),
        }
        for i in ids
    ]
    return {"stage": "offered", "job_type": job_type, "offered": shown, "shown": list(shown)}


# --- The example scenarios ------------------------------------------------------------------


def test_p01_books_the_first_window_after_asking_for_the_earliest() -> None:
    first, second = dialogue(
        ["Yes please! What's the earliest you have?", "The first one works for me"]
    )
    assert first.action == Action.NONE
    assert "1) " + WED_8 in (first.reply or "")
    assert {"yes", "ask_earliest", "job:ac_repair"} <= set(first.intents) | {"job:ac_repair"}
    assert second.action == Action.BOOK
    assert second.window_id == 1
    assert second.job_type == "ac_repair"
    assert second.reply == f"You're booked: {WED_8}. A technician will text when on the way."


def test_p02_stop_opts_out_without_a_reply() -> None:
    decision = say("STOP", note="water heater", first_name="Ray")
    assert decision.action == Action.OPT_OUT
    assert decision.reply is None
    assert decision.reason == "keyword"


def test_p03_asking_for_someone_from_the_office_escalates() -> None:
    decision = say("I'd prefer to speak with someone from your office", note="panel upgrade")
    assert decision.action == Action.ESCALATE
    assert decision.reason == EscalationReason.HUMAN_REQUEST


def test_p04_lead_outside_the_service_area_is_dismissed_before_any_offer() -> None:
    capacity = FakeCapacity()
    decision = say(
        "yes I need someone today", zip_code="77002", note="drain clogged", capacity=capacity
    )
    assert decision.action == Action.DISMISS
    assert decision.reason == "outside_service_area"
    assert "77002" in (decision.reply or "")
    assert capacity.calls == []


def test_p06_pest_control_escalates_as_outside_the_skills() -> None:
    decision = say("Do you do pest control? We have termites", note="question")
    assert decision.action == Action.ESCALATE
    assert decision.reason == EscalationReason.SKILL_HANDLING
    assert "Pest control" in (decision.reply or "")


def test_p07_no_free_window_escalates_for_availability() -> None:
    decision = say(
        "Yes, can someone come out?", note="furnace not heating", capacity=FakeCapacity(windows=[])
    )
    assert decision.action == Action.ESCALATE
    assert decision.reason == EscalationReason.AVAILABILITY
    assert "team member will reach out" in (decision.reply or "")


def test_p08_upset_with_the_company_escalates_for_negative_sentiment() -> None:
    decision = say(
        "Honestly your company has been awful. Nobody showed up Friday and I'm done wasting "
        "my time",
        note="repeat repair",
    )
    assert decision.action == Action.ESCALATE
    assert decision.reason == EscalationReason.NEGATIVE_SENTIMENT
    assert "angry" in decision.intents


def test_p09_wanting_to_ask_questions_first_keeps_the_conversation_open() -> None:
    decision = say("Maybe, I have some questions first", note="water heater replacement estimate")
    assert decision.action == Action.NONE
    assert "ask away" in (decision.reply or "")


def test_p11_morning_wish_that_cannot_be_met_still_books_the_earliest() -> None:
    now = NOW + timedelta(hours=20)  # Wednesday 10:15 am
    capacity = FakeCapacity(windows=windows_from(after=now + timedelta(hours=4)))
    first, second = dialogue(
        ["yes please, this morning if possible", "earliest is fine"],
        note="leaking pipe",
        now=now,
        capacity=capacity,
    )
    assert first.action == Action.NONE
    assert (first.reply or "").startswith(
        "I don't have anything left today, but here's what I have tomorrow:\n"
        "1) Thu Mar 5, 8-10am\n2) Thu Mar 5, 10am-12pm\n"
    )
    assert second.action == Action.BOOK
    assert second.window_id == capacity.windows[0].window_id
    assert second.job_type == "leak_repair"


def test_p12_voice_books_on_the_earliest_and_thanks_changes_nothing() -> None:
    decisions = dialogue(
        [
            "Hello, this is Hana",
            "Yes, the opener stopped working. Can someone come out?",
            "The earliest time is fine",
            "Yes, thank you",
        ],
        channel="voice",
        first_name="Hana",
        note="garage door opener",
        zip_code="78759",
    )
    assert [d.action for d in decisions] == [Action.NONE, Action.NONE, Action.BOOK, Action.NONE]
    assert decisions[2].job_type == "garage_door_opener"
    assert "1)" not in (decisions[1].reply or "")
    assert "Wednesday, March 4, 8 to 10 am" in (decisions[1].reply or "")
    assert (decisions[3].reply or "").startswith("You're welcome")


def test_p13_brand_question_after_an_offer_is_answered_and_steers_back() -> None:
    first, second = dialogue(["hey yes", "do you service Trane units?"], note="AC")
    assert first.action == Action.NONE
    assert second.action == Action.NONE
    assert "Yes, we service Trane." in (second.reply or "")
    assert "Which time works best?" in (second.reply or "")


def test_p14_inbound_first_reply_names_the_business_and_books_on_earliest() -> None:
    first, second = dialogue(
        ["Hi do you fix garage doors? Mine is stuck halfway", "earliest please"],
        goal="inbound_sms",
        first_name="Joy",
        zip_code="78745",
        note="",
    )
    reply = first.reply or ""
    assert reply.startswith("Hi Joy, this is the virtual assistant for Lone Star Comfort Pros.")
    assert reply.endswith("Reply STOP to opt out.")
    assert "Yes, we can help with your garage door." in reply
    assert second.action == Action.BOOK
    assert second.job_type == "garage_door_repair"


# --- Opening and follow-ups ---------------------------------------------------------------


def test_opening_greets_names_the_company_refers_to_the_note_and_says_stop() -> None:
    decision = RulesBrain().opening(conversation(opened=False))
    reply = decision.reply or ""
    assert reply.startswith("Hi Dana, ")
    assert "Lone Star Comfort Pros" in reply
    assert "your AC that isn't cooling" in reply
    assert reply.endswith("Reply STOP to opt out.")
    assert len(reply) < 300
    assert decision.state["job_type"] == "ac_repair"


def test_voice_opening_is_spoken_with_the_recording_notice() -> None:
    reply = RulesBrain().opening(conversation(opened=False, channel="voice")).reply or ""
    assert reply.startswith(
        "Hi Dana, this is the virtual assistant for Lone Star Comfort Pros calling about your AC "
        "that isn't cooling."
    )
    assert "This call may be recorded." in reply
    assert "say stop at any time" in reply
    assert "Reply STOP" not in reply


def test_opening_without_a_useful_note_asks_how_to_help() -> None:
    reply = RulesBrain().opening(conversation(opened=False, note="question")).reply or ""
    assert "What can we help you with?" in reply


def test_follow_ups_are_short_different_and_name_the_company() -> None:
    brain = RulesBrain()
    texts = [brain.follow_up(conversation(opened=False), touch).reply or "" for touch in (2, 3, 4)]
    assert len(set(texts)) == 3
    for text in texts:
        assert "Lone Star Comfort Pros" in text
        assert len(text) < 200


def test_opening_called_again_after_a_touch_gives_the_next_follow_up() -> None:
    brain = RulesBrain()
    decision = brain.opening(conversation())
    assert decision.intents == ("follow_up:2",)


# --- Offering windows ---------------------------------------------------------------------


def test_wanting_service_offers_three_numbered_windows_and_remembers_them() -> None:
    capacity = FakeCapacity()
    decision = say("yes", capacity=capacity)
    assert capacity.calls == [("ac_repair", 3)]
    reply = decision.reply or ""
    assert f"1) {WED_8}\n2) Wed Mar 4, 10am-12pm\n3) Wed Mar 4, 12-2pm" in reply
    assert decision.state["stage"] == "offered"
    assert [w["window_id"] for w in decision.state["offered"]] == [1, 2, 3]
    assert decision.state["offered"][0]["start"] == "2026-03-04T08:00:00-06:00"
    json.dumps(decision.state)


def test_windows_are_written_in_the_company_time_zone() -> None:
    start = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
    window = WindowOption(7, start, start + timedelta(hours=2))
    decision = say("yes", capacity=FakeCapacity(windows=[window]))
    assert "Wed Mar 4, 8-10am" in (decision.reply or "")
    assert "Should I book it?" in (decision.reply or "")


def test_windows_beyond_the_horizon_are_not_offered() -> None:
    far = windows_from(start=(NOW + timedelta(days=20)).date())
    decision = say("yes", capacity=FakeCapacity(windows=far))
    assert decision.action == Action.ESCALATE
    assert decision.reason == EscalationReason.AVAILABILITY


def test_earliest_said_plainly_books_the_soonest_window_at_once() -> None:
    decision = say("earliest please")
    assert decision.action == Action.BOOK
    assert decision.window_id == 1


def test_a_day_that_was_not_offered_is_searched_for() -> None:
    capacity = FakeCapacity()
    first = say("yes", capacity=capacity)
    decision = RulesBrain().respond(
        conversation("yes", "can you do friday?", state=first.state, capacity=capacity)
    )
    assert capacity.calls[-1] == ("ac_repair", 20)
    assert decision.action == Action.NONE
    assert "1) Fri Mar 6, 8-10am" in (decision.reply or "")
    assert all(w["start"].startswith("2026-03-06") for w in decision.state["offered"])


def test_a_time_nobody_has_says_so_and_offers_what_there_is() -> None:
    decision = RulesBrain().respond(
        conversation("yes", "thursday at 5?", state=offered_state(1, 2, 3))
    )
    reply = decision.reply or ""
    assert reply.startswith("I don't have an opening that matches that.")
    assert "1) Thu Mar 5, 8-10am" in reply


def test_none_of_those_offers_the_next_windows() -> None:
    decision = RulesBrain().respond(
        conversation("yes", "none of those work for me", state=offered_state(1, 2, 3))
    )
    assert decision.action == Action.NONE
    assert [w["window_id"] for w in decision.state["offered"]] == [4, 5, 6]


def test_no_other_window_left_escalates_for_availability() -> None:
    capacity = FakeCapacity(windows=windows_from()[:3])
    decision = RulesBrain().respond(
        conversation("yes", "nah", state=offered_state(1, 2, 3), capacity=capacity)
    )
    assert decision.action == Action.ESCALATE
    assert decision.reason == EscalationReason.AVAILABILITY


def test_disabled_availability_rule_replies_without_escalating() -> None:
    profile = company(escalation_rules=rules(availability={"enabled": False}))
    decision = say("yes", profile=profile, capacity=FakeCapacity(windows=[]))
    assert decision.action == Action.NONE
    assert "call our office at (512) 555-0100" in (decision.reply or "")


# --- Choosing a window --------------------------------------------------------------------

# Offered: 1) Wed 8-10am, 2) Wed 2-4pm (id 4), 3) Thu 10am-12pm (id 6).
MIXED = (1, 4, 6)


@pytest.mark.parametrize(
    ("text", "window_id"),
    [
        ("the second one", 4),
        ("The first one works for me", 1),
        ("#2", 4),
        ("3", 6),
        ("option 3 please", 6),
        ("last one", 6),
        ("earliest", 1),
        ("first available", 1),
        ("soonest is fine", 1),
        ("Thursday", 6),
        ("thurs works", 6),
        ("tomorrow", 1),
        ("tomorrow afternoon", 4),
        ("morning", 1),
        ("afternoon works better", 4),
        ("10-12", 6),
        ("10 to 12", 6),
        ("8am", 1),
        ("at 2", 4),
        ("2pm pls", 4),
        ("yes", 1),
        ("sure thing", 1),
        ("ok sounds good", 1),
        ("yup that works", 1),
        ("sí", 1),
        ("the thursday one", 6),
    ],
)
def test_window_choice(text: str, window_id: int) -> None:
    decision = RulesBrain().respond(conversation("yes", text, state=offered_state(*MIXED)))
    assert decision.action == Action.BOOK, decision.reply
    assert decision.window_id == window_id
    assert decision.job_type == "ac_repair"
    assert decision.state["stage"] == "booked"


def test_asking_what_the_earliest_is_proposes_it_without_booking() -> None:
    decision = RulesBrain().respond(
        conversation("yes", "what's the earliest?", state=offered_state(*MIXED))
    )
    assert decision.action == Action.NONE
    assert decision.reply == f"The soonest I have is {WED_8}. Should I book it?"
    assert [w["window_id"] for w in decision.state["offered"]] == [1]


def test_asked_to_repeat_the_agent_says_the_times_again() -> None:
    state = offered_state(1, 2, 3)
    decision = RulesBrain().respond(
        conversation("yes", "sorry can you repeat that?", state=state, channel="voice")
    )
    assert decision.action == Action.NONE
    assert (decision.reply or "").startswith("I have Wednesday, March 4, 8 to 10 am")
    assert decision.state["misunderstood"] == 0


def test_a_day_and_a_time_said_plainly_books_that_window() -> None:
    decision = say("yes, friday at 10 works")
    assert decision.action == Action.BOOK
    assert decision.window_id == next(
        w.window_id for w in windows_from() if w.starts_at.day == 6 and w.starts_at.hour == 10
    )


def test_a_day_and_a_time_asked_about_is_offered_first() -> None:
    decision = say("can you come friday at 10?")
    assert decision.action == Action.NONE
    assert decision.reply == "Fri Mar 6, 10am-12pm is open. Should I book it?"


def test_a_number_past_the_list_asks_again() -> None:
    decision = RulesBrain().respond(conversation("yes", "5", state=offered_state(1, 2, 3)))
    assert decision.action == Action.NONE
    assert "Just reply 1, 2 or 3." in (decision.reply or "")


def test_a_window_the_policy_could_not_book_is_chosen_again() -> None:
    state = offered_state(1, 2, 3)
    booked = state["offered"][0]
    # The policy failed to book window 1 and dropped it from "offered".
    state.update(stage="booked", booked=booked, offered=state["offered"][1:])
    decision = RulesBrain().respond(conversation("yes", "1", "the second one", state=state))
    assert decision.action == Action.BOOK
    assert decision.window_id == 2


def test_choosing_the_window_that_was_taken_offers_others() -> None:
    state = offered_state(1, 2, 3)
    state.update(stage="booked", booked=state["offered"][0], offered=state["offered"][1:])
    decision = RulesBrain().respond(conversation("yes", "1", "the first one", state=state))
    assert decision.action == Action.NONE
    assert (decision.reply or "").startswith("Sorry, that time was just taken.")
    assert 1 not in [w["window_id"] for w in decision.state["offered"]]


def test_a_new_job_while_choosing_offers_windows_for_it() -> None:
    capacity = FakeCapacity()
    decision = RulesBrain().respond(
        conversation(
            "yes",
            "actually it's the toilet that's running",
            state=offered_state(1, 2, 3),
            capacity=capacity,
        )
    )
    assert decision.action == Action.NONE
    assert capacity.calls == [("toilet_repair", 3)]
    assert decision.state["job_type"] == "toilet_repair"


# --- After booking ------------------------------------------------------------------------


def booked_state() -> dict[str, Any]:
    state = offered_state(1, 2, 3)
    state.update(stage="booked", booked=state["offered"][0])
    return state


def test_after_booking_thanks_gets_a_short_answer_and_no_action() -> None:
    decision = RulesBrain().respond(conversation("yes", "1", "thanks!", state=booked_state()))
    assert decision.action == Action.NONE
    assert decision.reply == f"You're welcome! See you {WED_8}."


def test_after_booking_questions_are_still_answered() -> None:
    decision = RulesBrain().respond(conversation("yes", "1", "how much?", state=booked_state()))
    assert reference.PRICES["ac_repair"] in (decision.reply or "")
    assert decision.action == Action.NONE


def test_after_booking_a_reschedule_goes_to_a_person() -> None:
    decision = RulesBrain().respond(
        conversation("yes", "1", "can I reschedule?", state=booked_state())
    )
    assert decision.action == Action.ESCALATE
    assert decision.reason == EscalationReason.HUMAN_REQUEST


def test_unknown_zip_still_books_and_asks_for_the_address() -> None:
    _, second = dialogue(["yes", "2"], zip_code="")
    assert second.action == Action.BOOK
    assert (second.reply or "").endswith("What's the service address?")


# --- Service area -------------------------------------------------------------------------


def test_a_stated_zip_outside_the_area_dismisses() -> None:
    decision = say("123 Main St Austin TX 77002", zip_code="")
    assert decision.action == Action.DISMISS
    assert decision.reason == "outside_service_area"
    assert "77002 (Houston)" in (decision.reply or "")


def test_a_stated_zip_inside_the_area_wins_over_the_lead_record() -> None:
    decision = say("yes, the house is in 78745", zip_code="77002")
    assert decision.action == Action.NONE
    assert decision.state["zip"] == "78745"
    assert decision.state["stage"] == "offered"


def test_no_service_area_configured_means_no_area_check() -> None:
    decision = say("yes", zip_code="77002", profile=company(service_area_zips=()))
    assert decision.state["stage"] == "offered"


# --- Skills -------------------------------------------------------------------------------


def test_a_known_job_outside_the_campaign_skills_escalates() -> None:
    skills = tuple(s for s in reference.SKILLS if s != "panel_upgrade_estimate")
    decision = say("yes please", note="panel upgrade", profile=company(skills=skills))
    assert decision.action == Action.ESCALATE
    assert decision.reason == EscalationReason.SKILL_HANDLING


def test_disabled_skill_rule_politely_dismisses_instead() -> None:
    profile = company(escalation_rules=rules(skill_handling={"enabled": False}))
    decision = say("can you install solar panels?", profile=profile)
    assert decision.action == Action.DISMISS
    assert decision.reason == "outside_skills"
    assert "solar" in (decision.reply or "")


def test_work_outside_the_skills_next_to_a_known_job_books_the_known_job() -> None:
    decision = say("the fridge is leaking and the ac isn't cooling, can someone come out?")
    assert decision.action == Action.NONE
    assert decision.state["job_type"] == "ac_repair"
    assert decision.state["stage"] == "offered"


def test_unknown_need_is_asked_for_before_offering() -> None:
    first, second = dialogue(["yes", "my toilet keeps running"], note="question")
    assert first.state["stage"] == "need"
    assert "What do you need help with" in (first.reply or "")
    assert second.state["stage"] == "offered"
    assert second.job_type == "toilet_repair"


# --- People, bots, anger ------------------------------------------------------------------


def test_disabled_human_request_rule_keeps_helping() -> None:
    profile = company(escalation_rules=rules(human_request={"enabled": False}))
    decision = say("can I talk to a real person", profile=profile)
    assert decision.action == Action.NONE
    assert "I can help right here" in (decision.reply or "")


def test_bot_question_is_answered_honestly_with_a_person_offered() -> None:
    decision = say("is this a bot?")
    assert decision.action == Action.NONE
    assert "virtual assistant for Lone Star Comfort Pros" in (decision.reply or "")
    assert "someone from our office" in (decision.reply or "")
    assert decision.state["person_offered"] is True


def test_yes_to_the_offered_person_escalates() -> None:
    _, second = dialogue(["is this a bot?", "yes please"])
    assert second.action == Action.ESCALATE
    assert second.reason == EscalationReason.HUMAN_REQUEST


def test_no_to_the_offered_person_is_not_a_decline() -> None:
    _, second = dialogue(["is this a bot?", "no"])
    assert second.action == Action.NONE
    assert "happy to help right here" in (second.reply or "")


def test_frustration_with_the_broken_ac_is_not_escalated() -> None:
    decision = say("this heat is killing me, AC is dead")
    assert decision.action == Action.NONE
    assert decision.state["stage"] == "offered"


def test_disabled_negative_sentiment_rule_apologises_and_goes_on() -> None:
    profile = company(escalation_rules=rules(negative_sentiment={"enabled": False}))
    decision = say("your tech never showed up, worst service ever", profile=profile)
    assert decision.action == Action.NONE
    assert "I'm sorry about that" in (decision.reply or "")


def test_a_stricter_sentiment_threshold_lets_a_mild_complaint_through() -> None:
    profile = company(escalation_rules=rules(negative_sentiment={"threshold": -0.95}))
    decision = say("Nobody showed up Friday", profile=profile)
    assert decision.action != Action.ESCALATE


def test_opt_out_wins_over_everything() -> None:
    decision = say("your company is a scam, stop texting me")
    assert decision.action == Action.OPT_OUT
    assert decision.reason == "words"


def test_wrong_number_opts_out() -> None:
    decision = say("wrong number")
    assert decision.action == Action.OPT_OUT
    assert decision.reason == "wrong_number"


def test_escalated_conversation_gets_no_more_agent_replies() -> None:
    decision = RulesBrain().respond(conversation("hello?", state={"stage": "escalated"}))
    assert decision.reply is None
    assert decision.action == Action.NONE


# --- Declines -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "no thanks, already fixed",
        "we went with someone else",
        "not interested",
        "nah",
        "no gracias",
    ],
)
def test_declines_are_dismissed_politely(text: str) -> None:
    decision = say(text)
    assert decision.action == Action.DISMISS
    assert decision.reason == "declined"
    assert "Lone Star Comfort Pros" in (decision.reply or "")


def test_not_now_keeps_the_door_open() -> None:
    decision = say("maybe later, need to check with my wife")
    assert decision.action == Action.NONE
    assert "whenever you're ready" in (decision.reply or "")


# --- Misunderstanding ---------------------------------------------------------------------


def test_three_misses_in_a_row_escalate_as_agent_issue() -> None:
    decisions = dialogue(["asdf", "the purple thing", "hmm"])
    assert [d.action for d in decisions] == [Action.NONE, Action.NONE, Action.ESCALATE]
    assert decisions[0].reply == (
        "Sorry, I didn't catch that. Would you like us to get someone out? Reply YES or NO."
    )
    assert decisions[2].reason == EscalationReason.AGENT_ISSUE


def test_an_understood_message_resets_the_miss_count() -> None:
    decisions = dialogue(["asdf", "the purple thing", "hello", "hmm", "qwerty"])
    assert [d.state["misunderstood"] for d in decisions] == [1, 2, 0, 1, 2]
    assert all(d.action == Action.NONE for d in decisions)


def test_the_configured_number_of_misses_is_used() -> None:
    profile = company(escalation_rules=rules(agent_issue={"misunderstood_in_a_row": 2}))
    decisions = dialogue(["asdf", "qwerty"], profile=profile)
    assert decisions[-1].action == Action.ESCALATE


def test_disabled_agent_issue_rule_keeps_asking() -> None:
    profile = company(escalation_rules=rules(agent_issue={"enabled": False}))
    decisions = dialogue(["asdf", "qwerty", "zxcv", "uiop"], profile=profile)
    assert all(d.action == Action.NONE for d in decisions)
    assert decisions[-1].state["misunderstood"] == 4


def test_a_greeting_is_not_a_miss() -> None:
    decision = say("Hello, this is Hana", first_name="Hana", channel="voice")
    assert decision.state["misunderstood"] == 0
    assert decision.reply == "Hi Hana! Would you like us to get someone out for your AC?"


# --- Questions from the company's configuration -------------------------------------------


def test_price_answer_uses_the_configured_price() -> None:
    decision = say("how much does it cost?")
    assert reference.PRICES["ac_repair"] in (decision.reply or "")
    assert "Would you like us to get someone out for your AC?" in (decision.reply or "")


def test_price_of_a_job_without_a_configured_price_is_quoted_on_site() -> None:
    decision = say("what do you charge?", note="leaking pipe")
    assert "quote for leak repair on site" in (decision.reply or "")


def test_unconfigured_price_mentions_the_diagnostic_visit_when_set() -> None:
    prices = {"diagnostic": "$59 trip charge"}
    decision = say("price?", note="leaking pipe", profile=company(prices=prices))
    assert "the diagnostic visit is $59 trip charge" in (decision.reply or "")


def test_brand_answer_uses_the_configured_brands() -> None:
    decision = say("do you work on LiftMaster openers?", note="garage door opener")
    assert "Yes, we service LiftMaster." in (decision.reply or "")
    listed = say("what brands do you service?")
    assert "Trane, Carrier, Lennox" in (listed.reply or "")


def test_a_brand_not_configured_is_answered_honestly() -> None:
    decision = say("do you service York units?")
    assert "York isn't on our usual list" in (decision.reply or "")


def test_hours_answer_uses_the_configured_hours() -> None:
    decision = say("what are your hours?")
    assert reference.BUSINESS_HOURS in (decision.reply or "")


def test_service_area_answer() -> None:
    assert "Yes, 78745 is in our service area." in (say("do you cover 78745?").reply or "")
    listed = say("what areas do you serve?", zip_code="")
    assert "78613, 78660, 78664, 78665, 78681 and 78701-78759" in (listed.reply or "")


def test_a_question_with_a_request_answers_and_offers_in_one_reply() -> None:
    decision = say("how much for a tune up? can you come tomorrow morning?", note="")
    reply = decision.reply or ""
    assert reference.PRICES["hvac_tune_up"] in reply
    assert "1) " + WED_8 in reply


# --- Intents ------------------------------------------------------------------------------


def test_intents_list_what_was_understood() -> None:
    decision = say("Yes please! my AC is out, what's the earliest you have?")
    assert {"yes", "job:ac_repair", "ask_earliest"} <= set(decision.intents)


def test_decisions_carry_plain_json_state() -> None:
    for decision in dialogue(["hey", "yes", "Thursday", "ok thanks"]):
        json.dumps(decision.state)


def test_first_reply_without_an_opening_on_voice_gives_the_notice() -> None:
    decision = say("hi, my ac is broken", opened=False, channel="voice", goal="inbound_sms")
    assert "This call may be recorded." in (decision.reply or "")


def test_a_malformed_memory_starts_over_instead_of_failing() -> None:
    state = {"stage": "offered", "offered": [{"window": "?"}], "shown": "nonsense"}
    decision = RulesBrain().respond(conversation("yes", "yes", state=state))
    assert decision.action == Action.NONE
    assert [w["window_id"] for w in decision.state["offered"]] == [1, 2, 3]

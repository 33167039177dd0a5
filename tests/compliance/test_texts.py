"""What the compliance rules make the agent say: HELP, confirmations, the first message."""

from __future__ import annotations

import pytest

from leadline.compliance.rules import (
    FIRST_MESSAGE_NOTICE,
    ensure_first_message_compliant,
    help_reply,
    opt_out_confirmation,
    resubscribe_confirmation,
)

COMPANY = "Lone Star Comfort Pros"


def test_help_names_the_company_a_number_and_how_to_opt_out() -> None:
    text = help_reply(COMPANY, "+15125550100")
    assert COMPANY in text
    assert "(512) 555-0100" in text
    assert "Reply STOP to opt out" in text
    assert len(text) <= 160


def test_help_accepts_a_number_already_formatted() -> None:
    assert "(512) 555-0100" in help_reply(COMPANY, "(512) 555-0100")


def test_the_opt_out_confirmation_is_one_short_message() -> None:
    text = opt_out_confirmation(COMPANY)
    assert text == (
        "You're unsubscribed from Lone Star Comfort Pros messages and won't hear from us "
        "again. Reply START to resubscribe."
    )
    assert len(text) <= 160


def test_the_resubscribe_confirmation_says_how_to_opt_out_again() -> None:
    text = resubscribe_confirmation(COMPANY)
    assert COMPANY in text
    assert "STOP" in text
    assert len(text) <= 160


def test_the_first_message_gets_the_company_name_and_the_notice() -> None:
    body = "Hi Dana, this is Ava. I saw your AC isn't cooling. Want a tech tomorrow?"
    assert ensure_first_message_compliant(body, COMPANY) == (
        f"{COMPANY}: {body} Reply STOP to opt out."
    )


def test_a_first_message_that_already_complies_is_unchanged() -> None:
    body = f"Hi Dana, this is Ava with {COMPANY}. Want a tech tomorrow? {FIRST_MESSAGE_NOTICE}."
    assert ensure_first_message_compliant(body, COMPANY) == body


@pytest.mark.parametrize("body", ["Hi Dana", "Hi Dana!", "", "  Hi Dana, any questions?  "])
def test_making_a_first_message_compliant_twice_changes_nothing_more(body: str) -> None:
    once = ensure_first_message_compliant(body, COMPANY)
    assert ensure_first_message_compliant(once, COMPANY) == once
    assert COMPANY in once
    assert once.endswith(f"{FIRST_MESSAGE_NOTICE}.")


def test_the_notice_and_the_name_are_recognised_in_any_case() -> None:
    body = "LONE STAR COMFORT PROS here. reply stop to opt out"
    assert ensure_first_message_compliant(body, COMPANY) == body


def test_a_sentence_without_final_punctuation_is_closed_before_the_notice() -> None:
    assert ensure_first_message_compliant(f"{COMPANY}: Hi Dana", COMPANY) == (
        f"{COMPANY}: Hi Dana. Reply STOP to opt out."
    )

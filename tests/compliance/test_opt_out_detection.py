"""Opt-out detection: the standard keywords, clear requests in words, wrong numbers.

It must catch every way a lead says "stop", and never fire on an ordinary homeowner text.
"""

from __future__ import annotations

import pytest

from leadline.compliance.rules import classify_opt_out, is_help, is_resubscribe

KEYWORDS = ["STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "CANCEL", "REVOKE", "OPTOUT"]


def _variants(word: str) -> list[str]:
    return [
        word,
        word.lower(),
        word.title(),
        f"{word}.",
        f"{word.lower()}!!",
        f"  {word.lower()}  ",
        f'"{word}"',
        f"{word.title()} please",
        f"please {word.lower()}",
        f"{word} now!",
        f"{word} {word}",
        f"{word} 🛑",
        f"{word}\n",
    ]


@pytest.mark.parametrize("text", [v for word in KEYWORDS for v in _variants(word)])
def test_every_keyword_in_any_case_and_punctuation_is_an_opt_out(text: str) -> None:
    assert classify_opt_out(text) == "keyword"


@pytest.mark.parametrize(
    "text",
    [
        "OPT OUT",
        "opt out",
        "Opt-Out",
        "opt-out.",
        "Opt out please",
        "OptOut",
        "stop all",
        "Stop-all",
    ],
)
def test_opt_out_written_in_two_words_is_the_keyword(text: str) -> None:
    assert classify_opt_out(text) == "keyword"


@pytest.mark.parametrize(
    "text",
    [
        "stop texting me",
        "Stop texting!",
        "STOP TEXTING ME",
        "please stop messaging me",
        "Stop calling me. I already told you no.",
        "stop contacting me",
        "Stop sending me messages",
        "remove me from your list",
        "Please remove me from your list, thanks",
        "take me off your list",
        "Take me off your contact list.",
        "remove my number",
        "unsubscribe me",
        "I want to unsubscribe",
        "How do I opt out?",
        "don't call this number again",
        "Don\u2019t text me again",
        "do not contact me",
        "Do not call.",
        "never text me again",
        "no more texts please",
        "No more calls",
        "leave me alone",
        "Stop it",
        "I revoke my consent",
        # Spanish
        "No más",
        "no mas",
        "NO MAS!",
        "no más mensajes por favor",
        "ya no me escriban",
        "no me manden mensajes",
        "No me llames",
        "deja de escribirme",
        "Dejen de llamarme",
        "sáquenme de su lista",
        "no me vuelvan a escribir",
        "basta",
    ],
)
def test_a_clear_request_in_words_is_an_opt_out(text: str) -> None:
    assert classify_opt_out(text) == "words"


@pytest.mark.parametrize(
    "text",
    [
        "wrong number",
        "Wrong number!",
        "Sorry, wrong number",
        "you have the wrong number",
        "I think you\u2019ve got the wrong number",
        "You are texting the wrong person",
        "this is the wrong number",
        "Wrong #",
        "no one here by that name",
        "número equivocado",
        "Numero equivocado",
        "se equivocó de número",
        "This isn't Dana.",
    ],
)
def test_a_wrong_number_is_an_opt_out(text: str) -> None:
    assert classify_opt_out(text) == "wrong_number"


@pytest.mark.parametrize(
    "text",
    [
        "this isn't dana",
        "This is not Dana's phone",
        "no Dana here",
        "Dana doesn't live here",
        "who is dana?",
        "not Dana",
    ],
)
def test_a_stranger_naming_the_lead_is_a_wrong_number(text: str) -> None:
    assert classify_opt_out(text, lead_first_name="Dana") == "wrong_number"


@pytest.mark.parametrize(
    "text",
    [
        "can you stop by tomorrow?",
        "the water won't stop leaking",
        "my toilet won't stop running",
        "I need to cancel my appointment",
        "can I cancel and rebook for Friday",
        "Is there a cancellation fee?",
        "end of the week works",
        "what time do you end today?",
        "quit working yesterday",
        "the AC quit",
        "The heater stopped working last night",
        "it stopped cooling around 3pm",
        "please send someone to stop the leak",
        "don't call before 9, text me",
        "Don't call me at work, text is fine",
        "Please don't call, text me instead",
        "don't text me after 8pm please",
        "stop calling my husband and call me instead",
        "the thermostat shows the wrong number",
        "you sent the wrong number of filters",
        "I gave you the wrong number, use 512-555-0199",
        "No",
        "no thanks",
        "Not interested right now",
        "Yes",
        "START",
        "Help",
        "info",
        "no mas de 100 dolares?",
        "no more hot water since yesterday",
        "Can you remove the old water heater too?",
        "take the old unit off the wall",
        "Leave it at the front door",
        "leave the gate open for the tech",
        "Call me after 5",
        "the list price seemed high",
        "can you text me the price?",
        "Stop by anytime after 3",
        "This isn't working",
        "This isn't urgent",
        "I'll opt for the cheaper one",
        "the garage door won't close all the way",
        "who is this?",
    ],
)
def test_an_ordinary_homeowner_text_is_not_an_opt_out(text: str) -> None:
    assert classify_opt_out(text) is None


def test_dont_stop_is_not_an_opt_out() -> None:
    assert classify_opt_out("please don't stop texting me the updates") is None


def test_an_empty_or_emoji_only_message_is_not_an_opt_out() -> None:
    assert classify_opt_out("") is None
    assert classify_opt_out("👍") is None
    assert classify_opt_out("...") is None


@pytest.mark.parametrize(
    "text", ["START", "start", "Start!", "UNSTOP", "unstop.", "YES", "yes", "Yes!!"]
)
def test_start_unstop_and_yes_resubscribe(text: str) -> None:
    assert is_resubscribe(text)


@pytest.mark.parametrize(
    "text", ["yes I want Tuesday", "start the repair", "restart", "yesterday", "", "STOP"]
)
def test_only_the_whole_message_resubscribes(text: str) -> None:
    assert not is_resubscribe(text)


@pytest.mark.parametrize("text", ["HELP", "help", "Help!", "INFO", "info?", " Info. "])
def test_help_and_info_are_help(text: str) -> None:
    assert is_help(text)


@pytest.mark.parametrize("text", ["I need help with my AC", "more info on pricing", "", "helpful"])
def test_only_the_whole_message_is_help(text: str) -> None:
    assert not is_help(text)

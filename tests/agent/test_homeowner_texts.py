"""Made-up homeowner texts, written the way people really text, and what the brain does.

Each row is one text answered right after the opening ("start": the agent asked whether the
lead wants someone out for an AC that isn't cooling) or right after an offer ("offered":
1) Wed 8-10am, 2) Wed 2-4pm, 3) Thu 10am-12pm).
"""

from __future__ import annotations

import pytest

from leadline.agent.rules_brain import RulesBrain
from leadline.agent.types import Action
from tests.agent.helpers import conversation
from tests.agent.test_rules_brain import MIXED, offered_state

OFFER = "offer"  # Action.NONE with windows offered
ASK = "ask"  # Action.NONE, no windows offered (an answer, a question back)

# (text, when it is said, the expected outcome, the reason / window id / a word of the reply)
TEXTS: list[tuple[str, str, str, str | int]] = [
    # Yes, in many ways
    ("yea", "start", OFFER, ""),
    ("yup", "start", OFFER, ""),
    ("sure thing", "start", OFFER, ""),
    ("ok sounds good", "start", OFFER, ""),
    ("Yes!!", "start", OFFER, ""),
    ("sí", "start", OFFER, ""),
    ("yes pls its 85 in the house", "start", OFFER, ""),
    ("yeah can u come today", "start", OFFER, ""),
    ("please, asap. we have a newborn", "start", OFFER, ""),
    ("definitely, what do you have tmrw?", "start", OFFER, ""),
    ("yes. also the toilet upstairs runs nonstop", "start", OFFER, ""),
    ("when can someone come look at it", "start", OFFER, ""),
    ("its blowing warm air again", "start", OFFER, ""),
    ("need someone out thursday afternoon", "start", OFFER, "Thu Mar 5, 12"),
    ("yes but i work til 2, anything after 2?", "start", OFFER, "2-4pm"),
    # Straight to booking
    ("just book the earliest you have", "start", Action.BOOK, 1),
    ("first available is fine", "start", Action.BOOK, 1),
    # Declines
    ("nah", "start", Action.DISMISS, "declined"),
    ("no thank you", "start", Action.DISMISS, "declined"),
    ("No thanks, already fixed", "start", Action.DISMISS, "declined"),
    ("we went w someone else sorry", "start", Action.DISMISS, "declined"),
    ("not interested", "start", Action.DISMISS, "declined"),
    ("no gracias", "start", Action.DISMISS, "declined"),
    ("never mind my husband fixed it", "start", Action.DISMISS, "declined"),
    ("its working again, all good", "start", Action.DISMISS, "declined"),
    # Opt-outs
    ("STOP", "start", Action.OPT_OUT, "keyword"),
    ("Stop.", "start", Action.OPT_OUT, "keyword"),
    ("pls stop texting me", "start", Action.OPT_OUT, "words"),
    ("take me off your list", "start", Action.OPT_OUT, "words"),
    ("wrong number, no dana here", "start", Action.OPT_OUT, "wrong_number"),
    ("no mas por favor", "start", Action.OPT_OUT, "words"),
    # People
    ("can i just talk to a real person", "start", Action.ESCALATE, "human_request"),
    ("call me", "start", Action.ESCALATE, "human_request"),
    ("id rather speak w someone from the office", "start", Action.ESCALATE, "human_request"),
    ("have the owner call me back", "start", Action.ESCALATE, "human_request"),
    ("is this a bot lol", "start", ASK, "virtual assistant"),
    ("r u a real person?", "start", ASK, "virtual assistant"),
    # Anger at the business, and frustration that is not
    (
        "your tech never showed yesterday. unbelievable",
        "start",
        Action.ESCALATE,
        "negative_sentiment",
    ),
    (
        "you guys charged me $400 and it broke again, total rip off",
        "start",
        Action.ESCALATE,
        "negative_sentiment",
    ),
    ("worst service ever, y'all are a joke", "start", Action.ESCALATE, "negative_sentiment"),
    ("ugh this heat is unbearable, AC is totally dead", "start", OFFER, ""),
    ("I'm so frustrated, third time the ac died this summer", "start", OFFER, ""),
    # Outside the skills
    ("do u guys do roofs? mine is leaking", "start", Action.ESCALATE, "skill_handling"),
    ("can you fix my fridge", "start", Action.ESCALATE, "skill_handling"),
    ("need a quote on solar", "start", Action.ESCALATE, "skill_handling"),
    ("pool heater is out", "start", Action.ESCALATE, "skill_handling"),
    ("we have ants and roaches", "start", Action.ESCALATE, "skill_handling"),
    # Service area
    ("I'm in 78745", "start", ASK, "your AC"),
    ("house is at 500 Elm St Houston TX 77002", "start", Action.DISMISS, "outside_service_area"),
    ("yes! zip is 78660", "start", OFFER, ""),
    # Questions
    ("how much is a service call", "start", ASK, "$89"),
    ("do you work on carrier?", "start", ASK, "Carrier"),
    ("r u open sundays", "start", ASK, "closed Sunday"),
    ("do you come out to 78613", "start", ASK, "78613 is in our service area"),
    ("hey", "start", ASK, "Would you like"),
    ("do you take credit cards?", "start", ASK, "Our office can help with that at (512) 555-0100"),
    ("is there a warranty on the work", "start", ASK, "Good question"),
    ("can the tech text before coming?", "start", ASK, "I'm not sure about that one"),
    ("the unit outside isn't running", "start", OFFER, ""),
    ("idk what's wrong with it, it just stopped", "start", OFFER, ""),
    ("don't come before 10 please", "start", OFFER, "1) Wed Mar 4, 10am"),
    ("maybe later", "start", ASK, "whenever you're ready"),
    # Choosing among the offered windows
    ("2", "offered", Action.BOOK, 4),
    ("the 2nd one pls", "offered", Action.BOOK, 4),
    ("#3", "offered", Action.BOOK, 6),
    ("first one", "offered", Action.BOOK, 1),
    ("yup the first one", "offered", Action.BOOK, 1),
    ("thursday works", "offered", Action.BOOK, 6),
    ("thurs 10-12", "offered", Action.BOOK, 6),
    ("tmrw morning", "offered", Action.BOOK, 1),
    ("8am is perfect", "offered", Action.BOOK, 1),
    ("the 2-4 one", "offered", Action.BOOK, 4),
    ("whichever is soonest", "offered", Action.BOOK, 1),
    ("ok", "offered", Action.BOOK, 1),
    ("el primero", "offered", Action.BOOK, 1),
    ("last one works", "offered", Action.BOOK, 6),
    ("the 8 one", "offered", Action.BOOK, 1),
    ("that first time works", "offered", Action.BOOK, 1),
    ("i can do after 12", "offered", Action.BOOK, 4),
    ("friday?", "offered", OFFER, "Fri Mar 6"),
    ("none of those work, anything next week?", "offered", OFFER, "Mon Mar 9"),
    ("nope", "offered", OFFER, ""),
    ("how much will it be?", "offered", ASK, "$89"),
    ("can i talk to someone first", "offered", Action.ESCALATE, "human_request"),
    ("no thanks, found someone", "offered", Action.DISMISS, "declined"),
]


@pytest.mark.parametrize(("text", "when", "outcome", "detail"), TEXTS)
def test_homeowner_text(text: str, when: str, outcome: str, detail: str | int) -> None:
    state = offered_state(*MIXED) if when == "offered" else {}
    decision = RulesBrain().respond(conversation(text, state=state))
    reply = decision.reply or ""
    if outcome == OFFER:
        assert decision.action == Action.NONE, reply
        assert decision.state["stage"] == "offered", reply
        assert "Should I book" in reply
        assert str(detail) in reply
    elif outcome == ASK:
        assert decision.action == Action.NONE, reply
        assert str(detail) in reply
    elif outcome == Action.BOOK:
        assert decision.action == Action.BOOK, reply
        assert decision.window_id == detail
    else:
        assert decision.action == outcome, reply
        assert decision.reason == detail


def test_there_are_at_least_sixty_homeowner_texts() -> None:
    assert len(TEXTS) >= 60

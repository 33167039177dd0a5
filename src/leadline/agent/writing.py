"""How the built-in agent says things: a friendly, brief office assistant that names the company.

Pure functions from facts to text. SMS texts stay short; voice texts are written to be spoken
(no numbered lists, no "reply"). Times are shown in the company's time zone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

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
    "hvac_tune_up": "a tune-up",
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
_VAGUE_NOTES = {"question", "questions", "info", "information", "inquiry", "other", "general"}
_NEGATIONS = {
    "not": "isn't",
    "isnt": "isn't",
    "isn't": "isn't",
    "won't": "won't",
    "wont": "won't",
    "will not": "won't",
    "doesn't": "doesn't",
    "doesnt": "doesn't",
    "does not": "doesn't",
}
_STATES = (
    "clogged",
    "leaking",
    "broken",
    "stuck",
    "dead",
    "noisy",
    "tripping",
    "flickering",
    "frozen",
    "dripping",
    "running",
    "sparking",
    "overflowing",
    "backed up",
    "out",
)
# States that read badly before the noun: "your AC that's out", not "your out AC".
_AFTER_STATES = {"out", "backed up", "dead"}
_A_PROJECTS = re.compile(
    r"estimate|quote|upgrade|tune[ -]?up|install|installation|replacement|maintenance|"
    r"inspection|\bnew\b"
)
# Letters whose spoken name starts with a vowel sound: "an AC", "an HVAC", "an EV".
_AN_LETTERS = set("aefhilmnorsx")


def greeting_name(first_name: str) -> str:
    return first_name.strip() or "there"


def need_phrase(job_type: str | None) -> str:
    """How the agent names a job in a sentence: "your AC", "a tune-up"."""
    if job_type is None:
        return "your request"
    return _NEED_PHRASES.get(job_type, label_of(job_type).lower())


def describe_note(note: str, job_type: str | None) -> str:
    """The lead's note as a phrase: "AC not cooling" -> "your AC that isn't cooling"."""
    text = re.sub(r"\s+", " ", note).strip().rstrip(".!?")
    if not text:
        return need_phrase(job_type) if job_type else "your service request"
    if len(text.split()) > 6:
        return need_phrase(job_type) if job_type else "your request"
    first, _, rest = text.partition(" ")
    if not (first.isupper() and len(first) > 1):
        first = first.lower()
    text = f"{first} {rest}".strip()
    text = re.sub(r"^(i need |need |my |our |the )", "", text, flags=re.IGNORECASE)
    low = text.lower()
    if low in _VAGUE_NOTES:
        return "your question"
    negation = re.match(
        r"(.+?) (?:is |are )?(not|isn'?t|isnt|won'?t|wont|will not|doesn'?t|doesnt|does not) "
        r"(\w+)$",
        text,
        flags=re.IGNORECASE,
    )
    if negation:
        thing, neg, verb = negation.groups()
        return f"your {thing} that {_NEGATIONS.get(neg.lower(), neg)} {verb.lower()}"
    for state in _STATES:
        if low.endswith(" " + state):
            thing = text[: -len(state) - 1]
            if state in _AFTER_STATES:
                return f"your {thing} that's {state}"
            return f"your {state} {thing}"
    if _A_PROJECTS.search(low):
        text = re.sub(r"tune[ -]?up", "tune-up", text, flags=re.IGNORECASE)
        return f"{_article(text)} {text}"
    return f"your {text}"


def _article(text: str) -> str:
    word = text.split()[0]
    if word.isupper() and len(word) > 1:
        return "an" if word[0].lower() in _AN_LETTERS else "a"
    return "an" if word[0].lower() in "aeiou" else "a"


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
    name = greeting_name(first_name)
    if channel == VOICE:
        if touch <= 2:
            return (
                f"Hi {name}, this is the virtual assistant for {company} again, following up "
                f"about {need}. {VOICE_NOTICE} Would you like us to get someone out?"
            )
        if touch == 3:
            return (
                f"Hi {name}, it's the virtual assistant for {company}. {VOICE_NOTICE} We still "
                f"have arrival windows open for {need}. Would you like one?"
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
            f"{name}, {company} here again. We'd be glad to find a time for {need} that suits "
            "you. Just reply with a day that works."
        )
    return (
        f"Last check-in from {company}, {name}: if you still need help with {need}, reply "
        "here anytime and we'll get you scheduled."
    )


def intro(*, company: str, first_name: str) -> str:
    """The first words of a reply that opens the conversation (the lead texted first)."""
    return f"Hi {greeting_name(first_name)}, this is the virtual assistant for {company}."


def offer(
    windows: Sequence[tuple[datetime, datetime]], channel: str, *, soonest: bool = True
) -> str:
    """Free windows (local times), soonest first; a plain "yes" books the first one.

    `soonest` says the windows are simply the next free ones, not ones the lead asked for.
    """
    if len(windows) == 1:
        label = window_label(*windows[0], channel)
        if soonest:
            return f"The soonest I have is {label}. Should I book it?"
        return f"{label[:1].upper()}{label[1:]} is open. Should I book it?"
    if channel == VOICE:
        return (
            f"I have {_spoken_list(windows)}. Should I book the first one, or would another "
            "time work better?"
        )
    numbered = "\n".join(
        f"{i}) {window_label(start, end, channel)}" for i, (start, end) in enumerate(windows, 1)
    )
    return (
        f"Here's what I have open:\n{numbered}\nShould I book #1, the soonest, or would another "
        "one work better?"
    )


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


def bot_answer(company: str, *, offer_person: bool) -> str:
    text = f"I'm the virtual assistant for {company}, not a person."
    if offer_person:
        return text + " Would you like someone from our office to contact you instead?"
    return text + " I can answer questions and book a visit right here."


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

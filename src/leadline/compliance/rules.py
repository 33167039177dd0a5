"""The compliance rules as data and pure functions: quiet-hours windows, keywords, texts.

Nothing here reads the database or the clock; `gate.py` applies these rules at the
moment of sending.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, time
from types import MappingProxyType
from typing import Any

from leadline.kit.phone import format_phone

Window = tuple[time, time]
# Monday first, seven entries; None means no outreach at all that weekday.
Week = tuple[Window | None, ...]


def _daily(start: int, end: int) -> Week:
    return ((time(start), time(end)),) * 7


def _sunday(week: Week, hours: tuple[int, int] | None) -> Week:
    return (*week[:6], None if hours is None else (time(hours[0]), time(hours[1])))


# Windows are half-open: 8:00-21:00 allows 20:59 and refuses 21:00.
FEDERAL_WINDOW: Week = _daily(8, 21)

# Compiled from public summaries of state telemarketing and mini-TCPA laws (see
# docs/compliance.md); a state missing here gets the federal window.
STATE_WINDOWS: Mapping[str, Week] = MappingProxyType(
    {
        "FL": _daily(8, 20),
        "OK": _daily(8, 20),
        "MD": _daily(8, 20),
        "NJ": _daily(8, 20),
        "MA": _daily(8, 20),
        "CT": _daily(9, 20),
        "TX": _sunday(_daily(9, 21), (12, 21)),
        "AL": _sunday(_daily(8, 20), None),
        "LA": _sunday(_daily(8, 20), None),
        "MS": _sunday(_daily(8, 20), None),
        "KY": _daily(10, 21),
        "MI": _daily(9, 21),
        "MN": _daily(9, 21),
        "NM": _daily(9, 21),
        "NV": _daily(9, 20),
    }
)


def parse_outreach_window(value: Mapping[str, Any] | None) -> tuple[time | None, time | None]:
    """A company's own window {"start": "HH:MM", "end": "HH:MM"}; ValueError when malformed."""
    if not value:
        return None, None
    if not isinstance(value, Mapping):
        raise ValueError("the outreach window must be an object with start and end")
    unknown = set(value) - {"start", "end"}
    if unknown:
        raise ValueError(f"unknown outreach window keys: {', '.join(sorted(unknown))}")
    start = _parse_clock(value.get("start"))
    end = _parse_clock(value.get("end"))
    if start is not None and end is not None and start >= end:
        raise ValueError("the outreach window must start before it ends")
    return start, end


def _parse_clock(value: Any) -> time | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
        raise ValueError(f"not a time of day (HH:MM): {value!r}")
    hours, minutes = (int(part) for part in value.strip().split(":"))
    if hours > 23 or minutes > 59:
        raise ValueError(f"not a time of day (HH:MM): {value!r}")
    return time(hours, minutes)


def allowed_window(
    state: str | None, day: date, tighten: Mapping[str, Any] | None
) -> Window | None:
    """The local window for outreach on `day` in `state`, or None when there is none."""
    federal = FEDERAL_WINDOW[day.weekday()]
    local = STATE_WINDOWS.get((state or "").strip().upper(), FEDERAL_WINDOW)[day.weekday()]
    if federal is None or local is None:
        return None
    start, end = max(federal[0], local[0]), min(federal[1], local[1])
    try:
        own_start, own_end = parse_outreach_window(tighten)
    except ValueError:
        # A malformed company setting cannot widen anything: the legal window still holds.
        own_start = own_end = None
    if own_start is not None:
        start = max(start, own_start)
    if own_end is not None:
        end = min(end, own_end)
    return (start, end) if start < end else None


# --- What the lead said -------------------------------------------------------------

OPT_OUT_KEYWORDS = frozenset(
    {"stop", "stopall", "unsubscribe", "end", "quit", "cancel", "revoke", "optout"}
)
RESUBSCRIBE_KEYWORDS = frozenset({"start", "unstop", "yes"})
HELP_KEYWORDS = frozenset({"help", "info"})
# Politeness around a keyword does not change what it means ("STOP please").
_FILLER = frozenset({"please", "pls", "plz", "now"})


def _normalise(text: str) -> str:
    """Lower case, no accents, apostrophes dropped, words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    plain = re.sub(r"['\u2018\u2019`\u00b4]", "", plain)
    words = " ".join(re.findall(r"[a-z0-9#]+", plain))
    # "opt out", "opt-out" and "OptOut" are one keyword.
    return re.sub(r"\bopt out\b", "optout", words)


def _keyword_message(text: str, keywords: frozenset[str], *, filler: bool) -> bool:
    words = _normalise(text).split()
    if filler:
        words = [word for word in words if word not in _FILLER]
    if not words:
        return False
    return "".join(words) in keywords or (len(set(words)) == 1 and words[0] in keywords)


def _phrases(*patterns: str) -> tuple[re.Pattern[str], ...]:
    """Patterns over the normalised text that must start and end on word boundaries."""
    return tuple(re.compile(rf"(?:^| ){pattern}(?= |$)") for pattern in patterns)


_CONTACT = (
    r"(?:texting|texts?|txting|txts?|messaging|messages?|msging|msgs?|calling|calls?|"
    r"contacting|contact|emailing|bothering|bother|spamming|spam|harassing|harass|ringing)"
)
_ME = r"(?:me|us|this number|this phone|my number|my phone|my cell|here)"
_NOT_NEGATED = r"(?<!dont )(?<!do not )(?<!never )"
_ES_CONTACT = (
    r"(?:escriban|escribas|manden|mandes|envien|envies|llamen|llames|contacten|contactes|"
    r"molesten|molestes|textees|texteen)"
)
_TRAILING = r"(?: (?:again|anymore|any more|ever|already|please|thanks|thank you|period))*$"

# Requests about how or when to reach them rather than whether: "don't call before 9".
_CHANNEL_REQUESTS = _phrases(
    rf"{_NOT_NEGATED}stop {_CONTACT} {_ME}",
    rf"{_NOT_NEGATED}stop {_CONTACT}{_TRAILING}",
    rf"(?:dont|do not|never) (?:ever )?{_CONTACT} {_ME}",
    rf"(?:dont|do not|never) (?:ever )?{_CONTACT}{_TRAILING}",
    rf"(?:ya no|ya no me|no me) {_ES_CONTACT}",
)
_PREFERENCE = re.compile(
    r"\b(?:(?:before|after|antes de(?: las?)?|despues de(?: las?)?) "
    r"(?:\d+[a-z]*|noon|lunch|dinner|work)"
    r"|(?:until|till|til|hasta) [a-z0-9]+"
    r"|during (?:the day|work|business hours|the week)"
    r"|(?:at|from|en el) (?:work|trabajo)"
    r"|(?:so|this|too) (?:early|late)"
    r"|(?:in the|this|tomorrow) (?:morning|afternoon|evening)"
    r"|instead|mejor|right now)\b"
)
_CLEAR_REQUESTS = _phrases(
    rf"{_NOT_NEGATED}(?:stop|quit) (?:sending|send)(?: me)?(?: any)?(?: more)? "
    r"(?:texts|messages|msgs|sms|txts|calls)",
    r"(?:remove|take|delete|drop|erase) (?:me|my number|my phone number|this number)"
    r"(?: off| from| out of)?(?: your| the| this| ur)? (?:list|lists|contact list|"
    r"mailing list|texting list|call list|database|system|contacts)",
    r"(?:remove|delete|erase|lose) (?:my number|my phone number|this number)",
    r"unsubscribe (?:me|us|this number|my number)",
    r"(?:want|wish|like|need|how) (?:do i |to |can i )?(?:unsubscribe|optout)",
    r"optout me|opt me out",
    r"no more (?:texts|messages|msgs|calls|texting|calling|txts|sms)",
    r"leave me alone",
    r"revoke (?:my )?consent",
    r"no mas (?:mensajes|textos|llamadas|msjs|mensajitos)",
    r"no (?:me )?(?:vuelvan|vuelvas) a (?:escribir|llamar|mandar|enviar|contactar)",
    r"(?:deja|dejen|dejar) de (?:escribirme|mandarme|enviarme|llamarme|molestarme|"
    r"contactarme|textearme)",
    r"(?:sacame|saquenme|quitame|quitenme|borrame|borrenme|bajame|bajenme) de "
    r"(?:tu|su|la|sus|tus) lista",
    r"(?:borra|borren|borre) mi numero",
)
# Whole messages, once "please" and the like are set aside.
_WHOLE_MESSAGE_REQUESTS = frozenset(
    {"no mas", "ya no mas", "basta", "ya basta", "stop it", "alto", "parar", "baja", "cancelar"}
)

_WRONG = r"wrong (?:number|num|#|person|phone|cell)(?! of)"
_WRONG_NUMBER = _phrases(
    rf"^(?:(?:sorry|oops|hi|hey|hello|um|uh|lol|hmm|i think) )*{_WRONG}",
    rf"(?:you|u|youve|ya|yall)(?: [a-z]+){{0,3}} (?:the|a) {_WRONG}",
    rf"(?:this is|its|thats|that is) (?:a |the )?{_WRONG}",
    r"(?:no one|nobody|noone) (?:here )?(?:by|with|named) (?:that|this) name",
    r"numero (?:equivocado|incorrecto|errado)",
    r"(?:equivoco|equivocaron|equivocado|equivocada|equivocaste) de (?:numero|persona)",
    r"persona equivocada",
)
# The lead correcting their own mistake is not a stranger telling us we have it wrong.
_OWN_MISTAKE = re.compile(r"\b(?:i|we) (?:gave|typed|entered|put|called|dialed|texted|wrote)\b")
# fmt: off
_NOT_A_NAME = frozenset({
    "right", "true", "correct", "working", "fair", "funny", "ok", "okay", "good", "bad",
    "fixed", "done", "it", "that", "what", "urgent", "cheap", "free", "necessary", "needed",
    "possible", "enough", "me", "him", "her", "happening", "helpful", "fine",
})
# fmt: on


def _is_wrong_number(text: str, normalised: str, lead_first_name: str | None) -> bool:
    if _OWN_MISTAKE.search(normalised):
        return False
    if any(pattern.search(normalised) for pattern in _WRONG_NUMBER):
        return True
    name = _normalise(lead_first_name or "")
    if name:
        about = re.escape(name)
        return any(
            re.search(rf"(?:^| ){pattern}(?= |$)", normalised)
            for pattern in (
                rf"(?:this|it|i|im|this phone|this number) (?:isnt|is not|am not|aint|not) "
                rf"{about}s?",
                rf"(?:no|there is no|theres no) {about} here",
                rf"{about} (?:doesnt|does not|dont|no longer) (?:live|work|have)",
                rf"who is {about}",
                rf"^not {about}$",
            )
        )
    # Without the lead's name, only "This isn't Dana." as a whole message, name capitalised.
    match = re.fullmatch(
        r"\s*(?:[Tt]his|[Ii]t) (?:isn['\u2019]?t|is not) ([A-Z][a-z]+)[.!]*\s*", text
    )
    return match is not None and match.group(1).lower() not in _NOT_A_NAME


def classify_opt_out(text: str, *, lead_first_name: str | None = None) -> str | None:
    """How the message opts out: "keyword", "words", "wrong_number", or None when it does not."""
    if _keyword_message(text, OPT_OUT_KEYWORDS, filler=True):
        return "keyword"
    normalised = _normalise(text)
    if not normalised:
        return None
    if _is_wrong_number(text, normalised, lead_first_name):
        return "wrong_number"
    stripped = " ".join(word for word in normalised.split() if word not in _FILLER)
    if stripped in _WHOLE_MESSAGE_REQUESTS:
        return "words"
    if any(pattern.search(normalised) for pattern in _CLEAR_REQUESTS):
        return "words"
    if _PREFERENCE.search(normalised):
        return None
    if any(pattern.search(normalised) for pattern in _CHANNEL_REQUESTS):
        return "words"
    return None


def is_resubscribe(text: str) -> bool:
    """START, UNSTOP or YES as the whole message, in any case and punctuation."""
    return _keyword_message(text, RESUBSCRIBE_KEYWORDS, filler=True)


def is_help(text: str) -> bool:
    """HELP or INFO as the whole message, in any case and punctuation."""
    return _keyword_message(text, HELP_KEYWORDS, filler=False)


# --- What we say ------------------------------------------------------------------

FIRST_MESSAGE_NOTICE = "Reply STOP to opt out"


def help_reply(company_name: str, company_phone: str) -> str:
    """The answer to HELP or INFO: who we are, a number to call, how to opt out."""
    return (
        f"{company_name}: for help, call us at {format_phone(company_phone)}. "
        f"{FIRST_MESSAGE_NOTICE}. Msg & data rates may apply."
    )


def opt_out_confirmation(company_name: str) -> str:
    """The one message sent after an opt-out."""
    return (
        f"You're unsubscribed from {company_name} messages and won't hear from us again. "
        "Reply START to resubscribe."
    )


def resubscribe_confirmation(company_name: str) -> str:
    """The answer to START, UNSTOP or YES after an opt-out."""
    return f"You're resubscribed to {company_name} messages. {FIRST_MESSAGE_NOTICE}, HELP for help."


def ensure_first_message_compliant(body: str, company_name: str) -> str:
    """The first message of a conversation, naming the business and saying how to opt out."""
    text = (body or "").strip()
    if company_name and company_name.casefold() not in text.casefold():
        text = f"{company_name}: {text}" if text else company_name
    if FIRST_MESSAGE_NOTICE.casefold() not in text.casefold():
        if text and text[-1] not in ".!?":
            text += "."
        text = f"{text} {FIRST_MESSAGE_NOTICE}."
    return text

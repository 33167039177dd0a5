"""The compliance gate: every automated message and call asks it at the moment of sending.

`decide` is the whole rule, pure and testable without a database; `check` reads what
it needs (the opt-out registry, the takeover flag) and calls it. Brains never call
this: the send pipeline does, so no brain can talk its way past it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leadline.accounts.models import Company
from leadline.compliance.rules import allowed_window
from leadline.compliance.selectors import is_opted_out
from leadline.crm.models import Lead
from leadline.kit import clock
from leadline.kit.phone import parse_phone, phone_region, phone_time_zones
from leadline.kit.places import lookup_zip

# A lead message younger than this may be answered at any hour: answering is not outreach.
REPLY_GRACE = timedelta(minutes=15)
# Processes on different machines disagree a little about "now"; a lead message stamped
# slightly in the future is still a fresh one.
CLOCK_SKEW = timedelta(minutes=1)
# How far ahead retry_at is searched; every window in the table recurs within a week.
SEARCH_DAYS = 8
# A non-geographic number (toll-free, 5XX) maps to every zone of the +1 plan and so
# says nothing about where the lead is.
MAX_PHONE_ZONES = 4


class SendKind(StrEnum):
    """Why a message or call is about to go out."""

    OUTREACH = "outreach"  # agent-initiated: first touch, follow-up, a call
    REPLY = "reply"  # the agent answering a lead message
    OPT_OUT_CONFIRMATION = "opt_out_confirmation"
    RESUBSCRIBE_CONFIRMATION = "resubscribe_confirmation"
    HELP_REPLY = "help_reply"
    HUMAN = "human"  # a team member's own message from the lead record


class Reason(StrEnum):
    OK = "ok"
    INVALID_NUMBER = "invalid_number"
    OPTED_OUT = "opted_out"
    NOT_OPTED_OUT = "not_opted_out"
    TAKEN_OVER = "taken_over"
    QUIET_HOURS = "quiet_hours"
    # Quiet hours with no allowed moment in the next SEARCH_DAYS days (e.g. a company
    # window that leaves nothing once a state's rules are applied).
    NO_WINDOW = "no_window"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str
    # For quiet hours: the first moment (UTC) at which the same send would be allowed.
    retry_at: datetime | None = None


@dataclass(frozen=True)
class Locale:
    """One place the lead may be: a time zone and the state whose rules apply there."""

    time_zone: str
    state: str | None
    source: str  # "zip", "phone" or "company"


# Keyword answers are the carrier-required side of the conversation, not the agent
# talking: they go out at any hour and after a takeover too.
_KEYWORD_ANSWERS = frozenset(
    {SendKind.OPT_OUT_CONFIRMATION, SendKind.RESUBSCRIBE_CONFIRMATION, SendKind.HELP_REPLY}
)
_AUTOMATED = frozenset({SendKind.OUTREACH, SendKind.REPLY})


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def lead_locales(
    *, lead_zip: str, lead_phone_e164: str | None, company_time_zone: str
) -> tuple[Locale, ...]:
    """Every place the lead may be, from the ZIP and the phone, else the company's zone."""
    found: list[Locale] = []
    place = lookup_zip(lead_zip) if lead_zip else None
    if place is not None and _zone(place.time_zone) is not None:
        found.append(Locale(place.time_zone, place.state or None, "zip"))
    if lead_phone_e164:
        zones = [z for z in phone_time_zones(lead_phone_e164) if _zone(z) is not None]
        if len(zones) <= MAX_PHONE_ZONES:
            state = phone_region(lead_phone_e164)
            found.extend(Locale(zone, state, "phone") for zone in zones)
    unique: dict[tuple[str, str | None], Locale] = {}
    for locale in found:
        unique.setdefault((locale.time_zone, locale.state), locale)
    if unique:
        return tuple(unique.values())
    if _zone(company_time_zone) is None:
        raise ValueError(f"the company's time zone is not a known zone: {company_time_zone!r}")
    return (Locale(company_time_zone, None, "company"),)


def lead_time_zone(*, lead_zip: str, lead_phone_e164: str | None, company_time_zone: str) -> str:
    """The zone to show the lead's times in: the ZIP's, else the phone's, else the company's."""
    locales = lead_locales(
        lead_zip=lead_zip, lead_phone_e164=lead_phone_e164, company_time_zone=company_time_zone
    )
    return locales[0].time_zone


def is_inside_window(
    locale: Locale, moment: datetime, tighten: Mapping[str, Any] | None = None
) -> bool:
    """Whether `moment` falls inside the outreach window of `locale`, in its local time."""
    local = moment.astimezone(ZoneInfo(locale.time_zone))
    window = allowed_window(locale.state, local.date(), tighten)
    return window is not None and window[0] <= local.time() < window[1]


Interval = tuple[datetime, datetime]


def _open_intervals(
    locale: Locale, since: datetime, tighten: Mapping[str, Any] | None
) -> list[Interval]:
    """The locale's windows as UTC intervals, from the local day before `since` onwards."""
    zone = ZoneInfo(locale.time_zone)
    first = since.astimezone(zone).date() - timedelta(days=1)
    intervals = []
    for offset in range(SEARCH_DAYS + 2):
        day: date = first + timedelta(days=offset)
        window = allowed_window(locale.state, day, tighten)
        if window is None:
            continue
        start = datetime.combine(day, window[0], tzinfo=zone).astimezone(UTC)
        end = datetime.combine(day, window[1], tzinfo=zone).astimezone(UTC)
        intervals.append((start, end))
    return intervals


def _intersect(left: list[Interval], right: list[Interval]) -> list[Interval]:
    result = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i][0], right[j][0])
        end = min(left[i][1], right[j][1])
        if start < end:
            result.append((start, end))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return result


def next_allowed_at(
    locales: Iterable[Locale], now: datetime, tighten: Mapping[str, Any] | None = None
) -> datetime | None:
    """The earliest moment at or after `now` that is inside every locale's window, in UTC."""
    now = now.astimezone(UTC)
    common: list[Interval] | None = None
    for locale in locales:
        intervals = _open_intervals(locale, now, tighten)
        common = intervals if common is None else _intersect(common, intervals)
    horizon = now + timedelta(days=SEARCH_DAYS)
    for start, end in common or []:
        if end > now and start <= horizon:
            return max(start, now)
    return None


def _is_fresh_reply(now: datetime, last_inbound_at: datetime | None) -> bool:
    if last_inbound_at is None:
        return False
    age = now - last_inbound_at
    return -CLOCK_SKEW <= age < REPLY_GRACE


def decide(
    *,
    kind: SendKind | str,
    now: datetime,
    lead_phone_e164: str | None,
    lead_zip: str,
    company_time_zone: str,
    tighten: Mapping[str, Any] | None,
    opted_out: bool,
    agent_paused: bool,
    last_inbound_at: datetime | None,
) -> Verdict:
    """Whether a send of `kind` may go to this lead at `now`, and if not why and when."""
    kind = SendKind(kind)
    if now.tzinfo is None:
        raise ValueError("decide() needs an aware datetime")
    if not lead_phone_e164 or parse_phone(lead_phone_e164).e164 != lead_phone_e164:
        return Verdict(False, Reason.INVALID_NUMBER)
    if kind is SendKind.OPT_OUT_CONFIRMATION:
        return Verdict(True, Reason.OK) if opted_out else Verdict(False, Reason.NOT_OPTED_OUT)
    if kind is SendKind.HELP_REPLY:
        # HELP/INFO is the lead asking; carriers require an answer whatever the opt-in state.
        return Verdict(True, Reason.OK)
    if opted_out:
        # Consent is revoked for people too: the carrier would block it anyway.
        return Verdict(False, Reason.OPTED_OUT)
    if kind is SendKind.HUMAN or kind in _KEYWORD_ANSWERS:
        return Verdict(True, Reason.OK)
    if agent_paused:
        return Verdict(False, Reason.TAKEN_OVER)
    if kind is SendKind.REPLY and _is_fresh_reply(now, last_inbound_at):
        return Verdict(True, Reason.OK)
    locales = lead_locales(
        lead_zip=lead_zip, lead_phone_e164=lead_phone_e164, company_time_zone=company_time_zone
    )
    if all(is_inside_window(locale, now, tighten) for locale in locales):
        return Verdict(True, Reason.OK)
    retry_at = next_allowed_at(locales, now, tighten)
    if retry_at is None:
        return Verdict(False, Reason.NO_WINDOW)
    return Verdict(False, Reason.QUIET_HOURS, retry_at)


def check(
    *,
    company: Company,
    lead: Lead,
    kind: SendKind | str,
    now: datetime | None = None,
    last_inbound_at: datetime | None = None,
) -> Verdict:
    """The gate the send pipeline calls right before a message or call goes out."""
    if lead.company_id != company.pk:
        raise ValueError("the lead belongs to another company")
    # Read the takeover flag fresh: the lead object may have been loaded before a
    # team member pressed Takeover.
    paused_at = Lead.objects.filter(pk=lead.pk).values_list("agent_paused_at", flat=True).first()
    phone = parse_phone(lead.phone).e164
    return decide(
        kind=kind,
        now=now or clock.now(),
        lead_phone_e164=phone,
        lead_zip=lead.zip,
        company_time_zone=company.time_zone,
        tighten=company.outreach_window or None,
        opted_out=phone is not None and is_opted_out(company=company, phone=phone),
        agent_paused=paused_at is not None or lead.agent_paused_at is not None,
        last_inbound_at=last_inbound_at,
    )

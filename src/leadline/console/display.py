"""How the console writes times, people and arrival windows, the same on every page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from leadline.interactions.models import Author

_DASH = "\N{EN DASH}"


@dataclass(frozen=True)
class Moment:
    """A time for a <time> element: machine value, relative text, exact local text."""

    iso: str
    relative: str
    exact: str
    short: str
    # False when `relative` is already a date (a week or more ago).
    is_recent: bool


def _clock_text(local: datetime) -> str:
    hour = local.hour % 12 or 12
    meridiem = "AM" if local.hour < 12 else "PM"
    return f"{hour}:{local:%M} {meridiem}"


def exact_text(local: datetime) -> str:
    """Tue, Mar 10, 2026, 10:00 AM CDT"""
    return (
        f"{local:%a}, {local:%b} {local.day}, {local.year}, {_clock_text(local)} "
        f"{local.tzname() or ''}"
    ).strip()


def short_text(local: datetime, now_local: datetime) -> str:
    """Mar 10, 10:00 AM (the year only when it is not this year)."""
    day = f"{local:%b} {local.day}"
    if local.year != now_local.year:
        day += f", {local.year}"
    return f"{day}, {_clock_text(local)}"


def relative_text(moment: datetime, now: datetime, zone: tzinfo) -> str:
    """just now, 5 min ago, 3 h ago, 2 d ago, then the date."""
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "just now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min ago"
    hours = minutes // 60
    if hours < 24:
        return f"{hours} h ago"
    days = hours // 24
    if days < 7:
        return f"{days} d ago"
    local = moment.astimezone(zone)
    text = f"{local:%b} {local.day}"
    if local.year != now.astimezone(zone).year:
        text += f", {local.year}"
    return text


def moment(at: datetime, *, now: datetime, zone: tzinfo) -> Moment:
    """A stored (UTC) time as the company's people read it."""
    local = at.astimezone(zone)
    return Moment(
        iso=at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        relative=relative_text(at, now, zone),
        exact=exact_text(local),
        short=short_text(local, now.astimezone(zone)),
        is_recent=(now - at) < timedelta(days=7),
    )


def person(user: Any, *, missing: str = "A former teammate") -> str:
    """A teammate by name (or email); `missing` when the user is gone."""
    if user is None:
        return missing
    return str(user.get_full_name() or user.email)


def speaker(kind: str, lead_name: str, user: Any) -> str:
    """Who wrote or said something in a conversation."""
    if kind == Author.AGENT:
        return "Agent"
    if kind == Author.LEAD:
        return lead_name or "Lead"
    if kind == Author.HUMAN:
        return person(user, missing="Team member")
    return "System"


def duration_text(seconds: int | None) -> str:
    """A call length as m:ss ('' when unknown)."""
    if not seconds:
        return ""
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}:{rest:02d}"


def _hour_text(local: datetime) -> str:
    hour = local.hour % 12 or 12
    return f"{hour}" if local.minute == 0 else f"{hour}:{local:%M}"


def window_hours(start: datetime, end: datetime, zone: tzinfo) -> str:
    """An arrival window's hours as a customer hears them: 8-10 AM, 10 AM-12 PM, 12-2 PM.

    (With an en dash between the hours, as typeset text has it.)
    """
    a, b = start.astimezone(zone), end.astimezone(zone)
    a_meridiem = "AM" if a.hour < 12 else "PM"
    b_meridiem = "AM" if b.hour < 12 else "PM"
    if a_meridiem == b_meridiem:
        return f"{_hour_text(a)}{_DASH}{_hour_text(b)} {b_meridiem}"
    return f"{_hour_text(a)} {a_meridiem}{_DASH}{_hour_text(b)} {b_meridiem}"


def day_text(day: date, today: date) -> str:
    """Today, Tomorrow, or Wed, Mar 4."""
    if day == today:
        return "Today"
    if day == today + timedelta(days=1):
        return "Tomorrow"
    return f"{day:%a}, {day:%b} {day.day}"


def window_text(start: datetime, end: datetime, zone: tzinfo) -> str:
    """Wed, Mar 4, 8-10 AM (with an en dash)"""
    local = start.astimezone(zone)
    return f"{local:%a}, {local:%b} {local.day}, {window_hours(start, end, zone)}"


def sentence(text: str) -> str:
    """A service's error message as a sentence: capital first letter, final stop."""
    words = (text or "").strip()
    if not words:
        return "That did not work."
    words = words[0].upper() + words[1:]
    return words if words[-1] in ".!?" else words + "."

"""How engaged a lead is, from the timing and length of their replies.

The thresholds, exactly (docs/agent.md repeats them for administrators):

- A reply's *delay* is the time from the last message we sent before it (agent or
  team member) to the reply. A lead who writes first has no delay (it counts as quick).
- **Hot**: the latest reply came within 5 minutes of the message before it, and the
  lead has replied at least twice within the last 60 minutes.
- **Cool**: the last two replies were both short (3 words or fewer) and slow (more
  than 30 minutes after the message before each).
- **Warm**: the lead has replied within the last 24 hours and is neither Hot nor Cool.
- **Cold**: the lead has not replied for 24 hours, or never replied while follow-ups
  continue (set when the first follow-up goes out).

The functions here are pure: the policy and the cadence feed them times and texts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

QUICK_REPLY = timedelta(minutes=5)
HOT_WINDOW = timedelta(minutes=60)
HOT_MIN_REPLIES = 2
SLOW_REPLY = timedelta(minutes=30)
SHORT_REPLY_WORDS = 3
COLD_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class Reply:
    at: datetime
    words: int
    delay: timedelta | None  # None when nothing of ours came before it


def replies_from(thread: Sequence[tuple[datetime, bool, str]]) -> list[Reply]:
    """The lead's replies with their delays, from the thread in order.

    Each item is (when, written by the lead, text). The order of the thread decides
    what came before a reply, so an answer stamped the same second as the reply it
    answers is not taken for the message before it.
    """
    replies = []
    last_ours: datetime | None = None
    for at, from_lead, body in thread:
        if not from_lead:
            last_ours = at
            continue
        delay = at - last_ours if last_ours is not None else None
        replies.append(Reply(at=at, words=len((body or "").split()), delay=delay))
    return replies


def _quick(reply: Reply) -> bool:
    return reply.delay is None or reply.delay <= QUICK_REPLY


def _short_and_slow(reply: Reply) -> bool:
    return reply.words <= SHORT_REPLY_WORDS and reply.delay is not None and reply.delay > SLOW_REPLY


def engagement_of(replies: Sequence[Reply], *, now: datetime) -> str | None:
    """'hot', 'warm', 'cool' or 'cold' for a lead who has replied; None when they never did."""
    if not replies:
        return None
    latest = replies[-1]
    if now - latest.at >= COLD_AFTER:
        return "cold"
    recent = [r for r in replies if now - r.at <= HOT_WINDOW]
    if _quick(latest) and len(recent) >= HOT_MIN_REPLIES:
        return "hot"
    if len(replies) >= 2 and all(_short_and_slow(r) for r in replies[-2:]):
        return "cool"
    return "warm"

"""The one place domain code reads the time from.

Production uses the wall clock; the simulator and the tests install a virtual
clock with `use_clock`, so cadences and quiet hours can be played in seconds.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class WallClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class VirtualClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a virtual clock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("a clock never goes backwards")
        with self._lock:
            self._now += delta
            return self._now

    def set(self, moment: datetime) -> None:
        with self._lock:
            target = moment.astimezone(UTC)
            if target < self._now:
                raise ValueError("a clock never goes backwards")
            self._now = target


_current: Clock = WallClock()


def now() -> datetime:
    """The current time, aware, in UTC."""
    return _current.now()


def current() -> Clock:
    return _current


@contextmanager
def use_clock(clock: Clock) -> Iterator[Clock]:
    """Run domain code against another clock (the simulator's, a test's)."""
    global _current
    previous = _current
    _current = clock
    try:
        yield clock
    finally:
        _current = previous

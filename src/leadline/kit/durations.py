"""Durations written the way people write them: 90s, 30m, 3h, 2d."""

from __future__ import annotations

import re
from datetime import timedelta

_PATTERN = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str) -> timedelta:
    """Parse '90s', '30m', '3h' or '2d'; ValueError with a readable message otherwise."""
    match = _PATTERN.match(str(text))
    if not match:
        raise ValueError(f"{text!r} is not a duration; write it like 90s, 30m, 3h or 2d")
    amount, unit = match.groups()
    return timedelta(**{_UNITS[unit]: int(amount)})

"""ZIP codes: the state and IANA time zone of a US ZIP, from offline data."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import zipcodes


@dataclass(frozen=True)
class ZipPlace:
    zip: str
    city: str
    state: str
    time_zone: str


@lru_cache(maxsize=4096)
def lookup_zip(zip_code: str) -> ZipPlace | None:
    """The place of a 5-digit US ZIP, or None when it is unknown or malformed."""
    code = (zip_code or "").strip()[:5]
    if len(code) != 5 or not code.isdigit():
        return None
    try:
        matches = zipcodes.matching(code)
    except (TypeError, ValueError):
        return None
    if not matches:
        return None
    row = matches[0]
    return ZipPlace(
        zip=code,
        city=str(row.get("city", "")).title(),
        state=str(row.get("state", "")),
        time_zone=str(row.get("timezone", "")),
    )

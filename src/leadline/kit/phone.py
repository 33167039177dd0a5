"""Phone numbers: parsing to E.164 and the time zones a number implies."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import geocoder
from phonenumbers import timezone as phone_timezone

_UNKNOWN_ZONES = {"Etc/Unknown", ""}


@dataclass(frozen=True)
class ParsedPhone:
    raw: str
    e164: str | None

    @property
    def is_valid(self) -> bool:
        return self.e164 is not None


def parse_phone(raw: str, region: str = "US") -> ParsedPhone:
    """Parse a number as typed by a person; e164 is None when it cannot be dialled."""
    text = (raw or "").strip()
    if not text:
        return ParsedPhone(raw=raw, e164=None)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return ParsedPhone(raw=raw, e164=None)
    if not phonenumbers.is_valid_number(number):
        return ParsedPhone(raw=raw, e164=None)
    return ParsedPhone(
        raw=raw, e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    )


def normalise_phone(raw: str, region: str = "US") -> str:
    """E.164 when the number is valid, else the digits and leading + as typed."""
    parsed = parse_phone(raw, region)
    if parsed.e164:
        return parsed.e164
    text = (raw or "").strip()
    keep = "".join(ch for ch in text if ch.isdigit())
    return ("+" + keep) if text.startswith("+") else keep


def format_phone(e164: str) -> str:
    """A number as people read it: (512) 555-0143 for US numbers."""
    try:
        number = phonenumbers.parse(e164, "US")
    except phonenumbers.NumberParseException:
        return e164
    if not phonenumbers.is_valid_number(number):
        return e164
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 1
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)


def phone_time_zones(e164: str) -> list[str]:
    """IANA zones the number's area code belongs to (several when it is ambiguous)."""
    try:
        number = phonenumbers.parse(e164, "US")
    except phonenumbers.NumberParseException:
        return []
    zones = [z for z in phone_timezone.time_zones_for_number(number) if z not in _UNKNOWN_ZONES]
    return sorted(set(zones))


def phone_region(e164: str) -> str | None:
    """The US state (two letters) of the number's area code, when it is known."""
    try:
        number = phonenumbers.parse(e164, "US")
    except phonenumbers.NumberParseException:
        return None
    description = geocoder.description_for_number(number, "en")
    if not description:
        return None
    # Descriptions read "Texas", "San Antonio, TX" or "Washington State".
    last = description.split(",")[-1].strip()
    if last in _STATE_CODES.values():
        return last
    return _STATE_CODES.get(last.removesuffix(" State"))


_STATE_CODES = {
    "Alabama": "AL",
    "Alaska": "AK",
    "Arizona": "AZ",
    "Arkansas": "AR",
    "California": "CA",
    "Colorado": "CO",
    "Connecticut": "CT",
    "Delaware": "DE",
    "Florida": "FL",
    "Georgia": "GA",
    "Hawaii": "HI",
    "Idaho": "ID",
    "Illinois": "IL",
    "Indiana": "IN",
    "Iowa": "IA",
    "Kansas": "KS",
    "Kentucky": "KY",
    "Louisiana": "LA",
    "Maine": "ME",
    "Maryland": "MD",
    "Massachusetts": "MA",
    "Michigan": "MI",
    "Minnesota": "MN",
    "Mississippi": "MS",
    "Missouri": "MO",
    "Montana": "MT",
    "Nebraska": "NE",
    "Nevada": "NV",
    "New Hampshire": "NH",
    "New Jersey": "NJ",
    "New Mexico": "NM",
    "New York": "NY",
    "North Carolina": "NC",
    "North Dakota": "ND",
    "Ohio": "OH",
    "Oklahoma": "OK",
    "Oregon": "OR",
    "Pennsylvania": "PA",
    "Rhode Island": "RI",
    "South Carolina": "SC",
    "South Dakota": "SD",
    "Tennessee": "TN",
    "Texas": "TX",
    "Utah": "UT",
    "Vermont": "VT",
    "Virginia": "VA",
    "Washington": "WA",
    "West Virginia": "WV",
    "Wisconsin": "WI",
    "Wyoming": "WY",
    "Washington D.C.": "DC",
}

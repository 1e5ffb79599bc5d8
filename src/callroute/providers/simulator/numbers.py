"""Numbers the simulator can "provision": valid numbers of the asked country and type, built
from the phonenumbers library's example number so they pass every validity check."""

from __future__ import annotations

import random

import phonenumbers
from phonenumbers import PhoneNumberType

from callroute.providers.base import AvailableNumber, NumberType

_TYPES = {
    NumberType.LOCAL: PhoneNumberType.FIXED_LINE,
    NumberType.MOBILE: PhoneNumberType.MOBILE,
    NumberType.TOLL_FREE: PhoneNumberType.TOLL_FREE,
}
_TRIES = 400


def candidates(
    country: str,
    number_type: NumberType,
    contains: str | None,
    limit: int,
    taken: set[str],
    seed: int = 0,
) -> list[AvailableNumber]:
    example = phonenumbers.example_number_for_type(country, _TYPES[number_type])
    if example is None:
        return []
    national = str(example.national_number)
    rng = random.Random(f"{country}-{number_type}-{seed}")  # noqa: S311 (fake numbers)
    found: list[AvailableNumber] = []
    for _ in range(_TRIES):
        if len(found) >= limit:
            break
        # Keep the example's leading digits (its area / range) and vary the rest.
        keep = max(1, len(national) - 4)
        digits = national[:keep] + "".join(str(rng.randrange(10)) for _ in national[keep:])
        parsed = phonenumbers.parse(f"+{example.country_code}{digits}", None)
        if phonenumbers.number_type(parsed) not in (
            _TYPES[number_type],
            PhoneNumberType.FIXED_LINE_OR_MOBILE,
        ):
            continue
        if not phonenumbers.is_valid_number(parsed):
            continue
        e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        if e164 in taken or (contains and contains not in e164):
            continue
        taken.add(e164)
        found.append(AvailableNumber(e164, country, number_type))
    return found

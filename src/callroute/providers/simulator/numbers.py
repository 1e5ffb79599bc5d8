"""Numbers the simulator can "provision": valid numbers of the asked country and type, built
from the phonenumbers library's example number so they pass every validity check."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator

import phonenumbers
from phonenumbers import PhoneNumberType

from callroute.providers.base import AvailableNumber, NumberType, TakenNumbers

_TYPES = {
    NumberType.LOCAL: PhoneNumberType.FIXED_LINE,
    NumberType.MOBILE: PhoneNumberType.MOBILE,
    NumberType.TOLL_FREE: PhoneNumberType.TOLL_FREE,
}
_TRIES = 400
_BATCH = 20  # candidates asked about at once


def candidates(
    country: str, number_type: NumberType, contains: str | None, seed: int = 0
) -> Iterator[str]:
    """Valid numbers (E.164) of the country and type with ``contains`` in them, each once, in
    the same order every time."""
    example = phonenumbers.example_number_for_type(country, _TYPES[number_type])
    if example is None:
        return
    national = str(example.national_number)
    rng = random.Random(f"{country}-{number_type}-{seed}")  # noqa: S311 (fake numbers)
    seen: set[str] = set()
    for _ in range(_TRIES):
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
        if e164 in seen or (contains and contains not in e164):
            continue
        seen.add(e164)
        yield e164


async def available(
    country: str,
    number_type: NumberType,
    contains: str | None,
    limit: int,
    taken: TakenNumbers,
) -> list[AvailableNumber]:
    """The first ``limit`` candidates that no project holds, asking ``taken`` about a batch of
    candidates at a time (one query, unless the first batch is mostly held)."""
    found: list[str] = []
    pending = candidates(country, number_type, contains)
    while len(found) < limit and (batch := list(itertools.islice(pending, max(limit, _BATCH)))):
        held = await taken(batch)
        found += [number for number in batch if number not in held][: limit - len(found)]
    return [AvailableNumber(number, country, number_type) for number in found]

"""A live call router's phone number: claimed through the project's provider connection.

Rootly allocates a number of the asked country and type for each router. Here the number
comes from the project's oldest enabled connection: the one given (from
``generate_phone_number``, or one the project owns), or, when none is given, any number the
connection offers for the country and type. Whether a number may be claimed or routed is the
core's to say (``NumberService``, ``RouterService``); errors name Rootly's attribute.
"""

from __future__ import annotations

import uuid

import phonenumbers
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.clock import Clock
from callroute.compat.fields import native_fields
from callroute.compat.rootly.repository import DirectoryLookups
from callroute.compat.rootly.schemas import CountryCode, PhoneType
from callroute.errors import Forbidden, ValidationFailed
from callroute.models import PhoneNumber, ProviderConnection
from callroute.numbers.repository import NumberRepository
from callroute.numbers.schemas import NumberClaim
from callroute.numbers.service import NumberService
from callroute.providers.base import NumberSearch, NumberType, ProviderEnv


def attribute(name: str) -> str:
    """The path of an attribute in a request document, for error messages."""
    return f"data.attributes.{name}"


# Native fields that mean the router's phone number, in core errors.
NUMBER_FIELDS = {"number": attribute("phone_number"), "phone_number_ids": attribute("phone_number")}


class RouterNumbers:
    def __init__(
        self,
        session: AsyncSession,
        project_id: uuid.UUID,
        clock: Clock,
        lookups: DirectoryLookups,
        env: ProviderEnv | None = None,
    ) -> None:
        self.session = session
        self.project_id = project_id
        self.clock = clock
        self.lookups = lookups
        self.env = env

    async def offer(self, country: CountryCode, phone_type: PhoneType) -> str:
        """A number the project's connection can provision now (not yet claimed)."""
        connection = await self._connection(None)
        return await self._search(connection, country, phone_type, "country_code")

    async def for_new_router(
        self,
        country: CountryCode,
        phone_type: PhoneType,
        wanted: str | None,
        *,
        may_claim: bool,
    ) -> PhoneNumber:
        if wanted is not None:
            owned = await self._owned(country, phone_type, wanted)
            if owned is not None:
                return owned
        if not may_claim:
            raise Forbidden("claiming a phone number needs the 'numbers:write' permission")
        field = attribute("phone_number")
        connection = await self._connection(field)
        if wanted is None:
            wanted = await self._search(connection, country, phone_type, attribute("country_code"))
        claim = NumberClaim(
            connection_id=connection.id, number=wanted, type=NumberType(phone_type.value)
        )
        numbers = NumberService(self.session, self.project_id, self.clock, self.env)
        with native_fields(NUMBER_FIELDS):
            return await numbers.claim(claim)

    async def _owned(
        self, country: CountryCode, phone_type: PhoneType, wanted: str
    ) -> PhoneNumber | None:
        """The project's own row for ``wanted``; None when it is to be claimed. That another
        router routes it is said when the router is created with it."""
        field = attribute("phone_number")
        row = await NumberRepository(self.session, self.project_id).by_number(wanted)
        if row is None:
            numbers = NumberService(self.session, self.project_id, self.clock, self.env)
            # Held by another project: say so before asking for a permission to claim it.
            with native_fields(NUMBER_FIELDS):
                await numbers.check_claimable(wanted)
            # Toll-free numbers are shared by several countries: ask "valid there?", not
            # "whose is it?".
            parsed = phonenumbers.parse(wanted, None)
            if not phonenumbers.is_valid_number_for_region(parsed, country.value):
                raise ValidationFailed(
                    f"{field}: {wanted} is not a number of {country.value} (country_code)",
                    field=field,
                )
            return None
        for name, stored, asked in (
            ("country_code", row.country, country.value),
            ("phone_type", row.number_type, phone_type.value),
        ):
            if stored != asked:
                mismatch = attribute(name)
                raise ValidationFailed(
                    f"{mismatch}: the project's number {wanted} is {stored}, not {asked}",
                    field=mismatch,
                )
        return row

    async def _search(
        self,
        connection: ProviderConnection,
        country: CountryCode,
        phone_type: PhoneType,
        field: str,
    ) -> str:
        search = NumberSearch(country.value, NumberType(phone_type.value), limit=1)
        numbers = NumberService(self.session, self.project_id, self.clock, self.env)
        offered = await numbers.offered(connection, search)
        if not offered:
            raise ValidationFailed(
                f"{field}: no {phone_type.value} numbers available in {country.value}; "
                "try another phone_type or country_code",
                field=field,
            )
        return offered[0].number

    async def _connection(self, field: str | None) -> ProviderConnection:
        connection = await self.lookups.first_connection()
        if connection is None:
            raise ValidationFailed(
                (f"{field}: " if field else "")
                + "this project has no enabled provider connection to take numbers from; "
                "add one with POST /api/v1/connections",
                field=field,
            )
        return connection

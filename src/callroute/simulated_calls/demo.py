"""The demo project `make run` creates on an empty database: people, a schedule, a policy,
and a router on a simulator number, so a newcomer can place a call at once."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.api_keys.schemas import ApiKeyCreate
from callroute.api_keys.service import ApiKeyService
from callroute.auth.permissions import Role
from callroute.clock import Clock
from callroute.connections.schemas import ConnectionCreate, ConnectionKind
from callroute.connections.service import ConnectionService
from callroute.console.service import set_password
from callroute.crypto import SecretKeys
from callroute.escalation_policies.schemas import PolicyCreate
from callroute.escalation_policies.service import PolicyService
from callroute.members.schemas import MemberCreate
from callroute.members.service import MemberService
from callroute.numbers.repository import NumberRepository
from callroute.numbers.schemas import NumberClaim
from callroute.numbers.service import NumberService
from callroute.projects.repository import ProjectRepository
from callroute.projects.service import ProjectService
from callroute.routers.schemas import RouterCreate
from callroute.routers.service import RouterService
from callroute.schedules.schemas import ScheduleCreate
from callroute.schedules.service import ScheduleService

DEMO_SLUG = "demo"
DEMO_CALLER = "+14155550199"


DEMO_OWNER_EMAIL = "owner@demo.example"


@dataclass(frozen=True)
class Demo:
    number: str
    api_key: str | None  # only when the demo was created just now
    console_password: str | None = None  # the demo owner's, likewise shown once
    console_email: str = DEMO_OWNER_EMAIL

    def simulate_command(self) -> str:
        """Placed through the server `make run` serves; the key is named when it was just
        made (otherwise the user's profile or CALLROUTE_API_KEY has it)."""
        key = f' --api-key "{self.api_key}"' if self.api_key else ""
        return (
            f'.venv/bin/callroute simulate call --to "{self.number}" --from "{DEMO_CALLER}"'
            f' --digits 1 --script "Ann=no-answer,Bob=voicemail,Chris=no-answer"{key}'
        )


async def seed_demo(session: AsyncSession, clock: Clock, secret_keys: SecretKeys) -> Demo:
    """Create the demo project unless it exists; either way say how to call it."""
    existing = await ProjectRepository(session).by_slug(DEMO_SLUG)
    if existing is not None:
        number = await NumberRepository(session, existing.id).a_routed_number()
        return Demo(number or "", None)
    project = await ProjectService(session, clock).create("Demo")
    pid = project.id
    _row, key = await ApiKeyService(session, pid, clock).create(
        ApiKeyCreate(name="demo owner", role=Role.OWNER), granter=None
    )
    members = MemberService(session, pid, clock)
    people = {}
    for name, number in (
        ("Ann", "+14155550101"),
        ("Bob", "+14155550102"),
        ("Chris", "+14155550103"),
    ):
        people[name] = await members.create(
            MemberCreate.model_validate(
                {"name": name, "role": "admin", "phones": [{"number": number}]}
            )
        )
    start = (clock.now() - timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    schedule = await ScheduleService(session, pid, clock).create(
        ScheduleCreate.model_validate(
            {
                "name": "Demo on-call",
                "time_zone": "UTC",
                "layers": [
                    {
                        "name": "Daily",
                        "start": start.isoformat(),
                        "rotation_length": 1,
                        "rotation_unit": "days",
                        "handoff_time": "09:00",
                        "member_ids": [str(people["Ann"].id), str(people["Bob"].id)],
                    }
                ],
            }
        )
    )
    policy = await PolicyService(session, pid, clock).create(
        PolicyCreate.model_validate(
            {
                "name": "Demo escalation",
                "levels": [
                    {
                        "ring_timeout_seconds": 15,
                        "targets": [{"type": "schedule", "id": str(schedule.id)}],
                    },
                    {
                        "ring_timeout_seconds": 15,
                        "strategy": "simultaneous",
                        "targets": [{"type": "member", "id": str(p.id)} for p in people.values()],
                    },
                ],
            }
        )
    )
    connection = await ConnectionService(session, pid, clock, secret_keys).create(
        ConnectionCreate(name="Simulator", kind=ConnectionKind.SIMULATOR)
    )
    claimed = await NumberService(session, pid, clock).claim(
        NumberClaim(connection_id=connection.id, country="US")
    )
    await RouterService(session, pid, clock).create(
        RouterCreate.model_validate(
            {
                "name": "Demo hotline",
                "phone_number_ids": [str(claimed.id)],
                "greeting": {"text": "Thanks for calling the demo hotline."},
                "menu": {
                    "prompt": {"text": "Press 1 for the on-call engineer, 2 to leave a message."},
                    "options": [
                        {
                            "digit": "1",
                            "action": {
                                "type": "ring",
                                "label": "On-call engineer",
                                "target": {"type": "escalation_policy", "id": str(policy.id)},
                            },
                        },
                        {"digit": "2", "action": {"type": "voicemail", "label": "Voicemail"}},
                    ],
                    "default_digit": "1",
                },
                "ringing": {"between_attempts_message": {"text": "Still trying to reach someone."}},
                "fallback": "voicemail",
            }
        )
    )
    # The console's first owner: signs in with this e-mail and a password shown once.
    owner = await members.create(
        MemberCreate.model_validate(
            {"name": "Demo Owner", "email": DEMO_OWNER_EMAIL, "role": "owner", "phones": []}
        )
    )
    password = secrets.token_urlsafe(12)
    await set_password(session, owner, password)
    return Demo(claimed.number, key, password)

"""Roles and the permissions they grant.

A permission is ``<resource>:<action>`` with action ``read`` or ``write``; ``write`` implies
``read`` of the same resource. Resources are listed up front so that keys can be scoped to
resources before their endpoints exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"


RESOURCES: tuple[str, ...] = (
    "project",
    "members",
    "api_keys",
    "teams",
    "schedules",
    "escalation_policies",
    "services",
    "urgencies",
    "contacts",
    "connections",
    "numbers",
    "routers",
    "calls",
    "alerts",
    "webhooks",
)
ACTIONS: tuple[str, ...] = ("read", "write")
ALL_PERMISSIONS: frozenset[str] = frozenset(f"{r}:{a}" for r in RESOURCES for a in ACTIONS)

_READ_ALL = frozenset(f"{r}:read" for r in RESOURCES)
# What people on a rota do day to day: take calls, handle alerts, keep caller details.
_MEMBER_WRITES = frozenset({"calls:write", "alerts:write", "contacts:write"})

ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.OWNER: ALL_PERMISSIONS,
    # Admins run the project but cannot change the project itself (rename, delete).
    Role.ADMIN: ALL_PERMISSIONS - {"project:write"},
    Role.MEMBER: _READ_ALL | _MEMBER_WRITES,
    Role.VIEWER: _READ_ALL,
}

ROLE_RANK: dict[Role, int] = {Role.VIEWER: 0, Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}


def expand(permissions: Iterable[str]) -> frozenset[str]:
    """Add the reads implied by writes."""
    granted = set(permissions)
    for permission in list(granted):
        resource, _, action = permission.partition(":")
        if action == "write":
            granted.add(f"{resource}:read")
    return frozenset(granted)


def unknown_permissions(permissions: Iterable[str]) -> list[str]:
    return sorted(p for p in permissions if p not in ALL_PERMISSIONS)


def permissions_for(role: str | None, explicit: Iterable[str] | None) -> frozenset[str]:
    if role is not None:
        return ROLE_PERMISSIONS[Role(role)]
    return expand(explicit or ())

"""OneUptime's permissions, mapped onto callroute's.

OneUptime lets Project Owner, Admin and Member (and keys granted "Create/Edit/Delete/Read
<resource>") change incoming call policies. callroute grants by resource and action: the
OneUptime permission a request needs is checked as the callroute permissions that protect the
same data, so this API never lets a key do more than the native one would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from callroute.auth.principal import Principal
from callroute.compat.oneuptime.errors import NotAuthorized


class Action(StrEnum):
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    DELETE = "delete"


# How OneUptime names the permission for each action in its messages.
_WORD = {
    Action.CREATE: "Create",
    Action.READ: "Read",
    Action.UPDATE: "Edit",
    Action.DELETE: "Delete",
}


@dataclass(frozen=True)
class Access:
    noun: str  # "Incoming Call Policy"
    reads: tuple[str, ...]  # callroute permissions needed to read
    writes: tuple[str, ...] = ()  # ... and to create, update or delete
    read_all: bool = True  # "Read All Project Resources" grants reading (the API reference)

    def needed(self, action: Action) -> tuple[str, ...]:
        return self.reads if action is Action.READ else self.writes

    def check(self, principal: Principal, action: Action) -> None:
        needed = self.needed(action)
        missing = [p for p in needed if not principal.can(p)]
        if missing:
            raise NotAuthorized(
                f"You do not have permissions to {action.value} {self.noun}. You need one of "
                f"these permissions: {', '.join(self.oneuptime_names(action))} (in callroute: "
                f"{_and(missing)})."
            )

    def oneuptime_names(self, action: Action) -> list[str]:
        names = ["Project Owner", "Project Admin", "Project Member", f"{_WORD[action]} {self.noun}"]
        if action is Action.READ and self.read_all:
            names.append("Read All Project Resources")
        return names


def _and(permissions: Sequence[str]) -> str:
    quoted = [f"'{p}'" for p in permissions]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]

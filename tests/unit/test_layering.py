"""The layering rules (``tests/layering.py``) hold for every module of ``src/callroute``.

Each rule is one test listing every violation, module, line and import; the checker is itself
tested on made-up modules, so that a check which finds nothing cannot pass by accident.
"""

from __future__ import annotations

from functools import cache

import pytest

from tests.layering import (
    PACKAGE,
    RULES,
    Module,
    Project,
    Rule,
    engine_is_pure,
    load_module,
    providers_are_adapters,
    repositories_in_repository_modules,
    services_know_no_http,
    sql_only_in_repositories,
)


@cache
def source_project() -> Project:
    return Project([load_module(path) for path in sorted(PACKAGE.rglob("*.py"))])


@pytest.mark.parametrize("rule", RULES.values(), ids=RULES.keys())
def test_layering_rule_holds(rule: Rule) -> None:
    found = source_project().check(rule)
    if found:
        pytest.fail(f"{len(found)} violation(s):\n" + "\n".join(map(str, found)), pytrace=False)


def test_every_module_is_checked() -> None:
    names = source_project().names
    assert len(names) > 200
    assert {"callroute.app", "callroute.engine.callflow.machine", "callroute.migrations.env"} <= (
        names
    )
    assert "callroute.providers.twilio.routes" in source_project().routes


# -- the checker, on made-up modules -----------------------------------------------------------


def _check(rule: Rule, name: str, source: str) -> list[str]:
    """``rule``'s violations in one made-up module, checked among the real ones."""
    made_up = Module.parse(name, name.rpartition(".")[2] + ".py", source)
    project = Project([*(m for m in source_project().modules if m.name != name), made_up])
    return [str(v) for v in project.check(rule, only=name)]


@pytest.mark.parametrize(
    ("rule", "name", "source", "reported"),
    [
        (engine_is_pure, "callroute.engine.fake", "import httpx", "import httpx"),
        (
            repositories_in_repository_modules,
            "callroute.fake.routes",
            "class BotRepository:\n    pass",
            "class BotRepository",
        ),
        (
            repositories_in_repository_modules,
            "callroute.fake.service",
            "from callroute.db.repository import ScopedRepository\n"
            "class Numbers(ScopedRepository[Number]):\n    pass",
            "class Numbers",
        ),
        (
            engine_is_pure,
            "callroute.engine.fake",
            "def f():\n    from callroute.models import Call",
            "from callroute.models import Call",
        ),
        (
            engine_is_pure,
            "callroute.engine.fake",
            "from callroute import clock",
            "from callroute import clock",
        ),
        (
            services_know_no_http,
            "callroute.fake.service",
            "from callroute.api.errors import validation_failed",
            "from callroute.api.errors import validation_failed",
        ),
        (
            services_know_no_http,
            "callroute.fake.repository",
            "from callroute.bots.api import BotRepository",
            "from callroute.bots.api import BotRepository",
        ),
        (
            services_know_no_http,
            "callroute.fake.inbox_repository",
            "from callroute.providers.twilio import routes",
            "from callroute.providers.twilio import routes",
        ),
        (
            services_know_no_http,
            "callroute.fake.service",
            "from ..compat.oneuptime.crud import Resource",
            "from callroute.compat.oneuptime.crud import Resource",
        ),
        (
            sql_only_in_repositories,
            "callroute.fake.service",
            "from sqlalchemy import select",
            "from sqlalchemy import select",
        ),
        (
            sql_only_in_repositories,
            "callroute.fake.loader",
            "from sqlalchemy.dialects.sqlite import insert",
            "from sqlalchemy.dialects.sqlite import insert",
        ),
        (
            sql_only_in_repositories,
            "callroute.fake.service",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sqlalchemy import func",
            "from sqlalchemy import func",
        ),
        (
            sql_only_in_repositories,
            "callroute.fake.service",
            "from sqlalchemy import Select",
            "from sqlalchemy import Select",
        ),
        (
            sql_only_in_repositories,
            "callroute.fake.service",
            "import sqlalchemy as sa",
            "import sqlalchemy",
        ),
        (
            sql_only_in_repositories,
            "callroute.fake.service",
            "async def f(self):\n    await self.session.execute('DELETE FROM calls')",
            "self.session.execute(...)",
        ),
        (
            sql_only_in_repositories,
            "callroute.fake.routes",
            "async def f(session, stmt):\n    return await paginate(session, stmt, **paging)",
            "paginate(...)",
        ),
        (
            sql_only_in_repositories,
            "callroute.fake.service",
            "def f(self):\n    return self.repo.scoped().where(Call.id == 1)",
            "self.repo.scoped(...)",
        ),
        (
            sql_only_in_repositories,
            "callroute.fake.service",
            "async def f(session):\n    await (await session.connection()).execute(stmt)",
            "execute(...)",
        ),
        (
            providers_are_adapters,
            "callroute.providers.fake",
            "from callroute.timers.store import TimerStore",
            "from callroute.timers.store import TimerStore",
        ),
        (
            providers_are_adapters,
            "callroute.providers.fake",
            "from callroute.calls import repository",
            "from callroute.calls import repository",
        ),
        (
            providers_are_adapters,
            "callroute.providers.twilio.fake",
            "from callroute.calls.runtime import CallRuntime",
            "from callroute.calls.runtime import CallRuntime",
        ),
    ],
)
def test_a_violation_is_reported(rule: Rule, name: str, source: str, reported: str) -> None:
    found = _check(rule, name, source)
    assert len(found) == 1, found
    assert found[0].startswith(f"{name}:")
    assert reported in found[0]


@pytest.mark.parametrize(
    ("rule", "name", "source"),
    [
        (
            engine_is_pure,
            "callroute.engine.fake",
            "from __future__ import annotations\nimport json\nfrom callroute.errors import "
            "ValidationFailed\nfrom callroute.engine.callflow import model\nfrom . import schedule",
        ),
        (
            services_know_no_http,
            "callroute.fake.service",
            "from callroute.api_keys.repository import ApiKeyLookup\n"
            "from callroute.outgoing_webhooks import delivery\n"
            "from callroute.db.pagination import Cursor",
        ),
        (
            sql_only_in_repositories,
            "callroute.fake.service",
            "from typing import TYPE_CHECKING\nfrom sqlalchemy import exc\nfrom sqlalchemy.ext."
            "asyncio import AsyncSession\nif TYPE_CHECKING:\n    from sqlalchemy import Select\n"
            "async def f(session):\n    await session.get(Call, 1)\n    connect.stream(url)",
        ),
        (
            sql_only_in_repositories,
            "callroute.fake.inbox_repository",
            "from sqlalchemy.dialects.sqlite import insert\nimport sqlalchemy as sa\n"
            "async def f(session):\n    await session.execute(sa.text('SELECT 1'))",
        ),
        (
            sql_only_in_repositories,
            "callroute.db.fake",
            "from sqlalchemy import func, select",
        ),
        (
            providers_are_adapters,
            "callroute.providers.fake",
            "from callroute.calls.ingress import Ingress\nfrom callroute.calls import ingress\n"
            "from callroute.engine.callflow import model",
        ),
        (
            repositories_in_repository_modules,
            "callroute.fake.repository",
            "from callroute.db.repository import ScopedRepository\n"
            "class BotRepository(ScopedRepository[Bot]):\n    pass",
        ),
        (
            repositories_in_repository_modules,
            "callroute.fake.inbox_repository",
            "class InboxRepository:\n    pass",
        ),
    ],
)
def test_what_is_allowed_passes(rule: Rule, name: str, source: str) -> None:
    assert _check(rule, name, source) == []

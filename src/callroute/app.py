"""FastAPI application factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from callroute import __version__, ops
from callroute.alerts.routes import router as alerts_router
from callroute.api import docs
from callroute.api.deps import API_PREFIX
from callroute.api.errors import NATIVE_ERROR_SCHEMA, install_error_handlers, native_renderer
from callroute.api.middleware import RequestContextMiddleware
from callroute.api.routing import add_routes
from callroute.api_keys.routes import router as api_keys_router
from callroute.app_context import AppContext
from callroute.bots.routes import router as bots_router
from callroute.calls.routes import router as calls_router
from callroute.catalog.routes import router as services_router
from callroute.compat import oneuptime, rootly, vcita, voicelink
from callroute.config import Settings
from callroute.config_documents.routes import router as config_router
from callroute.connections.routes import router as connections_router
from callroute.console.routes import ROUTERS as CONSOLE_ROUTERS
from callroute.console.web import STATIC_DIR as CONSOLE_STATIC
from callroute.contacts.routes import router as contacts_router
from callroute.db.schema import require_current_schema
from callroute.db.session import Database
from callroute.escalation_policies.routes import router as policies_router
from callroute.members.routes import router as members_router
from callroute.numbers.routes import router as numbers_router
from callroute.outgoing_webhooks.routes import router as webhooks_router
from callroute.projects.routes import router as projects_router
from callroute.providers.twilio import routes as twilio_webhooks
from callroute.routers.routes import router as routers_router
from callroute.schedules.routes import member_calendar_router
from callroute.schedules.routes import router as schedules_router
from callroute.simulated_calls.routes import router as simulator_router
from callroute.sip_trunks.routes import router as sip_trunks_router
from callroute.teams.routes import router as teams_router
from callroute.urgencies.routes import router as urgencies_router

DESCRIPTION = """
callroute routes live phone calls to whoever is on call.

**Authentication**: every `/api/v1` endpoint takes an API key as `Authorization: Bearer <key>`
or `ApiKey: <key>`. Keys belong to one project and see only that project's data.

**Errors** always have the shape `{"error": {"code", "message", "field"}}` (`field` when one
input is to blame). **Lists** take `limit` (1-200, default 50), `cursor` (the previous page's
`next_cursor`) and `sort` (a field, `-field` for descending) and return `data`, `total` and
`next_cursor`.
"""


NATIVE_ROUTERS: tuple[APIRouter, ...] = (
    projects_router,
    api_keys_router,
    members_router,
    member_calendar_router,
    teams_router,
    schedules_router,
    policies_router,
    services_router,
    urgencies_router,
    contacts_router,
    connections_router,
    numbers_router,
    sip_trunks_router,
    bots_router,
    routers_router,
    calls_router,
    alerts_router,
    webhooks_router,
    config_router,
    simulator_router,
)


def serve_app() -> FastAPI:
    """The app of `callroute serve`, built in each of its worker processes: logging is set up
    here, in the process that logs, from the same settings as the command's."""
    from callroute.config import load_settings
    from callroute.logging import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings)


def create_app(
    settings: Settings | None = None,
    *,
    ctx: AppContext | None = None,
    check_schema: bool = True,
    run_timers: bool | None = None,
) -> FastAPI:
    """Build the app. Give ``ctx`` to share a database and clock (tests, embedded runner);
    otherwise one is made from ``settings`` and disposed of at shutdown. ``run_timers``
    starts the in-process timer runner (default: on, unless CALLROUTE_RUN_TIMERS=false)."""
    owns_db = ctx is None
    if ctx is None:
        settings = settings or Settings()
        ctx = AppContext(
            settings=settings,
            db=Database(settings.database_url, connect_timeout=settings.db_connect_timeout_seconds),
        )

    start_runner = ctx.settings.run_timers if run_timers is None else run_timers

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if check_schema:
            await require_current_schema(ctx.db.engine)
        stop = asyncio.Event()
        task = None
        if start_runner:
            from callroute.timers.runner import Runner

            runner = Runner(ctx)
            ctx.runner = runner
            task = asyncio.create_task(runner.run(stop))
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await task
            if owns_db:
                await ctx.http.aclose()
                await ctx.db.dispose()

    app = FastAPI(
        title="callroute",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url=None,  # api/docs.py serves /docs without a CDN
        redoc_url=None,
    )
    app.state.ctx = ctx
    install_error_handlers(app, ctx.renderers)
    # The native API's shape on its own prefix, whatever wider one a layer answers (OneUptime's
    # is all of /api).
    ctx.renderers.register(API_PREFIX, native_renderer, NATIVE_ERROR_SCHEMA)
    docs.install(app)
    app.add_middleware(
        RequestContextMiddleware,
        metrics=ctx.metrics,
        renderers=ctx.renderers,
        max_body_bytes=ctx.settings.max_body_bytes,
    )
    add_routes(app, ops.router)
    # Routes are matched in order, one router after another: the ones a ringing phone waits on
    # (the provider's webhooks, a simulated call) come first.
    add_routes(app, twilio_webhooks.router)
    twilio_webhooks.install(ctx.renderers)
    add_routes(app, simulator_router)
    for router in NATIVE_ROUTERS:
        if router is not simulator_router:
            add_routes(app, router)
    for console_router in CONSOLE_ROUTERS:
        add_routes(app, console_router)
    app.mount("/console/static", StaticFiles(directory=CONSOLE_STATIC), name="console-static")
    vcita.install(app, ctx)
    rootly.install(app, ctx)
    oneuptime.install(app, ctx)
    voicelink.install(app, ctx)
    return app

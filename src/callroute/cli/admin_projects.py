"""Admin commands on a project's rows in the database: init, projects, demo, api-key, member."""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from callroute.auth.permissions import Role
from callroute.cli.database import admin_settings, database, run
from callroute.cli.output import out, show
from callroute.clock import SystemClock
from callroute.errors import ConfigError

if TYPE_CHECKING:
    from callroute.models import Project
    from callroute.simulated_calls.demo import Demo

ADMIN = "Admin (on the database)"
api_key_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
member_app = typer.Typer(help="Members' console sign-in.", no_args_is_help=True)
ProjectRef = Annotated[str, typer.Option(help="Project slug or id (see `callroute projects`).")]


def init(
    project: Annotated[str, typer.Option("--project", help="Name of the new project.")],
    key_name: Annotated[str, typer.Option(help="Name of the owner key.")] = "owner key",
) -> None:
    """Create a project and an owner API key; the key is printed alone on the last line."""
    from callroute.api_keys.schemas import ApiKeyCreate
    from callroute.api_keys.service import ApiKeyService
    from callroute.projects.service import ProjectService

    settings = admin_settings("init")

    async def go() -> tuple[str, str, str]:
        db = database(settings)
        try:
            async with db.unit_of_work() as session:
                clock = SystemClock()
                created = await ProjectService(session, clock).create(project)
                _row, secret = await ApiKeyService(session, created.id, clock).create(
                    ApiKeyCreate(name=key_name, role=Role.OWNER), granter=None
                )
                return created.slug, str(created.id), secret
        finally:
            await db.dispose()

    slug, project_id, secret = run(go)
    out.print(f"created project {slug} ({project_id}) and an owner API key.")
    out.print("The key is shown once; store it now:")
    print(secret)


def projects() -> None:
    """List the database's projects: the slugs and ids `--project` takes."""
    from callroute.projects.repository import ProjectRepository

    settings = admin_settings("projects")

    async def go() -> list[Project]:
        db = database(settings)
        try:
            async with db.unit_of_work(readonly=True) as session:
                return await ProjectRepository(session).all()
        finally:
            await db.dispose()

    table = Table("slug", "name", "id", "created", box=None, pad_edge=False)
    for project in run(go):
        table.add_row(project.slug, project.name, str(project.id), f"{project.created_at:%Y-%m-%d}")
    show(table)


def demo() -> None:
    """Create the demo project (once) and print a `callroute simulate` command to try it."""
    from callroute.simulated_calls.demo import seed_demo

    settings = admin_settings("demo")
    secret_keys = settings.secret_keys()

    async def go() -> Demo:
        db = database(settings)
        try:
            async with db.unit_of_work() as session:
                return await seed_demo(session, SystemClock(), secret_keys)
        finally:
            await db.dispose()

    seeded = run(go)
    if seeded.api_key:
        out.print(f"Created the demo project with the simulator number {seeded.number}.")
        out.print(f"Its owner API key (shown once): {seeded.api_key}")
    if seeded.console_password:
        out.print(
            f"Sign in to the console at {settings.public_url}/ as {seeded.console_email} "
            f"with the password (shown once): {seeded.console_password}"
        )
    out.print(
        "With the server running, place a call through greeting, menu, two escalation "
        "levels and voicemail with:"
    )
    print(f"  {seeded.simulate_command()}")


@api_key_app.command("create")
def api_key_create(
    project: ProjectRef,
    name: Annotated[str, typer.Option(help="What the key is for.")],
    role: Annotated[Role | None, typer.Option(help="Grant a role.")] = None,
    permission: Annotated[
        list[str] | None, typer.Option(help="Grant one permission (repeatable), e.g. routers:read.")
    ] = None,
    expires_in_days: Annotated[int | None, typer.Option(min=1, help="Expire after N days.")] = None,
) -> None:
    """Create an API key; the key is printed alone on the last line."""
    from callroute.api_keys.schemas import ApiKeyCreate
    from callroute.api_keys.service import ApiKeyService
    from callroute.projects.service import ProjectService

    clock = SystemClock()
    expires_at = clock.now() + timedelta(days=expires_in_days) if expires_in_days else None
    if (role is None) == (not permission):
        raise ConfigError("give exactly one of --role or --permission")
    data = ApiKeyCreate(name=name, role=role, permissions=permission, expires_at=expires_at)
    settings = admin_settings("api-key")

    async def go() -> str:
        db = database(settings)
        try:
            async with db.unit_of_work() as session:
                found = await ProjectService(session, clock).find(project)
                _row, secret = await ApiKeyService(session, found.id, clock).create(
                    data, granter=None
                )
                return secret
        finally:
            await db.dispose()

    secret = run(go)
    out.print("The key is shown once; store it now:")
    print(secret)


@api_key_app.command("list")
def api_key_list(project: ProjectRef) -> None:
    """List a project's API keys (never their secrets)."""
    from callroute.api_keys.schemas import ApiKeyListQuery
    from callroute.api_keys.service import ApiKeyService
    from callroute.projects.service import ProjectService

    settings = admin_settings("api-key")
    clock = SystemClock()
    table = Table("prefix", "name", "access", "created", "last used", "status")

    async def go() -> None:
        db = database(settings)
        try:
            async with db.unit_of_work(readonly=True) as session:
                found = await ProjectService(session, clock).find(project)
                service = ApiKeyService(session, found.id, clock)
                query = ApiKeyListQuery(limit=200)
                while True:
                    page = await service.page(query)
                    for key in page.rows:
                        if key.revoked_at:
                            status = "revoked"
                        elif key.expires_at and key.expires_at <= clock.now():
                            status = "expired"
                        else:
                            status = "active"
                        table.add_row(
                            key.prefix,
                            key.name,
                            key.role or ",".join(key.permissions or []),
                            f"{key.created_at:%Y-%m-%d %H:%M}",
                            f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never",
                            status,
                        )
                    if page.next_cursor is None:
                        break
                    query = ApiKeyListQuery(limit=200, cursor=page.next_cursor)
        finally:
            await db.dispose()

    run(go)
    show(table)


@api_key_app.command("revoke")
def api_key_revoke(
    key: Annotated[str, typer.Argument(help="The key's id or visible prefix (crk_...).")],
    project: ProjectRef,
) -> None:
    """Revoke an API key; it stops working at once."""
    from callroute.api_keys.service import ApiKeyService
    from callroute.projects.service import ProjectService

    settings = admin_settings("api-key")
    clock = SystemClock()

    async def go() -> str:
        db = database(settings)
        try:
            async with db.unit_of_work() as session:
                found = await ProjectService(session, clock).find(project)
                row = await ApiKeyService(session, found.id, clock).revoke(key)
                return row.prefix
        finally:
            await db.dispose()

    out.print(f"revoked {run(go)}")


@member_app.command("set-password")
def member_set_password(
    project: ProjectRef,
    email: Annotated[str, typer.Option(help="The member's e-mail address.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set the password a member signs in to the web console with (at least 12 characters)."""
    from callroute.console.service import set_password
    from callroute.members.repository import MemberRepository
    from callroute.projects.service import ProjectService

    settings = admin_settings("member")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)

    async def go() -> str:
        db = database(settings)
        try:
            async with db.unit_of_work() as session:
                found = await ProjectService(session, SystemClock()).find(project)
                member = await MemberRepository(session, found.id).by_email(email)
                if member is None:
                    raise ConfigError(f"no member with the e-mail {email!r} in {found.slug}")
                try:
                    await set_password(session, member, password)
                except ValueError as exc:
                    raise ConfigError(str(exc)) from exc
                return f"{member.name} <{email}> in {found.slug}"
        finally:
            await db.dispose()

    out.print(f"password set for {run(go)}")


def register(app: typer.Typer) -> None:
    for command in (init, projects, demo):
        app.command(rich_help_panel=ADMIN)(command)
    app.add_typer(api_key_app, name="api-key", rich_help_panel=ADMIN)
    app.add_typer(member_app, name="member", rich_help_panel=ADMIN)

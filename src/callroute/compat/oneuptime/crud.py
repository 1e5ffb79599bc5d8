"""OneUptime's generic CRUD routes (``BaseAPI``), served for any resource.

Every resource gets the same endpoints: create, ``get-list`` (GET or POST), ``count``,
``/:id/get-item`` (GET or POST), update by ``PUT /:id`` or ``GET|POST /:id/update-item``,
delete by ``DELETE /:id`` or ``GET|POST /:id/delete-item``. The GET variants of update and
delete exist for clients that cannot send PUT or DELETE: they write, so they get a writing unit
of work whatever their method.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Protocol, runtime_checkable

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.api.deps import get_ctx, get_principal
from callroute.auth.principal import Principal
from callroute.clock import Clock
from callroute.compat.oneuptime.access import Access, Action
from callroute.compat.oneuptime.columns import Columns
from callroute.compat.oneuptime.listing import ListRequest, list_request, parse_select, project
from callroute.compat.oneuptime.query import Condition, parse_query
from callroute.compat.oneuptime.wire import JSON, read_body, unwrap_all
from callroute.errors import ValidationFailed


class Readable(Protocol):
    """What every resource does; services implement it, and never commit."""

    async def page(self, request: ListRequest) -> tuple[int, list[JSON]]: ...

    async def count(self, conditions: list[Condition]) -> int: ...

    async def get(self, ref: str) -> JSON: ...


@runtime_checkable
class Collection(Readable, Protocol):
    """A resource clients may also write."""

    async def create(self, data: JSON) -> JSON: ...

    async def update(self, ref: str, data: JSON) -> None: ...

    async def delete(self, ref: str) -> None: ...


CollectionFactory = Callable[[AsyncSession, Principal, Clock], Readable]


@dataclass(frozen=True)
class Resource:
    path: str  # "/api/incoming-call-policy"
    param: str  # the id's path parameter, unique across the app's routes
    columns: Columns
    access: Access
    collection: CollectionFactory
    tag: str
    # Call logs are written by the engine: they have no create, update or delete routes.
    writable: bool = True


async def _principal(request: Request) -> Principal:
    return await get_principal(request)


async def _reading(request: Request) -> AsyncIterator[AsyncSession]:
    async with get_ctx(request).db.unit_of_work(readonly=True) as session:
        yield session


async def _writing(request: Request) -> AsyncIterator[AsyncSession]:
    async with get_ctx(request).db.unit_of_work() as session:
        yield session


def _only(body: JSON, allowed: set[str]) -> None:
    for key in sorted(body):
        if key not in allowed:
            raise ValidationFailed(f"{key}: not a field of this request", field=key)


def _data(body: JSON) -> JSON:
    _only(body, {"data", "miscDataProps"})
    if body.get("miscDataProps") not in (None, {}):
        raise ValidationFailed("miscDataProps: not supported here", field="miscDataProps")
    data = body.get("data")
    if not isinstance(data, dict):
        raise ValidationFailed('data: send the object as {"data": {...}}', field="data")
    return unwrap_all(data)


Handler = Callable[[Resource, Request, Readable, str | None], Awaitable[JSON]]


async def _create(resource: Resource, request: Request, items: Readable, _: str | None) -> JSON:
    assert isinstance(items, Collection)
    doc = await items.create(_data(await read_body(request)))
    return project(doc, None, resource.columns)


async def _list(resource: Resource, request: Request, items: Readable, _: str | None) -> JSON:
    wanted = list_request(request.query_params, await read_body(request), resource.columns)
    total, docs = await items.page(wanted)
    data = [project(d, wanted.select, resource.columns) for d in docs]
    return {"count": total, "limit": wanted.limit, "skip": wanted.skip, "data": data}


async def _count(resource: Resource, request: Request, items: Readable, _: str | None) -> JSON:
    body = await read_body(request)
    _only(body, {"query"})
    return {"count": await items.count(parse_query(body.get("query"), resource.columns))}


async def _get(resource: Resource, request: Request, items: Readable, ref: str | None) -> JSON:
    assert ref is not None
    body = await read_body(request)
    _only(body, {"select"})
    select = parse_select(body.get("select"), resource.columns)
    return project(await items.get(ref), select, resource.columns)


async def _update(resource: Resource, request: Request, items: Readable, ref: str | None) -> JSON:
    assert ref is not None
    assert isinstance(items, Collection)
    await items.update(ref, _data(await read_body(request)))
    return {}


async def _delete(resource: Resource, request: Request, items: Readable, ref: str | None) -> JSON:
    assert ref is not None
    assert isinstance(items, Collection)
    await items.delete(ref)
    return {}


def _endpoint(resource: Resource, action: Action, handler: Handler, with_id: bool) -> Any:
    session_dependency = _reading if action is Action.READ else _writing

    async def endpoint(**kwargs: Any) -> JSONResponse:
        request: Request = kwargs["request"]
        principal: Principal = kwargs["principal"]
        resource.access.check(principal, action)
        items = resource.collection(kwargs["session"], principal, get_ctx(request).clock)
        ref = kwargs[resource.param] if with_id else None
        return JSONResponse(await handler(resource, request, items, ref))

    kind = inspect.Parameter.KEYWORD_ONLY
    parameters = [
        inspect.Parameter("request", kind, annotation=Request),
        # Listed before the session: authentication happens before any unit of work opens.
        inspect.Parameter("principal", kind, annotation=Annotated[Principal, Depends(_principal)]),
        inspect.Parameter(
            "session",
            kind,
            annotation=Annotated[AsyncSession, Depends(session_dependency, scope="function")],
        ),
    ]
    if with_id:
        parameters.append(
            inspect.Parameter(
                resource.param,
                kind,
                annotation=Annotated[str, Path(description="ID of the Object")],
            )
        )
    # FastAPI reads the signature for the dependencies and the path parameter, whose name
    # differs per resource (the ids of all routes must have distinct names).
    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    return endpoint


def crud_router(resource: Resource) -> APIRouter:
    router = APIRouter(prefix=resource.path, tags=[resource.tag])
    item = "/{" + resource.param + "}"
    noun = resource.columns.noun
    routes: list[tuple[str, list[str], Action, Handler, str]] = [
        ("/get-list", ["GET", "POST"], Action.READ, _list, f"List {noun}"),
        ("/count", ["POST"], Action.READ, _count, f"Count {noun}"),
        (f"{item}/get-item", ["GET", "POST"], Action.READ, _get, f"Get {noun} by ID"),
    ]
    if resource.writable:
        routes += [
            ("", ["POST"], Action.CREATE, _create, f"Create {noun}"),
            (item, ["PUT"], Action.UPDATE, _update, f"Update {noun} by ID"),
            (f"{item}/update-item", ["GET", "POST"], Action.UPDATE, _update, f"Update {noun}"),
            (item, ["DELETE"], Action.DELETE, _delete, f"Delete {noun} by ID"),
            (f"{item}/delete-item", ["GET", "POST"], Action.DELETE, _delete, f"Delete {noun}"),
        ]
    base = resource.path.strip("/").replace("/", "_").replace("-", "_")
    for path, methods, action, handler, summary in routes:
        endpoint = _endpoint(resource, action, handler, with_id=item in path)
        for method in methods:  # one OpenAPI operation per method, each with its own id
            suffix = path.replace(item, "item").strip("/").replace("-", "_") or "create"
            router.add_api_route(
                path,
                endpoint,
                methods=[method],
                summary=summary,
                operation_id=f"{base}_{suffix.replace('/', '_')}_{method.lower()}",
                response_class=JSONResponse,
            )
    return router

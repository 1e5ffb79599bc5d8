"""Adding a module's routes to the application.

``FastAPI.include_router`` wraps a router per application and builds each of its routes again
(dependencies, request and response models) for that application, lazily, at the first
request that is matched against it: about 0.2 s of CPU spread over the first requests after a
process starts, paid again by every application object. Our routers carry their prefix, tags
and dependencies themselves, so their routes, built once when the module was imported, are
added to the application as they are.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI


def add_routes(app: FastAPI, router: APIRouter) -> None:
    """Serve ``router``'s routes, in order, after the routes the application has already."""
    app.router.routes.extend(router.routes)

"""`/docs`: Swagger UI, served by this process from files installed with it.

FastAPI's own page loads Swagger UI's script, stylesheet and icon from public CDNs, so on a
server without internet access, or in a browser that refuses third-party scripts, `/docs` is a
blank page. The files come from the `fastapi-offline` package, which ships Swagger UI's
distribution files (and is kept in step with Swagger UI's releases); only its files are used,
not its application factory, so this app stays ours.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

DOCS_URL = "/docs"
ASSETS_URL = "/docs/assets"
ASSETS_DIRECTORY = Path(str(files("fastapi_offline") / "static"))
# The validator badge would send the document to a public validator: nothing leaves the page.
SWAGGER_UI_PARAMETERS = {"validatorUrl": None}


def install(app: FastAPI) -> None:
    """Serve Swagger UI at `/docs` and its files under `/docs/assets` (create the app with
    ``docs_url=None``: FastAPI's own page would load them from a CDN)."""
    assert app.openapi_url is not None, "the docs page renders the OpenAPI document"
    openapi_url = app.openapi_url
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIRECTORY), name="docs-assets")

    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")  # behind a proxy that strips a prefix
        return get_swagger_ui_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} API",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            oauth2_redirect_url=None,  # no OAuth2: keys are API keys
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
        )

    app.add_api_route(DOCS_URL, swagger_ui, methods=["GET"], include_in_schema=False)

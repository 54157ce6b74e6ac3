"""The API docs at /docs: Swagger UI served by the app itself, so they work offline.

    GET /docs                   the page (no inline script: its start-up is /static/docs.js)
    GET /docs/assets/…          Swagger UI's files, from the `swagger-ui-bundle-v2` package

FastAPI's own /docs page loads Swagger UI from a CDN and starts it with an inline script;
on a machine without internet it is blank. Here the files come from the installed
package (Swagger UI 5, which reads the OpenAPI 3.1 that FastAPI writes), the page carries a
Content-Security-Policy that allows this site alone, and the validator badge (a request to
swagger.io) is off. ReDoc is not offered: no package ships it on its own.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse
from swagger_ui_bundle import swagger_ui_path

router = APIRouter(include_in_schema=False)
ASSETS = "/docs/assets"
# Swagger UI sets style attributes and draws its icons from data: URIs; nothing else.
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
          "frame-ancestors 'none'; form-action 'self'")
_PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>papertide API</title>
  <link rel="icon" type="image/png" href="{ASSETS}/favicon-32x32.png">
  <link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-openapi-url="/openapi.json"><noscript>The API docs need
  JavaScript; the schema itself is at <a href="/openapi.json">/openapi.json</a>.</noscript>
  </div>
  <script src="{ASSETS}/swagger-ui-bundle.js"></script>
  <script src="/static/docs.js"></script>
</body>
</html>
"""


@router.get("/docs")
def docs() -> HTMLResponse:
    return HTMLResponse(_PAGE, headers={"Content-Security-Policy": POLICY})


def install(app: FastAPI) -> None:
    """Add /docs and its assets (the app is made with `docs_url=None, redoc_url=None`)."""
    app.include_router(router)
    app.mount(ASSETS, StaticFiles(directory=str(Path(swagger_ui_path))), name="docs-assets")

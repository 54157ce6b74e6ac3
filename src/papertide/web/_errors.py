"""Errors as a person or a program wants them: JSON `{"error", "status"}` for the API,
a page for a browser. A bad query or path value is a 400; a body that does not fit its
schema is a 422; a method a route does not take is a 405 with an `Allow` header.

The OpenAPI schema says the same: routes declare their error answers with
`error_responses(…)` (the `ErrorOut` schema), and `install` drops the 422 FastAPI would
document for routes without a body (their bad parameters are 400s).

    @router.get("/api/x", responses=error_responses(400, 404))
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from papertide.web._deps import render

RateLimited = Callable[[str, str], object]  # (method, path) → truthy if a limit counts it


class ErrorDetail(BaseModel):
    field: str
    message: str


class ErrorOut(BaseModel):
    """Every error the API answers."""

    error: str
    status: int
    details: list[ErrorDetail] | None = None  # one per field, for 400s and 422s of validation


ERROR_DESCRIPTIONS = {
    400: "A bad parameter: the message says which, and what to send instead.",
    401: "Not signed in where the route needs a reader, or an `Authorization` header whose "
         "API token is not valid.",
    403: "A state-changing request from another site, or one with a session cookie but "
         "without its CSRF token.",
    404: "No paper with that id.",
    405: "The route does not take this method; `Allow` lists those it takes.",
    413: "The request body is larger than PAPERTIDE_MAX_BODY_BYTES (counted as it streams).",
    422: "The body does not fit its schema.",
    429: "Too many requests from this client just now; `Retry-After` says when to try again.",
}
_UNSAFE = {"post", "put", "patch", "delete"}
_PARAMETER = re.compile(r"\{[^}]*\}")


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` entries for these error statuses."""
    return {code: {"model": ErrorOut, "description": ERROR_DESCRIPTIONS[code]} for code in codes}


def wants_json(request: Request) -> bool:
    """Programs' routes (the API, feeds, health) answer errors in JSON, as their schema says."""
    return (request.url.path.startswith(("/api", "/feeds/")) or request.url.path == "/healthz"
            or "application/json" in request.headers.get("accept", ""))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else "error"
    headers = getattr(exc, "headers", None)
    if wants_json(request):
        return JSONResponse({"error": message, "status": exc.status_code}, exc.status_code,
                            headers=headers)
    response = render(request, "error.html", status_code=exc.status_code, status=exc.status_code,
                      message=message)
    response.headers.update(headers or {})
    return response


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    in_body = any(e.get("loc", ("",))[0] == "body" for e in errors)
    status = 422 if in_body else 400
    details = [{"field": ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]),
                "message": e["msg"]} for e in errors]
    message = "; ".join(f"{d['field']}: {d['message']}" for d in details)
    if wants_json(request):
        return JSONResponse({"error": message, "status": status, "details": details}, status)
    return render(request, "error.html", status_code=status, status=status, message=message)


def _error(code: int) -> dict[str, Any]:
    response: dict[str, Any] = {"description": ERROR_DESCRIPTIONS[code], "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
    if code == 429:
        response["headers"] = {"Retry-After": {"description": "Seconds to wait.",
                                               "schema": {"type": "integer"}}}
    return response


def _documented_errors(app: FastAPI, rate_limited: RateLimited | None) -> None:
    """What the edge answers before any route, declared on every operation it applies to:
    401 (a bad API token, on any route), 403 (unsafe methods: cross-site or CSRF), 413 (a
    body over the limit, on any route), 429 (the routes `rate_limited(method, path)`
    names). FastAPI documents a 422 in its own shape for every route with parameters;
    only routes with a body answer 422 here, and in `ErrorOut`'s shape."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        for path, path_item in schema.get("paths", {}).items():
            example = _PARAMETER.sub("x", path)
            for method, operation in path_item.items():
                responses = operation.setdefault("responses", {})
                if "requestBody" in operation:
                    responses["422"] = _error(422)  # in our shape, not FastAPI's
                    responses.setdefault("400", _error(400))  # a body that is not JSON at all
                else:
                    responses.pop("422", None)
                responses.setdefault("401", _error(401))
                responses.setdefault("413", _error(413))
                if method in _UNSAFE:
                    responses.setdefault("403", _error(403))
                if rate_limited is not None and rate_limited(method.upper(), example):
                    responses.setdefault("429", _error(429))
        components = schema.get("components", {}).get("schemas", {})
        text = str(schema.get("paths"))
        for name in ("HTTPValidationError", "ValidationError"):
            if f"#/components/schemas/{name}" not in text:
                components.pop(name, None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI, rate_limited: RateLimited | None = None) -> None:
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    _documented_errors(app, rate_limited)

"""Errors as a person or a program wants them: JSON `{"error", "status"}` for the API,
a page for a browser. A bad query or path value is a 400; a body that does not fit its
schema is a 422."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from papertide.web._deps import render


def wants_json(request: Request) -> bool:
    return (request.url.path.startswith("/api") or request.url.path == "/healthz"
            or "application/json" in request.headers.get("accept", ""))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else "error"
    if wants_json(request):
        return JSONResponse({"error": message, "status": exc.status_code}, exc.status_code,
                            headers=getattr(exc, "headers", None))
    response = render(request, "error.html", status_code=exc.status_code,
                      status=exc.status_code, message=message)
    response.headers.update(getattr(exc, "headers", None) or {})
    return response


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    in_body = any(e.get("loc", ("",))[0] == "body" for e in errors)
    status = 422 if in_body else 400
    details = [{"field": ".".join(str(p) for p in e["loc"][1:]) or e["loc"][0],
                "message": e["msg"]} for e in errors]
    message = "; ".join(f"{d['field']}: {d['message']}" for d in details)
    if wants_json(request):
        return JSONResponse({"error": message, "status": status, "details": details}, status)
    return render(request, "error.html", status_code=status, status=status, message=message)


def install(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)

"""Every error answers with one JSON line that names the field, never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from optikit.service.http import BodyTooLarge, BodyTooSlow
from optikit.types import InputError, one_line

log = logging.getLogger("optikit.service")


class ApiError(Exception):
    """An answer other than 2xx, with the field it is about."""

    def __init__(self, status: int, message: str, field: str = "",
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.headers = headers or {}


def error_body(message: str, field: str = "", source: str = "") -> dict[str, Any]:
    body: dict[str, Any] = {"error": one_line(message)[:1000]}
    if field:
        body["field"] = field[:200]
    if source:
        body["source"] = source[:200]
    return body


def _field_of(loc: Any) -> str:
    parts = [str(p) for p in (loc or ()) if p not in ("query", "path", "header", "body")]
    return ".".join(parts)


def install(app: FastAPI) -> None:
    """Register the handlers that turn exceptions into answers."""

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.message, exc.field), exc.status, headers=exc.headers)

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> JSONResponse:
        # The CLI's one line: "source: field: message".
        return JSONResponse(error_body(str(exc), exc.field, exc.source), 422)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = (exc.errors() or [{}])[0]
        field = _field_of(first.get("loc"))
        message = str(first.get("msg") or "invalid request")
        return JSONResponse(error_body(f"{field}: {message}" if field else message, field), 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(error_body(str(exc.detail)), exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(BodyTooLarge)
    async def too_large(request: Request, exc: BodyTooLarge) -> JSONResponse:
        return JSONResponse(error_body(str(exc)), 413, headers={"connection": "close"})

    @app.exception_handler(BodyTooSlow)
    async def too_slow(request: Request, exc: BodyTooSlow) -> JSONResponse:
        return JSONResponse(error_body("the request body did not arrive in time"), 408,
                            headers={"connection": "close"})

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        log.error("internal error on %s %s: %r", request.method, request.url.path, exc,
                  exc_info=exc)
        return JSONResponse(error_body(f"internal error ({type(exc).__name__})"), 500)

"""One place that renders every error as OpenAI's ``{"error": {...}}`` body."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from guard.api.context import report
from guard.errors import (
    ContentBlockedError,
    DatabaseUnavailableError,
    GuardError,
    InvalidRequestError,
)
from guard.pipeline import Decision

log = logging.getLogger(__name__)


def error_response(error: GuardError) -> JSONResponse:
    headers = getattr(error, "headers", None)  # a 429's Retry-After and x-ratelimit-*
    return JSONResponse(error.to_body(), status_code=error.status_code, headers=headers)


_TYPE_NAMES = {"str", "int", "float", "bool", "list", "dict", "none"}


def _validation_message(exc: RequestValidationError) -> tuple[str, str | None]:
    errors = exc.errors()
    if not errors:
        return "invalid request", None
    # A union reports each branch it tried; the value's own problem beats a type mismatch.
    first = next((e for e in errors if e.get("type") == "value_error"), errors[0])
    loc = [str(part) for part in first.get("loc", ()) if part != "body"]
    # pydantic names the branch of a union it tried ("str", "list[TextPart]"); callers don't.
    loc = [part for part in loc if part not in _TYPE_NAMES and "[" not in part]
    if first.get("type") == "json_invalid":
        return f"the request body is not valid JSON: {first.get('msg', '')}".strip(), None
    if not loc and first.get("type") in {"model_attributes_type", "dict_type", "missing"}:
        return "the request body must be a JSON object", None
    param = ".".join(loc) or None
    where = f"{param}: " if param else ""
    return f"{where}{first.get('msg', 'invalid value')}", param


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers; every error body, whatever its origin, has OpenAI's shape."""

    @app.exception_handler(GuardError)
    async def _guard_error(request: Request, exc: GuardError) -> JSONResponse:
        if exc.status_code >= 500:
            log.warning(
                "%s %s -> %d %s", request.method, request.url.path, exc.status_code, exc.message
            )
        if isinstance(exc, ContentBlockedError):
            report(request, Decision(exc.decision_id, "block", exc.rules))
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, param = _validation_message(exc)
        return error_response(InvalidRequestError(message, param=param))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        error = GuardError(str(exc.detail))
        error.status_code = exc.status_code
        error.error_type = "invalid_request_error" if exc.status_code < 500 else "server_error"
        error.code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code)
        return JSONResponse(error.to_body(), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def _database_down(request: Request, exc: Exception) -> JSONResponse:
        log.error("%s %s: the database is unreachable: %s", request.method, request.url.path, exc)
        return error_response(
            DatabaseUnavailableError("the audit database is unreachable; try again shortly")
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(GuardError("internal error; see the server log"))

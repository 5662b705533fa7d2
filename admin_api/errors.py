"""The one place where errors become HTTP answers, all in the shape ``{"error": code, "detail": …}``.

::

    CaseworkError               (casework.errors: the domain's own tree)
    ├── NotFound, OutOfScope    404 not_found      (out of scope is answered as not found)
    ├── Forbidden               403 forbidden
    ├── AuthenticationFailed    401 unauthenticated, WWW-Authenticate: Bearer
    │   └── LoginLocked         429 login_locked, Retry-After
    ├── InvalidTransition       409 invalid_transition
    ├── Conflict                409 conflict
    ├── StaleVersion            412 stale_version
    └── ValidationFailed        422 validation_failed, naming ``field``
        └── LimitReached        422 limit_reached
    RequestValidationError      422 validation_failed, naming every field (never echoing the input)
    HTTPException               its own status (404 unknown path, 405 with Allow, 413 too large)
    OperationalError, timeout   503 unavailable: the database does not answer
    DataError, OverflowError    422 invalid_value: a value the database (or a cursor) cannot hold
    StatementError              422 invalid_value if a bound value was refused, else 500
    anything else               500 internal, logged with its traceback, never shown

A replayed idempotent request is not an error, but leaves the route the same way
(``ReplayStored``) so that the route itself stays a straight line.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel
from sqlalchemy.exc import DataError, InterfaceError, OperationalError, StatementError
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from casework.errors import (
    AuthenticationFailed,
    CaseworkError,
    Conflict,
    Forbidden,
    InvalidTransition,
    LimitReached,
    LoginLocked,
    NotFound,
    StaleVersion,
    ValidationFailed,
)
from casework.idempotency.schemas import StoredResponse

logger = logging.getLogger(__name__)

MAX_DETAIL_CHARS = 1000

# Most specific first: the first class an error is an instance of decides.
STATUS_OF: tuple[tuple[type[CaseworkError], int, str], ...] = (
    (NotFound, 404, "not_found"),
    (Forbidden, 403, "forbidden"),
    (LoginLocked, 429, "login_locked"),
    (AuthenticationFailed, 401, "unauthenticated"),
    (InvalidTransition, 409, "invalid_transition"),
    (Conflict, 409, "conflict"),
    (StaleVersion, 412, "stale_version"),
    (LimitReached, 422, "limit_reached"),
    (ValidationFailed, 422, "validation_failed"),
)

_HTTP_CODES = {
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    503: "unavailable",
}


class Problem(BaseModel):
    """One invalid input: its name (``text``, ``phone_consent.channel``, ``limit``, ``If-Match``) and what is wrong."""

    field: str
    message: str


class ErrorResponse(BaseModel):
    """Every error the API answers with."""

    error: str
    detail: str
    field: str | None = None
    problems: list[Problem] = []


class ReplayStored(Exception):  # noqa: N818 - not an error: the answer to a retried request
    """Raised by the idempotency dependency when a retry must get the first answer again."""

    def __init__(self, response: StoredResponse) -> None:
        super().__init__("replaying a stored answer")
        self.response = response


def error_response(
    status: int,
    error: str,
    detail: str,
    *,
    field: str | None = None,
    problems: Sequence[Problem] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The JSON answer for an error."""
    body = ErrorResponse(error=error, detail=detail[:MAX_DETAIL_CHARS], field=field, problems=list(problems))
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def _status_of(error: CaseworkError) -> tuple[int, str]:
    for error_class, status, code in STATUS_OF:
        if isinstance(error, error_class):
            return status, code
    return 422, "unprocessable"  # a CaseworkError subclass added without a mapping (a test forbids it)


async def _casework_error(_request: Request, error: Exception) -> Response:
    if not isinstance(error, CaseworkError):  # registered for that class only
        raise error
    status, code = _status_of(error)
    headers: dict[str, str] = {}
    if isinstance(error, LoginLocked):
        headers["Retry-After"] = str(error.retry_after)
    elif isinstance(error, AuthenticationFailed):
        headers["WWW-Authenticate"] = "Bearer"
    field = error.field if isinstance(error, ValidationFailed) else None
    problems = [Problem(field=field, message=str(error))] if field else []
    # Out-of-scope objects must read exactly like missing ones.
    detail = "not found" if isinstance(error, NotFound) else str(error)
    return error_response(status, code, detail, field=field, problems=problems, headers=headers)


def _field_name(location: Sequence[Any]) -> str:
    # ("body", "phone_consent", "channel") -> "phone_consent.channel", as domain errors name fields;
    # a rule on the whole body (or a body that is not JSON) is named "body".
    parts = [str(part) for part in location]
    return ".".join(parts[1:]) if len(parts) > 1 else (parts[0] if parts else "request")


async def _validation_error(_request: Request, error: Exception) -> Response:
    if not isinstance(error, RequestValidationError):  # registered for that class only
        raise error
    # Never include the input: for a login form or a citizen's text it is personal or secret.
    problems = [
        Problem(field=_field_name(item.get("loc", ())), message=str(item.get("msg", ""))) for item in error.errors()
    ]
    detail = "; ".join(f"{problem.field}: {problem.message}" for problem in problems) or "invalid request"
    field = problems[0].field if problems else None
    return error_response(422, "validation_failed", detail, field=field, problems=problems)


def _allowed_methods(app: Any, path: str) -> str:
    """Every method some route serves at this path (Starlette names only the first route it tried)."""
    methods: set[str] = set()
    for context in iter_route_contexts(app.routes):
        if context.path and compile_path(context.path)[0].match(path):
            methods.update(getattr(context, "methods", None) or ())
    return ", ".join(sorted(methods))


async def _http_error(request: Request, error: Exception) -> Response:
    if not isinstance(error, HTTPException):  # registered for that class only
        raise error
    headers = dict(error.headers or {})
    if error.status_code == 400:
        # FastAPI's only 400: a body it could not read (bytes that are not UTF-8, say). Invalid input.
        return error_response(422, "validation_failed", "the request body cannot be read", field="body")
    if error.status_code == 405:
        headers["Allow"] = _allowed_methods(request.app, request.url.path)
    code = _HTTP_CODES.get(error.status_code, "http_error")
    return error_response(error.status_code, code, str(error.detail), headers=headers)


async def _database_unavailable(request: Request, error: Exception) -> Response:
    logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(error).__name__)
    return error_response(
        503, "unavailable", "the database is not answering; try again shortly", headers={"Retry-After": "5"}
    )


async def _data_error(request: Request, error: Exception) -> Response:
    # The database refused a value that passed validation (a NUL byte, a number out of range), or a
    # number decoded from a cursor overflowed.
    logger.info("database refused a value on %s %s", request.method, request.url.path)
    return error_response(422, "invalid_value", "a value in the request cannot be stored")


async def _statement_error(request: Request, error: Exception) -> Response:
    # A value SQLAlchemy could not bind: from the request (a forged cursor's zone-less time), an
    # input problem; anything else is a bug.
    if isinstance(error, StatementError) and isinstance(error.orig, ValueError | OverflowError):
        return await _data_error(request, error)
    return await _unexpected(request, error)


async def _unexpected(request: Request, error: Exception) -> Response:
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return error_response(500, "internal", "internal error; it has been logged")


async def _replay(_request: Request, error: Exception) -> Response:
    if not isinstance(error, ReplayStored):  # registered for that class only
        raise error
    stored = error.response
    headers = {**stored.headers, "Idempotent-Replayed": "true"}
    return Response(stored.body, status_code=stored.status_code, headers=headers, media_type="application/json")


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on the application (they apply to every route it serves)."""
    app.add_exception_handler(CaseworkError, _casework_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(InterfaceError, _database_unavailable)
    app.add_exception_handler(TimeoutError, _database_unavailable)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(OverflowError, _data_error)
    app.add_exception_handler(StatementError, _statement_error)
    app.add_exception_handler(ReplayStored, _replay)
    app.add_exception_handler(Exception, _unexpected)


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` entry of a route for the error statuses it can answer with."""
    descriptions = {
        401: "No valid bearer token.",
        403: "The official's role does not allow this.",
        404: "No such object, or outside the official's unit.",
        409: "The change clashes with the object's state.",
        412: "The object changed since the version in If-Match.",
        422: "Invalid input; `field` names it.",
        429: "Too many failed logins; see Retry-After.",
        503: "The database is not answering.",
    }
    return {status: {"model": ErrorResponse, "description": descriptions.get(status, "Error.")} for status in statuses}

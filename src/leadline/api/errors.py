"""One JSON shape for every error the API answers, whatever raised it.

    {"error": {"status": 422, "code": "invalid", "message": "...", "field": "phone"}}

`field` names the input at fault (a body field, a query or path parameter) or is null.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from leadline.channels.base import ProviderError
from leadline.kit.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("leadline.api")

# The words behind each status, used when nothing more specific is known.
_DEFAULTS: dict[int, tuple[str, str]] = {
    400: ("malformed", "The request could not be read."),
    401: ("unauthorized", "Send a valid API token: Authorization: Bearer <token>."),
    403: ("forbidden", "Your role does not allow this."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "This method is not allowed here."),
    409: ("conflict", "This is not allowed in the current state."),
    422: ("invalid", "The request has an invalid value."),
    429: ("rate_limited", "Too many requests; wait and try again."),
    500: ("server_error", "Something went wrong on our side; it has been logged."),
    502: ("carrier_error", "The SMS and voice carrier could not answer; try again later."),
}


class ErrorDetail(Schema):
    status: int
    code: str
    message: str
    field: str | None = None


class ErrorOut(Schema):
    error: ErrorDetail


# The statuses every authenticated operation may answer besides its own success.
COMMON_ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


class ApiError(Exception):
    """An error answer: raised by handlers, rendered by `error_response`."""

    def __init__(
        self,
        status: int,
        message: str = "",
        *,
        code: str = "",
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        default_code, default_message = _DEFAULTS.get(status, ("error", "Error."))
        self.status = status
        self.code = code or default_code
        self.message = message or default_message
        self.field = field
        self.headers = headers or {}
        super().__init__(self.message)


def error_body(
    status: int, message: str = "", *, code: str = "", field: str | None = None
) -> dict[str, Any]:
    """The JSON body of an error answer."""
    error = ApiError(status, message, code=code, field=field)
    return {
        "error": {
            "status": error.status,
            "code": error.code,
            "message": error.message,
            "field": error.field,
        }
    }


def error_response(error: ApiError) -> HttpResponse:
    """An error answer outside ninja's machinery (unknown paths, methods not allowed)."""
    import json

    response = HttpResponse(
        json.dumps(error_body(error.status, error.message, code=error.code, field=error.field)),
        status=error.status,
        content_type="application/json",
    )
    for name, value in error.headers.items():
        response[name] = value
    return response


def from_domain(exc: DomainError, *, field: str | None = None) -> ApiError:
    """The answer for a rule of the product that refused the action."""
    message = str(exc) or ""
    if isinstance(exc, NotFound):
        return ApiError(
            404, message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
        )
    if isinstance(exc, PermissionDenied):
        return ApiError(403, message)
    if isinstance(exc, Conflict):
        return ApiError(409, message, code=exc.code)
    if field is None and isinstance(exc, InvalidInput):
        field = exc.field
    if field is not None:
        return ApiError(422, message, field=field)
    # Anything else a service refuses is about the state things are in (a deleted or
    # merged lead, an opted-out number): 409 as well.
    return ApiError(409, message)


def _field_of(location: list[Any] | tuple[Any, ...]) -> str | None:
    """The input at fault from a pydantic location: ('body', 'payload', 'phone') -> phone."""
    parts = [str(part) for part in location]
    if not parts:
        return None
    source, rest = parts[0], parts[1:]
    if source == "body" and len(rest) > 1:
        # The first part is the handler's parameter name, which the client never sees.
        rest = rest[1:]
    elif source == "body":
        return "body"
    return ".".join(rest) or None


def _validation_message(error: dict[str, Any]) -> str:
    message = str(error.get("msg") or "Invalid value")
    for noise in ("Value error, ", "Assertion failed, "):
        if message.startswith(noise):
            message = message[len(noise) :]
    return message


def _respond(api: NinjaAPI, request: HttpRequest, error: ApiError) -> HttpResponse:
    response = api.create_response(
        request,
        error_body(error.status, error.message, code=error.code, field=error.field),
        status=error.status,
    )
    for name, value in error.headers.items():
        response[name] = value
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="leadline"'
    return response


def install(api: NinjaAPI) -> None:
    """Answer every exception of the API in the one error shape."""

    def on_api_error(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, ApiError)
        return _respond(api, request, exc)

    def on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, ValidationError)
        errors = [e for e in exc.errors if isinstance(e, dict)]
        first = errors[0] if errors else {}
        field = _field_of(first.get("loc") or ())
        message = _validation_message(first) if first else "Invalid request"
        if field == "body" and first.get("type") == "missing":
            message = "Send a JSON object as the request body."
        elif field and field != "body":
            message = f"{field}: {message}"
        return _respond(api, request, ApiError(422, message, field=field))

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, HttpError)
        if isinstance(exc, AuthenticationError):
            return _respond(api, request, ApiError(401))
        if isinstance(exc, Throttled):
            return _respond(api, request, ApiError(429))
        if exc.status_code == 400:
            return _respond(api, request, ApiError(400, "The request body is not valid JSON."))
        return _respond(api, request, ApiError(exc.status_code, str(exc)))

    def on_domain(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, DomainError)
        return _respond(api, request, from_domain(exc))

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return _respond(api, request, ApiError(404))

    def on_forbidden(request: HttpRequest, exc: Any) -> HttpResponse:
        return _respond(api, request, ApiError(403))

    def on_carrier(request: HttpRequest, exc: Any) -> HttpResponse:
        # The carrier refused or is not configured: not our crash, and not the caller's fault.
        logger.warning("API request %s %s: carrier error %s", request.method, request.path, exc)
        return _respond(api, request, ApiError(502))

    def on_anything(request: HttpRequest, exc: Any) -> HttpResponse:
        # The last resort: whatever slipped through is logged whole and answered
        # in the same shape, never as an HTML page or a traceback.
        logger.exception("API request %s %s failed", request.method, request.path)
        return _respond(api, request, ApiError(500))

    api.add_exception_handler(Exception, on_anything)
    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(DomainError, on_domain)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(DjangoPermissionDenied, on_forbidden)
    api.add_exception_handler(ProviderError, on_carrier)

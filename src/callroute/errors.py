"""Errors that cross layers.

Services raise :class:`ApiError` subclasses; the HTTP layer turns them into the error shape of the
API that was called (native or a compatibility layer). Nothing here knows about HTTP frameworks.
"""

from __future__ import annotations

from typing import Any


class CallrouteError(Exception):
    """Base of every error this project raises on purpose."""


class ConfigError(CallrouteError):
    """Bad or missing configuration; reported as one line by the CLI."""


class SchemaError(CallrouteError):
    """The database schema is missing or not at the current migration."""


class ApiError(CallrouteError):
    status: int = 400
    code: str = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        details: list[dict[str, str | None]] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code
        self.details = details
        self.retry_after = retry_after

    def rendered_details(self) -> Any:
        """What the native API answers as ``details``: the list of fields by default; an
        error whose details have another shape (a document's problems) says so here."""
        return self.details


class BadRequest(ApiError):
    status = 400
    code = "bad_request"


class InvalidText(BadRequest):
    """A string carries a character no text column can hold (NUL, a lone surrogate)."""

    code = "invalid_text"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(ApiError):
    status = 415
    code = "unsupported_media_type"


class ValidationFailed(ApiError):
    status = 422
    code = "validation_error"


class RepeatedParameter(ValidationFailed):
    """A query parameter given more than once: which value was meant is a guess."""


class RateLimited(ApiError):
    status = 429
    code = "rate_limited"


class ServiceUnavailable(ApiError):
    status = 503
    code = "service_unavailable"


class MethodNotAllowed(ApiError):
    status = 405
    code = "method_not_allowed"


class InternalError(ApiError):
    status = 500
    code = "internal_error"


class ProviderRejected(ApiError):
    """The telephony provider refused the request (its 4xx): the message says why, in the
    provider's words, with its error code."""

    status = 422
    code = "provider_rejected"


class ProviderUnavailable(ApiError):
    """The telephony provider could not be reached, or kept failing after retries."""

    status = 502
    code = "provider_unavailable"

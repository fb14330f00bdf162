"""Errors guard raises, and how each one is shown to an OpenAI client.

Every error that reaches a caller is a ``GuardError``; one exception handler in
``guard.api.errors`` renders it as ``{"error": {"message", "type", "param", "code"}}``
with the class's HTTP status. Policy outcomes (block, redact) are decisions, not errors.

    GuardError                      500 server_error
    ├── InvalidRequestError         400 invalid_request_error
    │   ├── ContextLengthError      400 invalid_request_error, code context_length_exceeded
    │   ├── ConstraintError         400 invalid_request_error, code constraint_violation
    │   └── ContentBlockedError     400 invalid_request_error, code content_policy_violation
    ├── UnauthorizedError           401 authentication_error, code invalid_api_key
    ├── ForbiddenError              403 permission_error
    │   └── NoPolicyError           403 permission_error, code no_policy
    ├── ModelNotFoundError          404 invalid_request_error, code model_not_found
    ├── PayloadTooLargeError        413 invalid_request_error, code request_too_large
    ├── ServiceUnavailableError     503 server_error (not ready yet, shutting down)
    │   ├── DatabaseUnavailableError 503 server_error, code database_unavailable
    │   └── KeyStoreUnavailableError 503 server_error, code key_store_unavailable
    ├── ConfigurationError          500 server_error (a setting that cannot run; raised at start)
    │   └── ModelLoadError          500 server_error (a model that is missing or cannot load)
    ├── GenerationError             500 server_error (the local generator failed)
    ├── DetectorError               500 server_error (a detector failed; on_error decides)
    └── UpstreamError               502 upstream_error (the upstream model server failed)
        ├── UpstreamUnavailableError 502 upstream_error, code upstream_unavailable
        ├── UpstreamTimeoutError     504 upstream_error, code upstream_timeout
        └── UpstreamRejectedError    the upstream's own 4xx status and message
"""

from __future__ import annotations


class GuardError(Exception):
    """Root of guard's errors; knows its HTTP status and OpenAI error type."""

    status_code: int = 500
    error_type: str = "server_error"
    default_code: str | None = None

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code if code is not None else self.default_code

    def to_body(self) -> dict[str, dict[str, str | None]]:
        """The OpenAI-shaped error body."""
        return {
            "error": {
                "message": self.message,
                "type": self.error_type,
                "param": self.param,
                "code": self.code,
            }
        }


class InvalidRequestError(GuardError):
    """The request is malformed, has wrong types, or asks for something unsupported."""

    status_code = 400
    error_type = "invalid_request_error"


class ContextLengthError(InvalidRequestError):
    """Prompt plus requested tokens do not fit the model's context window."""

    default_code = "context_length_exceeded"


class ConstraintError(InvalidRequestError):
    """The request is outside its policy's constraints, which say to refuse."""

    default_code = "constraint_violation"


class ContentBlockedError(InvalidRequestError):
    """The input guard blocked the prompt; carries the decision id and where to read why."""

    default_code = "content_policy_violation"

    def __init__(self, message: str, *, decision_id: str, rules: tuple[str, ...]):
        super().__init__(message)
        self.decision_id = decision_id
        self.rules = rules

    @property
    def explanation_url(self) -> str:
        return f"/v1/decisions/{self.decision_id}/explanation"

    def to_body(self) -> dict[str, dict[str, str | None]]:
        body = super().to_body()
        body["error"]["decision_id"] = self.decision_id
        body["error"]["explanation_url"] = self.explanation_url
        return body


class UnauthorizedError(GuardError):
    """No key, or a key that is unknown or revoked."""

    status_code = 401
    error_type = "authentication_error"
    default_code = "invalid_api_key"


class ForbiddenError(GuardError):
    """The caller may not use this route."""

    status_code = 403
    error_type = "permission_error"
    default_code = "forbidden"


class NoPolicyError(ForbiddenError):
    """No policy applies to the calling app; guard fails closed."""

    default_code = "no_policy"


class ModelNotFoundError(GuardError):
    """The requested model is not served here."""

    status_code = 404
    error_type = "invalid_request_error"
    default_code = "model_not_found"


class PayloadTooLargeError(GuardError):
    """The request body is over the configured limit."""

    status_code = 413
    error_type = "invalid_request_error"
    default_code = "request_too_large"


class ServiceUnavailableError(GuardError):
    """guard cannot take requests right now (still loading, or shutting down)."""

    status_code = 503
    default_code = "service_unavailable"


class DatabaseUnavailableError(ServiceUnavailableError):
    """The audit database cannot answer (reviewer and admin routes need it)."""

    default_code = "database_unavailable"


class KeyStoreUnavailableError(ServiceUnavailableError):
    """The key store cannot answer, and the presented key is not one known from before."""

    default_code = "key_store_unavailable"


class ConfigurationError(GuardError):
    """A setting, or a combination of settings, that cannot run on this machine."""


class ModelLoadError(ConfigurationError):
    """A model is missing or cannot be loaded; the message names what to install."""


class GenerationError(GuardError):
    """The local generator failed while generating."""


class DetectorError(GuardError):
    """A detector could not judge a text (model failure, unparseable verdict).

    The policy engine catches it and applies the rule's ``on_error`` (block or allow); it
    reaches a caller only through that decision.
    """


class UpstreamError(GuardError):
    """The upstream OpenAI-compatible server failed."""

    status_code = 502
    error_type = "upstream_error"
    default_code = "upstream_error"


class UpstreamUnavailableError(UpstreamError):
    """The upstream server could not be reached."""

    default_code = "upstream_unavailable"


class UpstreamTimeoutError(UpstreamError):
    """The upstream server did not answer in time."""

    status_code = 504
    default_code = "upstream_timeout"


class UpstreamRejectedError(UpstreamError):
    """The upstream server refused the request with a 4xx; its status is passed through."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        error_type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
    ):
        super().__init__(message, param=param, code=code)
        self.status_code = status_code
        self.error_type = error_type

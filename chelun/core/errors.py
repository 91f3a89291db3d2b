"""One error family for domain code; the API and pages turn it into one shape: {message, code, extra}."""

from __future__ import annotations

from typing import Any


def error_body(message: str, code: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The one error shape every API answer of a refusal has."""
    return {"message": message, "code": code, "extra": extra or {}}


class ApplicationError(Exception):
    """A rule of the business refused the request. `message` is Chinese and shown to the user."""

    status_code = 400

    def __init__(self, message: str, code: str = "invalid", extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}


class ValidationFailed(ApplicationError):
    status_code = 422


def field_error(field: str, message: str, code: str) -> ValidationFailed:
    """A validation error about one field, in the shape forms and the API show next to that field."""
    return ValidationFailed(message, code, {"fields": {field: [message]}})


class NotFound(ApplicationError):
    """Missing, or outside the caller's scope: the two are indistinguishable on purpose."""

    status_code = 404

    def __init__(self, message: str = "记录不存在", code: str = "not_found", extra: dict[str, Any] | None = None):
        super().__init__(message, code, extra)


class Forbidden(ApplicationError):
    status_code = 403

    def __init__(
        self, message: str = "没有权限执行此操作", code: str = "forbidden", extra: dict[str, Any] | None = None
    ):
        super().__init__(message, code, extra)


class Conflict(ApplicationError):
    status_code = 409


def validation_error_from_django(exc: Any) -> ValidationFailed:
    """Turn a django ValidationError into our shape, keeping per-field messages in `extra`."""
    if hasattr(exc, "message_dict"):
        fields = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        first = next(iter(fields.values()))[0] if fields else "输入有误"
        return ValidationFailed(first, "validation_error", {"fields": fields})
    messages = [str(m) for m in getattr(exc, "messages", [str(exc)])]
    return ValidationFailed(messages[0] if messages else "输入有误", "validation_error", {"fields": {}})

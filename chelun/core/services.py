"""Helpers every app's services share: model validation in our error shape, and optimistic concurrency."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from chelun.core.errors import Conflict, validation_error_from_django


def full_clean_or_raise(obj: Any, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise validation_error_from_django(exc) from exc


def check_version(obj: Any, expected_version: int | None) -> None:
    """A stale edit (someone saved in between) must not silently overwrite the newer one."""
    if expected_version is not None and obj.version != expected_version:
        raise Conflict("该记录已被他人修改，请刷新后重试", "stale_version", {"current_version": obj.version})

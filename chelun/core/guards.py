"""Request-level guards for the JSON API, applied to every app at once (a middleware, before any view runs):

- a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE answers 413;
- a write (POST, PUT, PATCH, DELETE) with a body must say `Content-Type: application/json`, else 415: the API takes
  no forms, and a form or a boundary-less multipart body must never reach a view (django-axes, reading
  `request.POST`, failed on one and recorded no failed login);
- text with a NUL character or a lone UTF-16 surrogate (`"\\ud800"`), in the JSON body or the query string, answers
  422: the database cannot store either (PostgreSQL refuses NUL, no UTF-8 encodes a lone surrogate).

Each answer has the one error shape `{message, code, extra}`. Nothing is written: the view never runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from chelun.core.errors import error_body

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# application/json, or a structured +json type; parameters (charset) after ";" are allowed.
_JSON_TYPE = re.compile(r"^application/([\w.+-]+\+)?json$")
# A lone surrogate or NUL can only reach json.loads as a \u escape (a raw NUL byte is invalid JSON) or as the raw
# bytes of a surrogate (json.loads decodes bytes with "surrogatepass"); bodies with neither skip the scan.
_SUSPECT_BYTES = re.compile(rb"\\u|\xed[\xa0-\xbf]")
BAD_TEXT_MESSAGE = "包含无效字符（NUL 或不成对的代理字符）"


def api_prefix() -> str:
    return str(getattr(settings, "API_PATH_PREFIX", "/api/"))


def max_body_bytes() -> int:
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


def error_response(status: int, message: str, code: str, extra: dict[str, Any] | None = None) -> JsonResponse:
    return JsonResponse(error_body(message, code, extra), status=status, json_dumps_params={"ensure_ascii": False})


def payload_too_large() -> JsonResponse:
    limit = max_body_bytes()
    return error_response(
        413, f"请求体过大，最多 {limit / 1024 / 1024:.1f} MB", "payload_too_large", {"max_bytes": limit}
    )


def bad_text(value: str) -> bool:
    """True when `value` holds a NUL or a lone surrogate (neither can be stored nor encoded as UTF-8)."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def bad_text_paths(value: Any) -> list[str]:
    """Dotted paths ("stops.0.name") of every string in decoded JSON, key or value, that `bad_text` refuses. Walks
    with its own stack: JSON nested as deep as the parser allows must not exhaust Python's."""
    found: list[str] = []
    stack: list[tuple[Any, tuple[str, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if bad_text(item):
                found.append(".".join(path) or "body")
        elif isinstance(item, dict):
            for key, child in item.items():
                name = "(key)" if bad_text(key) else key
                if name == "(key)":
                    found.append(".".join((*path, name)))
                stack.append((child, (*path, name)))
        elif isinstance(item, list):
            stack.extend((child, (*path, str(index))) for index, child in enumerate(item))
    return sorted(set(found))


def _bad_text_response(paths: list[str]) -> JsonResponse:
    fields = {path: [BAD_TEXT_MESSAGE] for path in paths}
    return error_response(422, f"请求参数有误：{paths[0]} {BAD_TEXT_MESSAGE}", "validation_error", {"fields": fields})


def _content_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


class ApiRequestGuard:
    """The guards above, for requests under API_PATH_PREFIX (default /api/); pages and static files pass through."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(api_prefix()):
            refused = self.refusal(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def refusal(self, request: HttpRequest) -> HttpResponse | None:
        query_paths = {
            "(key)" if bad_text(key) else key
            for key, values in request.GET.lists()
            if any(bad_text(v) for v in [key, *values])
        }
        if query_paths:
            return _bad_text_response(sorted(query_paths))
        length = _content_length(request)
        limit = max_body_bytes()
        if limit and length > limit:
            return payload_too_large()
        if request.method not in WRITE_METHODS or length == 0:
            return None
        content_type = request.content_type or ""
        if not _JSON_TYPE.match(content_type.strip().lower()):
            return error_response(
                415,
                "请求体须为 JSON（Content-Type: application/json）",
                "unsupported_media_type",
                {"content_type": content_type},
            )
        body = request.body  # read once here; the view's parser reads the same cached bytes
        if not _SUSPECT_BYTES.search(body):
            return None
        try:
            decoded = json.loads(body)
        except (ValueError, RecursionError):
            return None  # the API's own parser answers 400 malformed_body
        paths = bad_text_paths(decoded)
        return _bad_text_response(paths) if paths else None

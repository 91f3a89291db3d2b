"""The platform's REST API under /api/v1/: one NinjaAPI, one router per app, one error shape."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from chelun.accounts.auth import BearerToken
from chelun.core.errors import ApplicationError
from chelun.core.schemas import Utf8JSONRenderer

api = NinjaAPI(
    title="车轮党建 API",
    version="1.0.0",
    description=(
        "车轮党建平台接口。坐标一律为 WGS-84；日期为 ISO 8601。"
        "认证：`Authorization: Bearer <token>`（POST /accounts/token 或司机验证码登录获取）或网页登录会话。"
        "列表分页：`?page=1&page_size=50`（最多 200），返回 {items, count}。"
        "错误统一返回 {message, code, extra}；与某个输入有关时，extra.fields 给出各字段的错误。"
        "超出本人权限范围的记录与不存在的记录一样返回 404。"
    ),
    auth=[BearerToken(), django_auth],
    renderer=Utf8JSONRenderer(),
    urls_namespace="api",
)


def error_body(message: str, code: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"message": message, "code": code, "extra": extra or {}}


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(request, error_body(exc.message, exc.code, exc.extra), status=exc.status_code)


# Chinese for the pydantic errors a client meets most; others keep pydantic's English message.
_VALIDATION_MESSAGES = {
    "missing": "必填",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期无效，格式应为 YYYY-MM-DD",
    "date_from_datetime_inexact": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "string_type": "应为文本",
    "string_too_long": "过长",
    "string_too_short": "不能为空",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "model_attributes_type": "格式不正确",
}


def _field_name(loc: list[str]) -> str:
    """("body", "payload", "founded_on") -> "founded_on"; ("query", "level") -> "level"."""
    parts = loc[1:]
    if loc[:1] == ["body"] and len(parts) > 1:
        parts = parts[1:]  # the view's parameter name, not part of the client's JSON
    return ".".join(parts) or (loc[0] if loc else "")


def _validation_message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    if kind in ("enum", "literal_error"):
        expected = (error.get("ctx") or {}).get("expected", "")
        return f"取值无效，可选：{expected}" if expected else "取值无效"
    if kind == "value_error":  # raised by our own validators with a Chinese message
        return str((error.get("ctx") or {}).get("error", error.get("msg", "")))
    return _VALIDATION_MESSAGES.get(kind, str(error.get("msg", "")))


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: list[dict[str, Any]] = []
    fields: dict[str, list[str]] = {}
    for e in exc.errors:
        loc = [str(part) for part in e.get("loc", [])]
        message = _validation_message(e)
        errors.append({"loc": loc, "msg": str(e.get("msg", ""))})
        fields.setdefault(_field_name(loc), []).append(message)
    first = next(iter(fields.items()), None)
    summary = f"请求参数有误：{first[0]} {first[1][0]}" if first else "请求参数有误"
    extra = {"fields": fields, "errors": errors}
    return api.create_response(request, error_body(summary, "validation_error", extra), status=422)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, error_body("请先登录", "not_authenticated"), status=401)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body("记录不存在", "not_found"), status=404)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        return api.create_response(request, error_body("请求体不是有效的 JSON", "malformed_body"), status=400)
    return api.create_response(request, error_body(str(exc), "http_error"), status=exc.status_code)


def _mount() -> None:
    from chelun.accounts.api import router as accounts_router
    from chelun.core.api import router as core_router
    from chelun.grid.api import router as grid_router
    from chelun.members.api import router as members_router
    from chelun.orgs.api import router as orgs_router
    from chelun.stations.api import router as stations_router

    api.add_router("/accounts/", accounts_router)
    api.add_router("/core/", core_router)
    api.add_router("/orgs/", orgs_router)
    api.add_router("/members/", members_router)
    api.add_router("/stations/", stations_router)
    api.add_router("/grid/", grid_router)


_mount()

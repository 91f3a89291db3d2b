"""The platform's REST API under /api/v1/: one NinjaAPI, one router per app, one error shape."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from chelun.accounts.auth import BearerToken
from chelun.core.errors import ApplicationError, error_body
from chelun.core.guards import payload_too_large
from chelun.core.schemas import Utf8JSONRenderer, document_local_times, document_request_errors


class ChelunAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document also lists the refusals every operation can meet before its view runs (the
    request guards of chelun.core.guards and the body parser): 400, 413, 415, 422 in the one error shape; and
    documents times of day as the "08:00:00" text they are (see core.schemas.LocalTime)."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        document_request_errors(schema)
        document_local_times(schema)
        return schema


api = ChelunAPI(
    title="车轮党建 API",
    version="1.0.0",
    description=(
        "车轮党建平台接口。坐标一律为 WGS-84；日期为 ISO 8601。"
        "认证：`Authorization: Bearer <token>`（POST /accounts/token 或司机验证码登录获取）或网页登录会话。"
        "列表分页：`?page=1&page_size=50`（最多 200），返回 {items, count, count_exact}："
        "匹配超过 10,000 条时 count 为 10,000、count_exact 为 false（即“10,000+”），以免每页都数全表。"
        "错误统一返回 {message, code, extra}；与某个输入有关时，extra.fields 给出各字段的错误。"
        "超出本人权限范围的记录与不存在的记录一样返回 404。"
    ),
    auth=[BearerToken(), django_auth],
    renderer=Utf8JSONRenderer(),
    urls_namespace="api",
)


__all__ = ["BearerToken", "api", "error_body"]


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
    "bool_type": "应为 true 或 false",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "int_from_float": "应为整数",
    "string_unicode": "包含无效字符（NUL 或不成对的代理字符）",
    "list_type": "应为数组",
    "dict_type": "应为对象",
    "too_long": "条目过多",
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


@api.exception_handler(RequestDataTooBig)
def on_body_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # ApiRequestGuard answers first from Content-Length; this is the body that grew past the limit without one.
    return payload_too_large()


@api.exception_handler(OverflowError)
def on_overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    # The last line of defence behind the schemas' bounds: SQLite cannot bind an integer past 2^63 (a path id, say).
    # The view's transaction has rolled back by the time this runs, so nothing was written.
    return api.create_response(request, error_body("数值超出范围", "validation_error", {"fields": {}}), status=422)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        return api.create_response(request, error_body("请求体不是有效的 JSON", "malformed_body"), status=400)
    return api.create_response(request, error_body(str(exc), "http_error"), status=exc.status_code)


def _mount() -> None:
    from chelun.accounts.api import router as accounts_router
    from chelun.appeals.api import router as appeals_router
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
    api.add_router("/appeals/", appeals_router)
    api.add_router("/grid/", grid_router)


_mount()

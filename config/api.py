"""The platform's REST API under /api/v1/: one NinjaAPI, one router per app, one error shape."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from chelun.accounts.services import api_token_authenticate
from chelun.core.errors import ApplicationError


class BearerToken(HttpBearer):
    """`Authorization: Bearer <key>` for app clients."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="车轮党建 API",
    version="1.0.0",
    description="车轮党建平台接口。坐标一律为 WGS-84；错误统一返回 {message, code, extra}。",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
)


def error_body(message: str, code: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"message": message, "code": code, "extra": extra or {}}


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(request, error_body(exc.message, exc.code, exc.extra), status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [{"loc": [str(part) for part in e.get("loc", [])], "msg": str(e.get("msg", ""))} for e in exc.errors]
    return api.create_response(request, error_body("请求参数有误", "validation_error", {"errors": errors}), status=422)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, error_body("请先登录", "not_authenticated"), status=401)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body("记录不存在", "not_found"), status=404)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, error_body(str(exc), "http_error"), status=exc.status_code)


def _mount() -> None:
    from chelun.accounts.api import router as accounts_router
    from chelun.core.api import router as core_router
    from chelun.members.api import router as members_router
    from chelun.orgs.api import router as orgs_router

    api.add_router("/accounts/", accounts_router)
    api.add_router("/core/", core_router)
    api.add_router("/orgs/", orgs_router)
    api.add_router("/members/", members_router)


_mount()

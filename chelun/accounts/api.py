"""Signing in to the API: staff exchange username and password for a bearer token (django-axes locks a username
after repeated failures), drivers exchange a one-time SMS code for one; and the caller's own account."""

from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router, Status

from chelun.accounts.schemas import MeOut, OtpRequestIn, OtpVerifyIn, TokenIn, TokenOut
from chelun.accounts.services import api_token_create, otp_request, otp_verify
from chelun.core.api import actor_of
from chelun.core.errors import ApplicationError
from chelun.core.schemas import AUTH_ERRORS, ErrorOut, MessageOut
from chelun.orgs.selectors import role_grant_list

router = Router(tags=["账号"])

DRIVER_TOKEN_NAME = "driver-app"  # noqa: S105 (a label for the token, not a secret)


class InvalidCredentials(ApplicationError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__("用户名或密码错误", "invalid_credentials")


class LockedOut(ApplicationError):
    status_code = 429

    def __init__(self) -> None:
        super().__init__("登录失败次数过多，账号已暂时锁定，请稍后再试", "locked_out")


def _token_out(token: Any, key: str) -> TokenOut:
    return TokenOut(token=key, name=token.name, expires_at=token.expires_at)


@router.post(
    "/token",
    auth=None,
    response={201: TokenOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="用户名密码换取访问令牌",
)
def token_create(request: HttpRequest, payload: TokenIn) -> Any:
    # authenticate() with the request runs django-axes: failures are counted per username, and a locked username
    # is refused even with the right password.
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            # Answer in the API's error shape; left set, AxesMiddleware would replace it with the pages' lockout.
            request.axes_locked_out = False  # type: ignore[attr-defined]
            raise LockedOut()
        raise InvalidCredentials()
    token, key = api_token_create(user=user, name=payload.name)
    return Status(201, _token_out(token, key))


@router.post(
    "/otp/request",
    auth=None,
    response={202: MessageOut, 400: ErrorOut, 422: ErrorOut},
    summary="司机手机号获取登录验证码",
)
def otp_request_send(request: HttpRequest, payload: OtpRequestIn) -> Any:
    otp_request(phone=payload.phone)
    # The same answer whether or not the phone is registered (see otp_request).
    return Status(202, MessageOut(message="如果该手机号已登记，验证码已发送，5 分钟内有效"))


@router.post(
    "/otp/verify",
    auth=None,
    response={201: TokenOut, 400: ErrorOut, 422: ErrorOut},
    summary="司机验证码换取访问令牌",
)
def otp_verify_token(request: HttpRequest, payload: OtpVerifyIn) -> Any:
    user = otp_verify(phone=payload.phone, code=payload.code)
    token, key = api_token_create(user=user, name=DRIVER_TOKEN_NAME)
    return Status(201, _token_out(token, key))


@router.get("/me", response={200: MeOut, **AUTH_ERRORS}, summary="当前用户、人员与角色")
def me(request: HttpRequest) -> Any:
    user = actor_of(request)
    return MeOut.model_validate(
        {
            "id": user.pk,
            "username": user.get_username(),
            "name": user.get_full_name() or user.get_username(),
            "is_superuser": user.is_superuser,
            "person_id": user.person_id,
            "grants": list(role_grant_list(actor=user)),  # RoleGrant rows, turned into RoleGrantOut by its resolvers
        }
    )

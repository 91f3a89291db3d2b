"""API schemas for signing in (tokens, driver one-time codes) and for the caller's own account."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from chelun.core.schemas import Text
from chelun.orgs.choices import Role
from chelun.orgs.models import RoleGrant


class TokenIn(Schema):
    username: Text = Field(min_length=1, max_length=150)
    password: Text = Field(min_length=1, max_length=4096)
    name: Text = Field("api", min_length=1, max_length=64, description="令牌名称，便于日后辨认和吊销")


class TokenOut(Schema):
    token: str = Field(description="只显示这一次；之后以 `Authorization: Bearer <token>` 调用接口")
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 (the scheme name)
    name: str
    expires_at: dt.datetime | None


class OtpRequestIn(Schema):
    phone: Text = Field(max_length=32, description="中国大陆手机号，可带 +86")


class OtpVerifyIn(Schema):
    phone: Text = Field(max_length=32)
    code: Text = Field(max_length=16, description="短信中的 6 位验证码")


class RoleGrantOut(Schema):
    organization_id: int
    organization_name: str
    role: Role
    role_label: str

    @staticmethod
    def resolve_organization_name(obj: RoleGrant) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_role_label(obj: RoleGrant) -> str:
        return str(obj.get_role_display())


class MeOut(Schema):
    id: int
    username: str
    name: str
    is_superuser: bool
    person_id: int | None
    grants: list[RoleGrantOut]

"""django-ninja schemas for appeals: In for what a client sends, Out for what it gets, Filter for list queries."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    hint: str
    ack_days: int
    resolve_days: int
    needs_place: bool
    needs_station: bool
    confidential: bool


class AppealIn(Schema):
    category: str = Field(..., description="类别代码，如 unpaid_freight")
    description: str = Field(..., max_length=2000)
    region: str | None = Field(None, description="区县或地市的行政区划代码")
    lon: float | None = Field(None, description="WGS-84 经度（手机定位）")
    lat: float | None = Field(None, description="WGS-84 纬度")
    place_text: str = Field("", max_length=120)
    station_id: int | None = None
    contact: Literal["phone", "sms", "app"] = "phone"


class EventOut(Schema):
    action: str
    action_label: str
    by: str
    from_status: str
    to_status: str
    organization: str | None
    text: str
    internal: bool
    at: dt.datetime


class AppealOut(Schema):
    id: int
    number: str
    category: str
    status: str
    status_label: str
    owner: str
    region: str | None
    submitted_at: dt.datetime
    ack_due_at: dt.datetime
    resolve_due_at: dt.datetime
    escalation_level: int
    supervised: bool
    rating: int | None
    reporter: str


class AppealDetailOut(AppealOut):
    description: str
    resolution: str
    money_recovered_fen: int
    events: list[EventOut]


class QueueFilter(Schema):
    status: str = ""
    category: str = ""
    region: str = ""
    overdue: bool = False
    escalated: bool = False
    supervised: bool = False


class ResolveIn(Schema):
    resolution: str = Field(..., max_length=2000)
    money_recovered_fen: int = Field(0, ge=0)


class TransferIn(Schema):
    to_organization_id: int
    reason: str = Field(..., max_length=500)


class MergeIn(Schema):
    into_id: int
    reason: str = Field("", max_length=500)


class TextIn(Schema):
    text: str = Field("", max_length=2000)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=500)


class ConfirmIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=200)


class SuperviseIn(Schema):
    days: int = Field(..., ge=1, le=60)
    reason: str = Field(..., max_length=500)


class RoutePreviewOut(Schema):
    organization_id: int
    organization: str
    rule_id: int | None
    explanation: str


class StatOut(Schema):
    label: str
    total: int
    ack_on_time_pct: float | None
    resolve_on_time_pct: float | None
    rating_avg: float | None
    reopen_pct: float | None
    money_recovered_fen: int

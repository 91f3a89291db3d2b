"""django-ninja schemas of the grid API. Coordinates are WGS-84 unless coord_system says gcj02 (converted here)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import BaseModel, Field


class PingIn(BaseModel):
    """A plain pydantic model, not a ninja Schema: ninja's per-object getter ran for each of a batch's 1,000 items
    and was a quarter of the request."""

    client_id: str = Field(min_length=1, max_length=64, description="手机端生成的唯一编号：重发同一批次不会重复保存")
    at: dt.datetime = Field(description="定位时间（须带时区）")
    lat: float
    lng: float


class PingBatchIn(Schema):
    coord_system: Literal["wgs84", "gcj02"] = "wgs84"
    pings: list[PingIn]


class PingBatchOut(Schema):
    accepted: int
    duplicates: int


class ConsentIn(Schema):
    given: bool


class ConsentOut(Schema):
    given: bool
    changed_at: dt.datetime


class BranchRef(Schema):
    id: int
    name: str


class AttachmentOut(Schema):
    id: int
    branch: BranchRef
    confirmed_at: dt.datetime | None
    ended_at: dt.datetime | None


class MyGridOut(Schema):
    consent: bool
    position_at: dt.datetime | None
    cell: str | None
    branch_here: BranchRef | None
    home_branch: BranchRef | None
    attachments: list[AttachmentOut]


class CellsIn(Schema):
    cells: list[str] = Field(description="H3 单元（十六进制字符串，第 7 级）")
    priority: int = Field(100, ge=1, le=999)
    note: str = Field("", max_length=200)


class CoverageChangeOut(Schema):
    id: int
    number: int
    cells_added: int
    cells_removed: int
    changed_at: dt.datetime


class SummaryOut(Schema):
    branches: int
    covered_cells: int
    overlaps: int
    holes: int
    party_drivers: int
    party_drivers_attached: int
    attached_share: float
    pings: int
    pings_covered: int
    covered_share: float


class GapOut(Schema):
    cell: str
    lat: float
    lng: float
    pings: int
    drivers: int | None
    county_code: str
    county_name: str
    nearest_branch_id: int | None
    nearest_branch_name: str
    nearest_km: float | None


class BranchOut(Schema):
    id: int
    name: str
    cells: int

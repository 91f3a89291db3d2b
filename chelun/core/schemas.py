"""API schemas shared by every router (errors, pagination) and those of `core` (regions, audit log)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from auditlog.models import LogEntry
from django.db.models import QuerySet
from ninja import Field, FilterLookup, FilterSchema, Schema
from ninja.pagination import PageNumberPagination
from ninja.renderers import JSONRenderer

from chelun.core.audit import ACTION_LABELS
from chelun.core.models import Region, RegionLevel


class ErrorOut(Schema):
    """Every error the API answers: a Chinese message for people, a stable code for programs, and details
    (`extra.fields` maps a field name to its messages when the error is about one input)."""

    message: str
    code: str
    extra: dict[str, Any]


# Declared on every authenticated operation so the OpenAPI document shows the error shape.
AUTH_ERRORS: dict[int, type[Schema]] = {401: ErrorOut}
READ_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class Utf8JSONRenderer(JSONRenderer):
    """How the API writes JSON (config.api): Chinese stays readable instead of \\uXXXX escapes."""

    json_dumps_params = {"ensure_ascii": False}


# An API list counts its matching rows up to this many; past it the answer says "10,000+" (count_exact false).
API_COUNT_CAP = 10_000


def capped_count(queryset: Any, cap: int | None = None) -> tuple[int, bool]:
    """(count, exact): the number of rows, or `cap` and False when there are more. Counting a province's 630,000
    people on every page is a scan (hundreds of ms); reading at most cap + 1 rows of an index is not. A queryset
    may offer `for_count()`, the same rows through a filter cheaper to count (members.selectors.PersonQuerySet)."""
    if not isinstance(queryset, QuerySet):
        return len(queryset), True
    cap = API_COUNT_CAP if cap is None else cap
    counting = queryset.for_count() if hasattr(queryset, "for_count") else queryset
    rows = counting.order_by().select_related(None).values("pk")[: cap + 1].count()
    return (rows, True) if rows <= cap else (cap, False)


class Pagination(PageNumberPagination):
    """One pagination for every list: `?page=1&page_size=50` (page_size at most 200); answers
    `{items, count, count_exact}`, the count capped at API_COUNT_CAP (see capped_count)."""

    class Input(Schema):
        # The upper bound on `page` keeps the SQL offset inside a 64-bit integer whatever a client sends.
        page: int = Field(1, ge=1, le=1_000_000, description="页码，从 1 开始")
        page_size: int | None = Field(None, ge=1, description="每页条数，默认 50，超过 200 按 200 计")

    class Output(Schema):
        items: list[Any]
        count: int = Field(description=f"匹配的记录数；超过 {API_COUNT_CAP:,} 条时为 {API_COUNT_CAP:,}")
        count_exact: bool = Field(True, description=f"count 是否为准确值；为 false 时表示“{API_COUNT_CAP:,}+”")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=50, max_page_size=200, **kwargs)

    def paginate_queryset(self, queryset: Any, pagination: Any, request: Any, **params: Any) -> Any:
        page_size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * page_size
        count, exact = capped_count(queryset)
        return {"items": queryset[offset : offset + page_size], "count": count, "count_exact": exact}


class MessageOut(Schema):
    message: str


def not_null(value: Any) -> Any:
    """For PATCH inputs, as a field validator (which runs only on fields the client sent): a field may be left
    out, but null is refused for a field that cannot be empty."""
    if value is None:
        raise ValueError("不能为 null")
    return value


# ---------------------------------------------------------------------------------------------------------------
# Regions
# ---------------------------------------------------------------------------------------------------------------


class RegionFilter(FilterSchema):
    level: Annotated[RegionLevel | None, FilterLookup("level")] = Field(None, description="province/prefecture/county")
    parent: Annotated[str | None, FilterLookup("parent__code")] = Field(None, description="上级区划代码")
    q: Annotated[str | None, FilterLookup(["name__icontains", "short_name__icontains"])] = Field(
        None, description="按名称搜索"
    )


class RegionOut(Schema):
    code: str
    name: str
    short_name: str
    level: RegionLevel
    level_label: str
    kind: str
    parent_code: str | None
    lon: float = Field(description="WGS-84 经度")
    lat: float = Field(description="WGS-84 纬度")
    area_km2: int | None

    @staticmethod
    def resolve_level_label(obj: Region) -> str:
        return str(obj.get_level_display())

    @staticmethod
    def resolve_parent_code(obj: Region) -> str | None:
        return obj.parent.code if obj.parent else None


class RegionDetailOut(RegionOut):
    boundary: dict[str, Any] | None = Field(None, description="GeoJSON geometry (WGS-84)；仅当 ?boundary=true 时返回")

    @staticmethod
    def resolve_boundary(obj: Region) -> dict[str, Any] | None:
        # The API sets `boundary_out` only when the boundary was asked for; it is large and usually not wanted.
        return getattr(obj, "boundary_out", None)


# ---------------------------------------------------------------------------------------------------------------
# Audit log
# ---------------------------------------------------------------------------------------------------------------

AuditAction = Literal["create", "update", "delete", "access"]
AUDIT_ACTIONS: dict[str, int] = {
    "create": LogEntry.Action.CREATE,
    "update": LogEntry.Action.UPDATE,
    "delete": LogEntry.Action.DELETE,
    "access": LogEntry.Action.ACCESS,
}
_AUDIT_ACTION_NAMES = {value: name for name, value in AUDIT_ACTIONS.items()}


class AuditEntryFilter(Schema):
    action: AuditAction | None = Field(None, description="create/update/delete/access（access = 查看明文）")
    model: str = Field("", description="app_label.model，例如 members.person")
    actor: str = Field("", description="操作人用户名")
    since: dt.date | None = Field(None, description="起始日期（含）")
    until: dt.date | None = Field(None, description="截止日期（含）")


class AuditEntryOut(Schema):
    id: int
    timestamp: dt.datetime
    action: AuditAction
    action_label: str
    model: str
    object_pk: str
    object_repr: str
    actor_username: str | None
    remote_addr: str | None
    changes: dict[str, Any]
    additional_data: dict[str, Any]

    @staticmethod
    def resolve_action(obj: LogEntry) -> str:
        return _AUDIT_ACTION_NAMES[obj.action]

    @staticmethod
    def resolve_action_label(obj: LogEntry) -> str:
        return ACTION_LABELS.get(obj.action, "")

    @staticmethod
    def resolve_model(obj: LogEntry) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"

    @staticmethod
    def resolve_actor_username(obj: LogEntry) -> str | None:
        return obj.actor.get_username() if obj.actor_id else None

    @staticmethod
    def resolve_changes(obj: LogEntry) -> dict[str, Any]:
        return obj.changes_dict or {}

    @staticmethod
    def resolve_additional_data(obj: LogEntry) -> dict[str, Any]:
        return obj.additional_data or {}

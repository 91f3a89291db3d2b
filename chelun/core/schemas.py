"""API schemas shared by every router (errors, pagination) and those of `core` (regions, audit log)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from auditlog.models import LogEntry
from django.db.models import QuerySet
from ninja import Field, FilterLookup, FilterSchema, Schema
from ninja.pagination import PageNumberPagination
from ninja.renderers import JSONRenderer
from pydantic import AfterValidator, BeforeValidator, Strict, WithJsonSchema

from chelun.core.audit import ACTION_LABELS
from chelun.core.bounds import SICHUAN_BOX
from chelun.core.guards import BAD_TEXT_MESSAGE, bad_text
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


# Every refusal that can come before the view runs (chelun.core.guards, the body parser, the schemas).
_REQUEST_ERRORS = {
    400: "请求体不是有效的 JSON（malformed_body）",
    413: "请求体过大（payload_too_large）",
    415: "请求体须为 JSON（unsupported_media_type）",
    422: "请求参数有误（validation_error）",
}


def document_request_errors(schema: dict[str, Any]) -> None:
    """Add to an OpenAPI document the refusals any operation can answer before its view runs, in the one error
    shape: 422 for every operation with parameters or a body, and 400/413/415 for those with a body."""
    ref = {"$ref": "#/components/schemas/ErrorOut"}
    schema.setdefault("components", {}).setdefault("schemas", {}).setdefault(
        "ErrorOut", ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    )
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            has_body = "requestBody" in operation
            wanted = [code for code in _REQUEST_ERRORS if has_body or (code == 422 and operation.get("parameters"))]
            responses = operation["responses"]
            for code in wanted:
                if code not in responses and str(code) not in responses:  # ninja keys them by int
                    responses[code] = {
                        "description": _REQUEST_ERRORS[code],
                        "content": {"application/json": {"schema": ref}},
                    }


# ---------------------------------------------------------------------------------------------------------------
# Strict input types for write schemas. Pydantic's lax mode turns `true` into 1, "100" into 100, 0 into
# 1970-01-01 and `false` into 0; the API's writes take each value only in its own JSON type, and bounded: an
# integer past 2^63 overflows the database (OverflowError on SQLite), and a sum of bounded amounts stays far below.
# ---------------------------------------------------------------------------------------------------------------

MAX_DB_INT = 2**63 - 1
# 1 亿元: the cap the pages' forms already put on one amount.
MAX_FEN = 100_000_000 * 100
MAX_COUNT = 1_000_000_000

Id = Annotated[int, Strict(), Field(ge=1, le=MAX_DB_INT)]
"""A row id in a request body: a JSON integer that a BIGINT column can hold."""
Fen = Annotated[int, Strict(), Field(ge=0, le=MAX_FEN, description="金额（分），0 到 100 亿分（1 亿元）")]
"""An amount of money in integer fen, 0 to 1 亿元."""
PositiveFen = Annotated[int, Strict(), Field(ge=1, le=MAX_FEN, description="金额（分），1 到 100 亿分（1 亿元）")]
Count = Annotated[int, Strict(), Field(ge=0, le=MAX_COUNT)]
"""A count (spaces, people, a version number): a JSON integer, 0 to one billion."""
Flag = Annotated[bool, Strict()]
"""A JSON true/false, never 0/1 or "yes"."""


QueryId = Annotated[int, Field(ge=1, le=MAX_DB_INT)]
"""A row id in a query string (text there, so not strict): bounded so it fits a BIGINT column."""

SichuanLon = Annotated[
    float,
    Strict(),
    Field(ge=SICHUAN_BOX.west, le=SICHUAN_BOX.east, allow_inf_nan=False, description="WGS-84 经度（四川省范围内）"),
]
"""A longitude inside Sichuan's bounding box (chelun.core.bounds): a JSON number, never text or a boolean."""
SichuanLat = Annotated[
    float,
    Strict(),
    Field(ge=SICHUAN_BOX.south, le=SICHUAN_BOX.north, allow_inf_nan=False, description="WGS-84 纬度（四川省范围内）"),
]
"""A latitude inside Sichuan's bounding box."""


def _date_text_only(value: Any) -> Any:
    # Lax pydantic reads a number as seconds since 1970 (month: 0 became 1970-01-01); a date is sent as text.
    if not isinstance(value, (str, dt.date)) or isinstance(value, dt.datetime):
        raise ValueError("日期格式应为 YYYY-MM-DD")
    return value


Day = Annotated[dt.date, BeforeValidator(_date_text_only)]
"""A calendar date sent as "YYYY-MM-DD" text, never a number."""


def _datetime_text_only(value: Any) -> Any:
    # As for Day: lax pydantic reads a number as seconds since 1970; a moment is sent as ISO 8601 text.
    if not isinstance(value, (str, dt.datetime)):
        raise ValueError("时间格式应为 ISO 8601，如 2026-10-01T08:00:00+08:00")
    return value


Moment = Annotated[dt.datetime, BeforeValidator(_datetime_text_only)]
"""A moment sent as ISO 8601 text, never a number."""


def _clean_text(value: str) -> str:
    if bad_text(value):
        raise ValueError(BAD_TEXT_MESSAGE)
    return value


Text = Annotated[str, Strict(), AfterValidator(_clean_text)]
"""JSON text, never a number or boolean; with no NUL or lone surrogate (ApiRequestGuard refuses those for every
request already; this keeps the rule when a schema validates data from elsewhere)."""

LOCAL_TIME_SCHEMA = {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$", "example": "08:00"}
LocalTime = Annotated[dt.time, WithJsonSchema(LOCAL_TIME_SCHEMA)]
"""A wall-clock time of day in Beijing time, without offset ("08:00" or "08:00:00"). OpenAPI's `format: time` is
RFC 3339's full-time, which requires an offset, so the document gives a pattern instead."""


def document_local_times(node: Any) -> None:
    """Give every plain `dt.time` field of an OpenAPI document LocalTime's pattern instead of `format: time`: the
    API reads and writes times of day without an offset ("08:00:00"), which `format: time` (RFC 3339) refuses."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("type") == "string" and item.get("format") == "time":
                del item["format"]
                item.update({k: v for k, v in LOCAL_TIME_SCHEMA.items() if k not in item})
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


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

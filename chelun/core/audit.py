"""Browsing the audit log within scope. Every audited model stores its organisation path in `additional_data`
(see the models' get_additional_data), so an auditor's subtree filter is one prefix match."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Func, IntegerField, Q, QuerySet, TextField
from django.utils import timezone
from django.utils.timezone import is_aware, localtime

from chelun.core.money import yuan_text
from chelun.core.scoping import paths_q, scope_paths

ACTION_LABELS = {
    LogEntry.Action.CREATE: "新增",
    LogEntry.Action.UPDATE: "修改",
    LogEntry.Action.DELETE: "删除",
    LogEntry.Action.ACCESS: "查看明文",
}


@dataclass(frozen=True)
class AuditFilter:
    action: int | None = None
    model: str = ""  # "app_label.model"
    actor_username: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def audit_scope_q(actor: Any) -> Q:
    return paths_q(scope_paths(actor, "audit.view"), "additional_data__org_path")


class EntryOrgPath(Func):
    """The entry's organisation path exactly as the expression index `auditlog_entry_org_path_ts` (core migration
    0005) is written, so the database can use it: SQLite's json_extract, PostgreSQL's ->> in the C collation (a
    byte order, so a subtree's paths are one contiguous range).

    With `indexed=False` the same value in a form the index does not match (SQLite's unary +, PostgreSQL's || ''):
    for a large scope, where reading the log newest first by its timestamp index is the cheaper plan."""

    output_field = TextField()

    def __init__(self, *, indexed: bool = True) -> None:
        super().__init__(F("additional_data"))
        self.indexed = indexed

    def as_sql(  # type: ignore[override]  # the SQL is written whole: no function, template or joiner to take
        self, compiler: Any, connection: Any, **extra: Any
    ) -> Any:
        column, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            value = f"(({column}) ->> 'org_path')" if self.indexed else f"((({column}) ->> 'org_path') || '')"
            return f'({value} COLLATE "C")', params
        return ("" if self.indexed else "+") + f"json_extract({column}, '$.org_path')", params


def subtree_range(path: str) -> tuple[str, str]:
    """[low, high) holding exactly the paths that start with `path` ("/1/7/" -> "/1/7/", "/1/70"): the character
    after "/" in byte order is "0", and every path in the subtree has "/" where the bound has "0"."""
    return path, path[:-1] + chr(ord(path[-1]) + 1)


# A scope with at least this many entries reads the log newest first by its timestamp index and keeps the scope's
# entries (a page then reads about 50 x total / scope entries rows); a smaller one takes its own entries from the
# (org path, timestamp) index and sorts them (at most this many). The two costs meet around sqrt(50 x 10 million).
AUDIT_INDEX_SCOPE_BELOW = 20_000


def _scope_filter(paths: list[str] | None, alias: str = "_org_path") -> Q:
    if paths is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    within = Q()
    for path in paths:
        low, high = subtree_range(path)
        within |= Q(**{f"{alias}__gte": low, f"{alias}__lt": high})
    return within


class AuditEntryQuerySet(QuerySet[LogEntry]):
    """Log entries whose page is read in two steps: the page's ids first (what is sorted and passed over is an id
    and a timestamp, with no join to actor or type), then those 50 rows with their actor and type. Iterating,
    counting and values() are unchanged."""

    def __getitem__(self, k: Any) -> Any:
        if not isinstance(k, slice) or getattr(self, "_fields", None) is not None or self._result_cache is not None:
            return super().__getitem__(k)
        ids = list(self.values_list("pk", flat=True)[k])
        rows = LogEntry.objects.filter(pk__in=ids).select_related("actor", "content_type").in_bulk()
        return [rows[pk] for pk in ids]


def audit_entry_list(*, actor: Any, filters: AuditFilter | None = None) -> QuerySet[LogEntry]:
    """Entries within the actor's audit.view scope, newest first, filtered.

    Kept cheap on ten million entries (issue 9, item 17): the scope is a range on the indexed expression
    (org path, timestamp) when the scope is small; a large scope (a province, a city) is read through the timestamp
    index instead, with the other indexed filters (action, model, actor) kept from steering the plan onto an index
    that would mean sorting a million rows (except an actor with few entries, whose index is then the cheapest way).
    Dates are ranges on the timestamp, not a per-row date cast."""
    f = filters or AuditFilter()
    paths = scope_paths(actor, "audit.view")
    base = AuditEntryQuerySet(LogEntry).alias(_org_path=EntryOrgPath())
    scope = _scope_filter(paths)
    content_type_id = None
    if f.model and "." in f.model:
        app_label, model = f.model.split(".", 1)
        content_type_id = (
            ContentType.objects.filter(app_label=app_label, model=model).values_list("pk", flat=True).first()
        )
    plain: dict[str, Any] = {}
    if f.action is not None:
        plain["action"] = f.action
    if f.model and "." in f.model:
        plain["content_type_id"] = content_type_id
    # How many entries the scope and the action and type filters leave, counted on the scope's index (which holds
    # action and type) up to the threshold: a few ms where there are many, the scope's range where there are few.
    small_scope = paths is not None and (not paths or _fewer_than(base.filter(scope, **plain), AUDIT_INDEX_SCOPE_BELOW))
    qs = base.select_related("actor", "content_type")
    if small_scope:
        qs = qs.filter(scope, **plain)
    else:
        # The same range, on the path in a form no index matches, and the same filters, in a form no index matches
        # either: the timestamp index leads.
        qs = qs.alias(_org_path_scan=EntryOrgPath(indexed=False)).filter(_scope_filter(paths, "_org_path_scan"))
        for name, value in plain.items():
            qs = qs.alias(**{f"_{name}_scan": _NotIndexed(F(name))}).filter(**{f"_{name}_scan": value})
    if f.actor_username:
        actor_id = get_user_model().objects.filter(username=f.actor_username).values_list("pk", flat=True).first()
        if actor_id is None:
            qs = qs.none()
        elif not small_scope and _fewer_than(LogEntry.objects.filter(actor_id=actor_id), AUDIT_INDEX_SCOPE_BELOW):
            qs = qs.filter(actor_id=actor_id)  # a large scope, few entries of theirs: the actor index, a small sort
        else:  # the scope's index, or the timestamp index, leads
            qs = qs.alias(_actor=_NotIndexed(F("actor_id"))).filter(_actor=actor_id)
    if f.since:
        qs = qs.filter(timestamp__gte=_day_start(f.since))
    if f.until:
        qs = qs.filter(timestamp__lt=_day_start(f.until + dt.timedelta(days=1)))
    return qs.order_by("-timestamp", "-id")


def _fewer_than(qs: QuerySet[LogEntry], limit: int) -> bool:
    """Whether `qs` has fewer than `limit` rows, reading at most `limit` (on an index where one fits)."""
    return qs.order_by().values("pk")[:limit].count() < limit


class _NotIndexed(Func):
    """`column + 0`: the same integer, but no index on the column matches it, so the planner keeps the timestamp
    index for `ORDER BY timestamp DESC LIMIT 50` instead of fetching every matching row and sorting them."""

    template = "(%(expressions)s + 0)"
    output_field = IntegerField()


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of `day` in the project's time zone (the dates people type are local dates)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# ---------------------------------------------------------------------------------------------------------------
# Reading an entry: who did it and what changed, in Chinese
# ---------------------------------------------------------------------------------------------------------------

#: Labels for the bookkeeping fields many models share and seldom name (a field named in its model wins).
COMMON_FIELD_LABELS = {
    "id": "编号",
    "created_at": "创建时间",
    "updated_at": "更新时间",
    "version": "版本",
    "user": "用户",
    "person": "人员",
    "organization": "组织",
    "station": "站点",
    "granted_at": "授权时间",
    "path": "组织路径",
    "depth": "层级",
}
EMPTY_VALUE = "空"
BOOL_TEXT = {"True": "是", "False": "否", "true": "是", "false": "否"}


def audited_model_choices() -> list[tuple[str, str]]:
    """("app_label.model", its verbose name) for every model registered with auditlog, by app then name: read from
    the app registry, so core names no domain app and a newly audited model is filterable at once."""
    from auditlog.registry import auditlog

    models = sorted(auditlog.get_models(), key=lambda m: (m._meta.app_label, m._meta.model_name or ""))
    return [(m._meta.label_lower, str(m._meta.verbose_name)) for m in models]


def actor_text(entry: LogEntry) -> str:
    """The user; else an anonymous driver (with the short hash of their device when the writer recorded one); else,
    for a write outside any request (a scheduled task), the system."""
    if entry.actor_id:
        return entry.actor.username
    data = entry.additional_data or {}
    if data.get("anonymous") or entry.remote_addr:
        device = data.get("device")
        return f"匿名司机（设备 {device}）" if device else "匿名司机"
    return "系统"


def _field_label(model: Any, name: str) -> str:
    try:
        field = model._meta.get_field(name) if model is not None else None
    except Exception:  # a field removed since the entry was written
        field = None
    verbose = str(getattr(field, "verbose_name", "") or "")
    if field is None or verbose == name.replace("_", " "):  # Django's default: the model did not name it
        return COMMON_FIELD_LABELS.get(name, verbose or name)
    return verbose


def _is_noise(model: Any, name: str) -> bool:
    """The row's own id (shown beside the object already) and the reverse relations auditlog lists on a create
    ("stations.StationPhoto.None"): nothing a reader needs."""
    if name == "id":
        return True
    try:
        field = model._meta.get_field(name) if model is not None else None
    except Exception:
        return False
    return field is not None and field.auto_created and not field.concrete


def _value_text(model: Any, name: str, value: Any, related: dict[tuple[Any, str], str]) -> str:
    """A stored value as a reader expects it: 空 for nothing, 是/否, a choice's label, a local date and time, the
    related row's name (looked up once per entry list through `related`)."""
    if isinstance(value, dict) and value.get("type") == "m2m":  # auditlog's shape for many-to-many changes
        verb = {"add": "添加", "delete": "移除"}.get(str(value.get("operation")), "设为")
        return f"{verb}：{'、'.join(str(o) for o in value.get('objects', [])) or EMPTY_VALUE}"
    if value is None or value in ("None", "", "[]", "null"):
        return EMPTY_VALUE
    text = str(value)
    if name.endswith("_fen") and text.lstrip("-").isdigit():
        return f"{yuan_text(int(text), thousands=True)} 元"
    try:
        field = model._meta.get_field(name) if model is not None else None
    except Exception:
        field = None
    if field is None:
        return BOOL_TEXT.get(text, text)
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(text, text))
    internal = field.get_internal_type()
    if internal == "BooleanField":
        return BOOL_TEXT.get(text, text)
    if internal == "DateTimeField":
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return text
        # auditlog stores datetimes in UTC, with or without the offset written.
        aware = moment if is_aware(moment) else moment.replace(tzinfo=dt.UTC)
        return localtime(aware).strftime("%Y-%m-%d %H:%M")
    if field.is_relation and field.related_model is not None and not field.many_to_many:
        key = (field.related_model, text)
        if key not in related:
            row = field.related_model._default_manager.filter(pk=text).first() if text.isdigit() else None
            related[key] = f"{row}（#{text}）" if row is not None else f"#{text}"
        return related[key]
    return text


def changes_text(entry: LogEntry, related: dict[tuple[Any, str], str] | None = None) -> str:
    """The changed fields with their Chinese labels and readable values ("状态: 营业中 → 暂停营业").
    Never fails on an odd stored shape."""
    if not entry.changes:
        return ""
    model = entry.content_type.model_class() if entry.content_type_id else None
    cache = {} if related is None else related
    parts = []
    try:
        changes = entry.changes_dict
    except Exception:
        return ""
    for name, values in changes.items():
        if _is_noise(model, name):
            continue
        label = _field_label(model, name)
        if name.endswith("_fen"):  # money is shown in 元, as everywhere else
            label = label.replace("（分）", "")
        if not (isinstance(values, list | tuple) and len(values) == 2):
            parts.append(f"{label}: {_value_text(model, name, values, cache)}")
            continue
        old, new = (_value_text(model, name, v, cache) for v in values)
        # A new row lists what it was created with, a deleted one what it held: no "空 →" before every field.
        shown = {LogEntry.Action.CREATE: new, LogEntry.Action.DELETE: old}.get(entry.action)
        if shown is None:
            parts.append(f"{label}: {old} → {new}")
        elif shown != EMPTY_VALUE:
            parts.append(f"{label}: {shown}")
    return "; ".join(parts)

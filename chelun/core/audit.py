"""Browsing the audit log within scope. Every audited model stores its organisation path in `additional_data`
(see the models' get_additional_data), so an auditor's subtree filter is one prefix match."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.db.models import Q, QuerySet
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


def audit_entry_list(*, actor: Any, filters: AuditFilter | None = None) -> QuerySet[LogEntry]:
    f = filters or AuditFilter()
    qs = LogEntry.objects.filter(audit_scope_q(actor)).select_related("actor", "content_type")
    if f.action is not None:
        qs = qs.filter(action=f.action)
    if f.model and "." in f.model:
        app_label, model = f.model.split(".", 1)
        qs = qs.filter(content_type__app_label=app_label, content_type__model=model)
    if f.actor_username:
        qs = qs.filter(actor__username=f.actor_username)
    if f.since:
        qs = qs.filter(timestamp__date__gte=f.since)
    if f.until:
        qs = qs.filter(timestamp__date__lte=f.until)
    return qs.order_by("-timestamp", "-id")


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

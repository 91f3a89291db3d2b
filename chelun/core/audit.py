"""Browsing the audit log within scope. Every audited model stores its organisation path in `additional_data`
(see the models' get_additional_data), so an auditor's subtree filter is one prefix match."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.db.models import Q, QuerySet

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

"""Writes on the organisation tree, roles and rules. Each use case is one transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from auditlog.models import LogEntry
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from chelun.core.errors import ApplicationError
from chelun.core.models import Region
from chelun.core.services import check_version, full_clean_or_raise
from chelun.orgs.access import require
from chelun.orgs.choices import OrgKind, Role
from chelun.orgs.models import Organization, RoleGrant, Rule

ORG_EDITABLE_FIELDS = (
    "name",
    "kind",
    "sector",
    "region",
    "unit_name",
    "founded_on",
    "status",
    "has_staffing_standard",
    "has_personnel_standard",
    "has_funding_standard",
    "project_name",
    "ends_on",
)


@transaction.atomic
def organization_create(
    *,
    actor: Any,
    parent: Organization | None,
    name: str,
    kind: str,
    sector: str,
    region: Region,
    founded_on: dt.date,
    **fields: Any,
) -> Organization:
    """Create an organisation under `parent` (None: a root, superusers only). Raises Forbidden/ValidationFailed."""
    if parent is None:
        if not getattr(actor, "is_superuser", False):
            raise ApplicationError("只有系统管理员可以创建顶级组织", "root_forbidden")
    else:
        require(actor, "org.change", parent)
    org = Organization(
        parent=parent, name=name, kind=kind, sector=sector, region=region, founded_on=founded_on, **fields
    )
    org.path = "/pending/"
    full_clean_or_raise(org)
    org.save()
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    org.depth = parent.depth + 1 if parent else 0
    Organization.objects.filter(pk=org.pk).update(path=org.path, depth=org.depth)
    # The create entry was written before the path existed; give it the real path so auditors' scope finds it.
    LogEntry.objects.get_for_object(org).filter(action=LogEntry.Action.CREATE).update(
        additional_data={"org_path": org.path}
    )
    return org


@transaction.atomic
def organization_update(
    *, actor: Any, organization: Organization, expected_version: int | None, **changes: Any
) -> Organization:
    """Change an organisation's own fields (not its place in the tree: see organization_move)."""
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    require(actor, "org.change", org)
    check_version(org, expected_version)
    unknown = set(changes) - set(ORG_EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(f"不可修改的字段：{', '.join(sorted(unknown))}", "field_not_editable")
    for field, value in changes.items():
        setattr(org, field, value)
    full_clean_or_raise(org)
    org.version = F("version") + 1
    org.save()
    org.refresh_from_db()
    return org


@transaction.atomic
def organization_move(
    *, actor: Any, organization: Organization, new_parent: Organization, expected_version: int | None = None
) -> Organization:
    """Move `organization` and its whole subtree under `new_parent`.

    Rejects cycles (the new parent inside the moved subtree). The actor needs org.change on both the old and the
    new parent, so nobody moves a subtree out of (or into) a part of the tree they do not manage.
    """
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    new_parent = Organization.objects.get(pk=new_parent.pk)
    check_version(org, expected_version)
    if org.parent_id is None:
        raise ApplicationError("顶级组织不能移动", "root_move")
    require(actor, "org.change", org.parent)  # type: ignore[arg-type]
    require(actor, "org.change", new_parent)
    if new_parent.path.startswith(org.path):
        raise ApplicationError("不能把组织移动到它自己或它的下级组织之下", "tree_cycle")
    if new_parent.kind not in (OrgKind.INDUSTRY_COMMITTEE, OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH):
        raise ApplicationError("只能移动到党委或党总支之下", "parent_kind")
    old_path, new_path = org.path, f"{new_parent.path}{org.pk}/"
    depth_delta = new_parent.depth + 1 - org.depth
    Organization.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_delta,
    )
    Organization.objects.filter(pk=org.pk).update(parent=new_parent, version=F("version") + 1)
    old_parent_name = org.parent.name if org.parent else ""
    org.refresh_from_db()
    # Queryset updates send no signals, so the move is written to the audit log here.
    LogEntry.objects.log_create(
        org,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes={"parent": [old_parent_name, new_parent.name], "path": [old_path, new_path]},
        actor=actor,
        additional_data={"org_path": new_path, "moved_from": old_path},
    )
    return org


@transaction.atomic
def role_grant(*, actor: Any, user: Any, organization: Organization, role: str) -> RoleGrant:
    """Grant `role` on `organization` (covering its subtree). Idempotent."""
    require(actor, "role.manage", organization)
    if role not in Role.values:
        raise ApplicationError("未知角色", "unknown_role")
    grant, _ = RoleGrant.objects.get_or_create(user=user, organization=organization, role=role)
    user.__dict__.pop("_chelun_scope_cache", None)
    return grant


@transaction.atomic
def rule_create(*, actor: Any, organization: Organization, **fields: Any) -> Rule:
    require(actor, "rule.change", organization)
    rule = Rule(organization=organization, **fields)
    full_clean_or_raise(rule)
    rule.save()
    return rule


@transaction.atomic
def rule_update(*, actor: Any, rule: Rule, expected_version: int | None, **changes: Any) -> Rule:
    locked = Rule.objects.select_for_update().select_related("organization").get(pk=rule.pk)
    require(actor, "rule.change", locked.organization)
    check_version(locked, expected_version)
    for field, value in changes.items():
        if field not in ("title", "category", "number", "effective_on", "status", "attachment"):
            raise ApplicationError(f"不可修改的字段：{field}", "field_not_editable")
        setattr(locked, field, value)
    full_clean_or_raise(locked)
    locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db()
    return locked

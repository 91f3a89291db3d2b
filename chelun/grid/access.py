"""Who may see which grid branches, cells and mobile members (actions registered in grid.permissions).

- Grid branches and their cells: grid.view in the subtree the branch sits in; drawing coverage needs grid.change.
- A mobile member is seen from both sides ("一方隶属、双重管理"): by the home branch's subtree and by the subtree of
  the grid branch they are attached to now (or have been suggested to). grid.members_manage on the home side registers
  and ends outflows; on the grid side it confirms attachments.
- A driver sees only their own consent, pings, position and attachments (by the person linked to the login).
- Out of scope is 404, like missing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from chelun.core.errors import Forbidden, NotFound
from chelun.grid.models import Attachment, MobileMember
from chelun.orgs.access import can, path_scope_q, scope_paths
from chelun.orgs.choices import OrgKind
from chelun.orgs.models import Organization


def branch_scope_q(actor: Any, action: str = "grid.view") -> Q:
    return path_scope_q(actor, action, "path") & Q(kind=OrgKind.GRID_BRANCH)


def grid_branches(actor: Any, action: str = "grid.view") -> QuerySet[Organization]:
    return Organization.objects.filter(branch_scope_q(actor, action))


def access_branch_by_id(*, actor: Any, branch_id: int, change: bool = False) -> Organization:
    branch = Organization.objects.filter(branch_scope_q(actor), pk=branch_id).select_related("region").first()
    if branch is None:
        raise NotFound("网格支部不存在")
    if change and not can(actor, "grid.change", branch):
        raise Forbidden("没有划定网格的权限")
    return branch


def mobile_scope_q(actor: Any, action: str = "grid.view") -> Q:
    home = path_scope_q(actor, action, "home_branch__path")
    if scope_paths(actor, action) is None:
        return home
    grid_side = MobileMember.objects.filter(
        path_scope_q(actor, action, "attachments__branch__path"), attachments__ended_at__isnull=True
    ).values("pk")
    return home | Q(pk__in=grid_side)


def mobile_members(actor: Any) -> QuerySet[MobileMember]:
    return MobileMember.objects.filter(mobile_scope_q(actor))


def access_mobile_by_id(*, actor: Any, mobile_id: int, manage: bool = False) -> MobileMember:
    mobile = (
        MobileMember.objects.filter(mobile_scope_q(actor), pk=mobile_id).select_related("person", "home_branch").first()
    )
    if mobile is None:
        raise NotFound("流动党员不存在")
    if manage and not can(actor, "grid.members_manage", mobile.home_branch):
        raise Forbidden("只有所在支部可以办理")
    return mobile


def access_attachment_by_id(*, actor: Any, attachment_id: int) -> Attachment:
    """An attachment for its grid branch's secretary to confirm: grid.members_manage on the grid branch, else 404."""
    attachment = (
        Attachment.objects.filter(path_scope_q(actor, "grid.members_manage", "branch__path"), pk=attachment_id)
        .select_related("mobile", "branch")
        .first()
    )
    if attachment is None:
        raise NotFound("挂靠记录不存在")
    return attachment


def person_of(actor: Any) -> Any:
    """The person a driver's login belongs to; a login with none cannot send pings or consent."""
    person_id = getattr(actor, "person_id", None) if getattr(actor, "is_authenticated", False) else None
    if not person_id:
        raise Forbidden("当前账号未关联司机身份", "no_person")
    return actor.person

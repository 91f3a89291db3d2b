"""Test builders for the organisation tree. Orgs go through the service, so paths are real."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from chelun.accounts.models import User
from chelun.core.models import Region
from chelun.orgs import services
from chelun.orgs.choices import OrgKind, OrgSector, Role
from chelun.orgs.models import Organization, RoleGrant

_ROOT = None


def superuser() -> User:
    user, created = User.objects.get_or_create(username="root", defaults={"is_superuser": True, "is_staff": True})
    if created:
        user.set_password("root-pass-123")
        user.save()
    return user


def make_org(
    *,
    parent: Organization | None,
    name: str,
    region_code: str,
    kind: str = OrgKind.BRANCH,
    sector: str = OrgSector.COMPANY,
    **fields: Any,
) -> Organization:
    return services.organization_create(
        actor=superuser(),
        parent=parent,
        name=name,
        kind=kind,
        sector=sector,
        region=Region.objects.get(code=region_code),
        founded_on=fields.pop("founded_on", dt.date(2020, 1, 1)),
        **fields,
    )


def make_user(username: str, *, org: Organization | None = None, role: str = Role.ADMIN, **fields: Any) -> User:
    user = User.objects.create_user(username=username, password="Pass-word-123", **fields)
    if org is not None:
        RoleGrant.objects.create(user=user, organization=org, role=role)
    return user


@dataclass
class Tree:
    """Province committee > 成都 / 绵阳 city committees > 武侯区 / 锦江区 (siblings) / 涪城区 county committees,
    each county with one company branch; users: a province admin, a 武侯 admin and a 锦江 admin."""

    province: Organization
    chengdu: Organization
    mianyang: Organization
    wuhou: Organization
    jinjiang: Organization
    fucheng: Organization
    wuhou_branch: Organization
    jinjiang_branch: Organization
    fucheng_branch: Organization
    province_admin: User
    wuhou_admin: User
    jinjiang_admin: User


def build_tree() -> Tree:
    ic = OrgKind.INDUSTRY_COMMITTEE
    auth = OrgSector.AUTHORITY
    province = make_org(parent=None, name="四川省交通运输行业党委", region_code="510000", kind=ic, sector=auth)
    chengdu = make_org(parent=province, name="成都市交通运输行业党委", region_code="510100", kind=ic, sector=auth)
    mianyang = make_org(parent=province, name="绵阳市交通运输行业党委", region_code="510700", kind=ic, sector=auth)
    wuhou = make_org(parent=chengdu, name="武侯区交通运输行业党委", region_code="510107", kind=ic, sector=auth)
    jinjiang = make_org(parent=chengdu, name="锦江区交通运输行业党委", region_code="510104", kind=ic, sector=auth)
    fucheng = make_org(parent=mianyang, name="涪城区交通运输行业党委", region_code="510703", kind=ic, sector=auth)
    return Tree(
        province=province,
        chengdu=chengdu,
        mianyang=mianyang,
        wuhou=wuhou,
        jinjiang=jinjiang,
        fucheng=fucheng,
        wuhou_branch=make_org(parent=wuhou, name="武侯物流公司党支部", region_code="510107"),
        jinjiang_branch=make_org(parent=jinjiang, name="锦江货运公司党支部", region_code="510104"),
        fucheng_branch=make_org(parent=fucheng, name="涪城运输公司党支部", region_code="510703"),
        province_admin=make_user("province-admin", org=province),
        wuhou_admin=make_user("wuhou-admin", org=wuhou),
        jinjiang_admin=make_user("jinjiang-admin", org=jinjiang),
    )

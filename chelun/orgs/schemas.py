"""API schemas for the organisation tree and institutional rules. Enumerations travel as their English values,
with the Chinese label beside them (`kind` + `kind_label`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import field_validator

from chelun.core.schemas import Count, Day, Flag, Id, QueryId, Text, not_null
from chelun.orgs.choices import OrgKind, OrgSector, OrgStatus, RuleCategory, RuleStatus
from chelun.orgs.models import Organization, Rule


class OrgBriefOut(Schema):
    id: int
    name: str
    kind: OrgKind
    kind_label: str

    @staticmethod
    def resolve_kind_label(obj: Organization) -> str:
        return str(obj.get_kind_display())


class OrgOut(OrgBriefOut):
    sector: OrgSector
    sector_label: str
    parent_id: int | None
    path: str = Field(description="物化路径：祖先组织 id，如 /1/7/42/")
    depth: int
    region_code: str
    region_name: str
    unit_name: str
    founded_on: dt.date
    status: OrgStatus
    status_label: str
    has_staffing_standard: bool
    has_personnel_standard: bool
    has_funding_standard: bool
    project_name: str
    ends_on: dt.date | None
    version: int = Field(description="修改时原样带回，用于并发控制")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_sector_label(obj: Organization) -> str:
        return str(obj.get_sector_display())

    @staticmethod
    def resolve_status_label(obj: Organization) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_region_code(obj: Organization) -> str:
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj: Organization) -> str:
        return obj.region.name


class OrgChildOut(OrgOut):
    child_count: int = Field(description="直接下级组织数")


class SubtreeFiguresOut(Schema):
    organizations: int = Field(description="本组织及全部下级组织数")
    industry_built: int = Field(description="其中行业内建立的党组织（党委、党总支、党支部、联合党支部）")
    grid_branches: int
    temporary_branches: int
    rules: int
    committees_with_all_standards: int = Field(description="机构、人员、经费三项落实的行业党委数")


class OrgDetailOut(OrgOut):
    ancestors: list[OrgBriefOut] = Field(description="本人可见的上级组织，自顶向下")
    figures: SubtreeFiguresOut

    @staticmethod
    def resolve_ancestors(obj: Organization) -> list[Organization]:
        return obj.visible_ancestors  # type: ignore[attr-defined]


class OrgFilter(Schema):
    q: str = Field("", max_length=128, description="按名称搜索")
    kind: OrgKind | None = None
    region: str = Field("", max_length=6, description="行政区划代码（含下级区划）")
    status: OrgStatus | None = None
    within: QueryId | None = Field(None, description="只看该组织的子树（组织 id）")


class OrgIn(Schema):
    parent_id: Id | None = Field(description="上级组织 id；null 仅系统管理员可用（新建顶级组织）")
    name: Text = Field(max_length=128)
    kind: OrgKind
    sector: OrgSector
    region_code: Text = Field(max_length=6)
    founded_on: Day
    unit_name: Text = Field("", max_length=128)
    has_staffing_standard: Flag = False
    has_personnel_standard: Flag = False
    has_funding_standard: Flag = False
    project_name: Text = Field("", max_length=128, description="临时党支部必填")
    ends_on: Day | None = Field(None, description="临时党支部必填")


class OrgPatchIn(Schema):
    version: Count = Field(description="读取时的 version；他人已修改则返回 409")
    name: Text | None = Field(None, max_length=128)
    kind: OrgKind | None = None
    sector: OrgSector | None = None
    region_code: Text | None = Field(None, max_length=6)
    unit_name: Text | None = Field(None, max_length=128)
    founded_on: Day | None = None
    status: OrgStatus | None = None
    has_staffing_standard: Flag | None = None
    has_personnel_standard: Flag | None = None
    has_funding_standard: Flag | None = None
    project_name: Text | None = Field(None, max_length=128)
    ends_on: Day | None = None

    _not_null = field_validator(
        "name",
        "kind",
        "sector",
        "region_code",
        "unit_name",
        "founded_on",
        "status",
        "has_staffing_standard",
        "has_personnel_standard",
        "has_funding_standard",
        "project_name",
    )(not_null)

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, without `version`."""
        return self.model_dump(exclude_unset=True, exclude={"version"})


class OrgMoveIn(Schema):
    new_parent_id: Id
    version: Count | None = Field(None, description="可选：读取时的 version；他人已修改则返回 409")


# ---------------------------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------------------------


class RuleOut(Schema):
    id: int
    organization: OrgBriefOut
    title: str
    category: RuleCategory
    category_label: str
    number: str
    effective_on: dt.date
    status: RuleStatus
    status_label: str
    attachment_url: str | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_category_label(obj: Rule) -> str:
        return str(obj.get_category_display())

    @staticmethod
    def resolve_status_label(obj: Rule) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_attachment_url(obj: Rule) -> str | None:
        return obj.attachment.url if obj.attachment else None


class RuleFilter(Schema):
    q: str = Field("", max_length=200, description="按标题或文号搜索")
    category: RuleCategory | None = None
    status: RuleStatus | None = None
    within: QueryId | None = Field(None, description="只看该组织子树制定的制度（组织 id）")


class RuleIn(Schema):
    organization_id: Id
    title: Text = Field(max_length=200)
    category: RuleCategory
    number: Text = Field("", max_length=64, description="文号，同一组织内不能重复")
    effective_on: Day
    status: RuleStatus = RuleStatus.EFFECTIVE

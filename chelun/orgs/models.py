from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from chelun.orgs.choices import OrgKind, OrgSector, OrgStatus, Role, RuleCategory, RuleStatus


class Organization(models.Model):
    """A party organisation (党组织): an industry committee, a company committee or branch, a grid-based mobile
    branch (网格化流动党员党支部), a temporary branch (临时党支部) or a joint branch (联合党支部).

    `path` is a materialised path of ancestor ids ("/1/7/42/"), so a subtree is one prefix query.
    """

    name = models.CharField("名称", max_length=128)
    kind = models.CharField("类型", max_length=32, choices=OrgKind.choices)
    sector = models.CharField("所在单位类别", max_length=16, choices=OrgSector.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级组织", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=255, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    region = models.ForeignKey("core.Region", verbose_name="所在地区", on_delete=models.PROTECT, related_name="+")
    unit_name = models.CharField("所在单位", max_length=128, blank=True)
    founded_on = models.DateField("成立日期")
    status = models.CharField("状态", max_length=16, choices=OrgStatus.choices, default=OrgStatus.ACTIVE)
    # The three standards the province tracks for industry committees.
    has_staffing_standard = models.BooleanField("机构编制落实", default=False)
    has_personnel_standard = models.BooleanField("人员配备落实", default=False)
    has_funding_standard = models.BooleanField("经费保障落实", default=False)
    # Temporary branches exist for a project and end with it.
    project_name = models.CharField("项目名称", max_length=128, blank=True)
    ends_on = models.DateField("撤销日期（临时支部）", null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path"]
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        indexes = [models.Index(fields=["kind", "status"], name="org_kind_status")]
        constraints = [
            models.CheckConstraint(
                name="org_temporary_has_project_and_end",
                condition=~Q(kind=OrgKind.TEMPORARY_BRANCH) | (~Q(project_name="") & Q(ends_on__isnull=False)),
            ),
            models.CheckConstraint(
                name="org_ends_after_founded",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("founded_on")),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def all_standards_set(self) -> bool:
        return self.has_staffing_standard and self.has_personnel_standard and self.has_funding_standard

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind == OrgKind.TEMPORARY_BRANCH:
            if not self.project_name:
                errors["project_name"] = "临时党支部必须填写所依托的项目"
            if not self.ends_on:
                errors["ends_on"] = "临时党支部必须填写撤销日期"
        if self.ends_on and self.founded_on and self.ends_on < self.founded_on:
            errors["ends_on"] = "撤销日期不能早于成立日期"
        if self.kind != OrgKind.INDUSTRY_COMMITTEE and (
            self.has_staffing_standard or self.has_personnel_standard or self.has_funding_standard
        ):
            errors["kind"] = "机构编制、人员配备、经费保障仅适用于行业党委"
        if errors:
            raise ValidationError(errors)

    def get_additional_data(self) -> dict[str, Any]:
        # Lets auditors' scope filter audit entries by subtree.
        return {"org_path": self.path}


class RoleGrant(models.Model):
    """A role granted to a user on one organisation; it covers that organisation's whole subtree."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [models.UniqueConstraint(fields=["user", "organization", "role"], name="rolegrant_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"org_path": self.organization.path}


def rule_attachment_path(instance: Rule, filename: str) -> str:
    return f"rules/{instance.organization_id}/{filename}"


class Rule(models.Model):
    """An institutional rule (制度) adopted by an organisation."""

    organization = models.ForeignKey(
        Organization, verbose_name="制定组织", on_delete=models.PROTECT, related_name="rules"
    )
    title = models.CharField("标题", max_length=200)
    category = models.CharField("类别", max_length=16, choices=RuleCategory.choices)
    number = models.CharField("文号", max_length=64, blank=True)
    effective_on = models.DateField("生效日期")
    status = models.CharField("状态", max_length=16, choices=RuleStatus.choices, default=RuleStatus.EFFECTIVE)
    attachment = models.FileField("附件", upload_to=rule_attachment_path, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-effective_on", "id"]
        verbose_name = "制度"
        verbose_name_plural = "制度"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"],
                condition=~Q(number=""),
                name="rule_number_unique_per_org",
                violation_error_message="本组织已有相同文号的制度",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_additional_data(self) -> dict[str, Any]:
        return {"org_path": self.organization.path}

"""Forms of the organisation pages. Forms only clean input; the views hand it to the services."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from chelun.core.forms import DateInput, RegionField
from chelun.orgs.choices import OrgKind, OrgStatus, RuleCategory, RuleStatus
from chelun.orgs.models import Organization
from chelun.orgs.selectors import (
    OrganizationFilter,
    organization_list,
    organization_list_for_action,
    organization_move_targets,
)

# How many candidates a <select> lists (a province has about 1,100 organisations).
MAX_SELECT_OPTIONS = 2000


def _tree_label(org: Organization, base_depth: int = 0) -> str:
    return "　" * max(0, org.depth - base_depth) + org.name


def _org_choices(orgs: Any, empty_label: str) -> list[tuple[str, str]]:
    rows = list(orgs)
    base = min((o.depth for o in rows), default=0)
    return [("", empty_label), *[(str(o.pk), _tree_label(o, base)) for o in rows]]


class OrganizationFilterForm(forms.Form):
    q = forms.CharField(label="名称", required=False, max_length=64)
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *OrgKind.choices])
    region = RegionField(required=False)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *OrgStatus.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"placeholder": "组织名称", "type": "search"})

    def to_filter(self) -> OrganizationFilter:
        data = self.cleaned_data
        return OrganizationFilter(
            q=(data.get("q") or "").strip(),
            kind=data.get("kind") or "",
            region=data.get("region"),
            status=data.get("status") or "",
        )


class OrganizationEditForm(forms.Form):
    """Edit an organisation's own fields; `version` is the one the user saw, so a stale edit is refused."""

    name = forms.CharField(label="名称", max_length=128)
    status = forms.ChoiceField(label="状态", choices=OrgStatus.choices)
    has_staffing_standard = forms.BooleanField(label="机构编制落实", required=False)
    has_personnel_standard = forms.BooleanField(label="人员配备落实", required=False)
    has_funding_standard = forms.BooleanField(label="经费保障落实", required=False)
    founded_on = forms.DateField(label="成立日期", widget=DateInput())
    project_name = forms.CharField(label="项目名称", max_length=128, required=False)
    ends_on = forms.DateField(label="撤销日期", required=False, widget=DateInput())
    version = forms.IntegerField(widget=forms.HiddenInput())

    STANDARD_FIELDS = ("has_staffing_standard", "has_personnel_standard", "has_funding_standard")

    def __init__(self, *args: Any, actor: Any, organization: Organization, **kwargs: Any) -> None:
        org = organization
        kwargs.setdefault(
            "initial",
            {
                "name": org.name,
                "status": org.status,
                "has_staffing_standard": org.has_staffing_standard,
                "has_personnel_standard": org.has_personnel_standard,
                "has_funding_standard": org.has_funding_standard,
                "founded_on": org.founded_on,
                "project_name": org.project_name,
                "ends_on": org.ends_on,
                "version": org.version,
            },
        )
        super().__init__(*args, **kwargs)
        if org.kind != OrgKind.INDUSTRY_COMMITTEE:  # the three standards are only tracked for industry committees
            for name in self.STANDARD_FIELDS:
                del self.fields[name]
        if org.kind != OrgKind.TEMPORARY_BRANCH:
            del self.fields["project_name"]

    def changes(self) -> dict[str, Any]:
        """The fields to hand to organization_update (everything but the version)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class OrganizationMoveForm(forms.Form):
    """Move an organisation (and its subtree) under another one. The list offers valid targets; any visible
    organisation is accepted, so the service's own refusals (a cycle, no right on the target) reach the user."""

    new_parent = forms.ModelChoiceField(
        label="新的上级组织",
        queryset=Organization.objects.none(),
        error_messages={"required": "请选择新的上级组织", "invalid_choice": "请选择有效的上级组织"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput())

    def __init__(self, *args: Any, actor: Any, organization: Organization, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"version": organization.version})
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["new_parent"])
        field.queryset = organization_list(actor=actor)
        targets = organization_move_targets(actor=actor, organization=organization)[:MAX_SELECT_OPTIONS]
        field.choices = _org_choices(targets, "请选择")


class RuleFilterForm(forms.Form):
    q = forms.CharField(label="标题或文号", required=False, max_length=64)
    category = forms.ChoiceField(label="类别", required=False, choices=[("", "全部类别"), *RuleCategory.choices])
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *RuleStatus.choices])
    org = forms.IntegerField(label="制定组织", required=False, min_value=1, widget=forms.HiddenInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"placeholder": "标题或文号", "type": "search"})


class RuleCreateForm(forms.Form):
    organization = forms.ModelChoiceField(
        label="制定组织",
        queryset=Organization.objects.none(),
        error_messages={"required": "请选择制定组织", "invalid_choice": "请选择有效的组织"},
    )
    title = forms.CharField(label="标题", max_length=200, error_messages={"required": "请填写标题"})
    category = forms.ChoiceField(label="类别", choices=RuleCategory.choices)
    number = forms.CharField(label="文号", max_length=64, required=False)
    effective_on = forms.DateField(label="生效日期", widget=DateInput(), error_messages={"required": "请填写生效日期"})
    status = forms.ChoiceField(label="状态", choices=RuleStatus.choices, initial=RuleStatus.EFFECTIVE)
    attachment = forms.FileField(label="附件", required=False)

    def __init__(self, *args: Any, actor: Any, within: Organization | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["organization"])
        # Any visible organisation validates, so a missing right is reported by the service in its words.
        field.queryset = organization_list(actor=actor)
        # Opened from an organisation's page: offer its subtree only.
        candidates = organization_list_for_action(actor=actor, action="rule.change", within=within)
        field.choices = _org_choices(candidates[:MAX_SELECT_OPTIONS], "请选择")

    def rule_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("organization")
        if not data.get("attachment"):
            data.pop("attachment", None)
        return data

"""Forms shared by the console pages: the region picker (prefecture or county) and the audit-log filters."""

from __future__ import annotations

from typing import Any

from django import forms

from chelun.core.audit import ACTION_LABELS, AuditFilter
from chelun.core.models import Region, RegionLevel

# The audited models an auditor can filter on ("app_label.model" -> label).
AUDITED_MODELS = (
    ("orgs.organization", "党组织"),
    ("orgs.rolegrant", "角色授权"),
    ("orgs.rule", "制度"),
    ("members.person", "人员"),
    ("members.driverprofile", "司机档案"),
    ("members.partymemberprofile", "党员档案"),
    ("members.shipperprofile", "货主档案"),
    ("members.stationoperatorprofile", "站长档案"),
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def region_choices() -> list[Any]:
    """Prefectures, each followed by its counties, as grouped <select> choices (one query)."""
    regions = Region.objects.filter(level__in=(RegionLevel.PREFECTURE, RegionLevel.COUNTY)).order_by("code")
    regions = regions.only("id", "name", "level", "parent_id")
    prefectures: list[Region] = []
    counties: dict[int | None, list[Region]] = {}
    for region in regions:
        if region.level == RegionLevel.PREFECTURE:
            prefectures.append(region)
        else:
            counties.setdefault(region.parent_id, []).append(region)
    return [
        (p.name, [(str(p.pk), f"{p.name}（全市）"), *[(str(c.pk), c.name) for c in counties.get(p.pk, [])]])
        for p in prefectures
    ]


class RegionField(forms.ModelChoiceField):
    """A prefecture or county of Sichuan, picked from a grouped list. The form that uses it calls
    `load_choices()` when it is going to be rendered (validation alone needs no list)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "地区")
        kwargs.setdefault("empty_label", "全部地区")
        kwargs.setdefault("error_messages", {"invalid_choice": "请选择有效的地区"})
        queryset = Region.objects.filter(level__in=(RegionLevel.PREFECTURE, RegionLevel.COUNTY))
        super().__init__(queryset=queryset, **kwargs)

    def load_choices(self) -> None:
        self.choices = [("", self.empty_label or ""), *region_choices()]


class AuditFilterForm(forms.Form):
    action = forms.TypedChoiceField(
        label="操作",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "全部操作"), *[(int(k), v) for k, v in ACTION_LABELS.items()]],
    )
    model = forms.ChoiceField(label="对象类型", required=False, choices=[("", "全部类型"), *AUDITED_MODELS])
    actor = forms.CharField(label="操作人（用户名）", required=False, max_length=150)
    since = forms.DateField(label="起始日期", required=False, widget=DateInput())
    until = forms.DateField(label="截止日期", required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("起始日期不能晚于截止日期")
        return data

    def to_filter(self) -> AuditFilter:
        data = self.cleaned_data
        return AuditFilter(
            action=data.get("action"),
            model=data.get("model") or "",
            actor_username=(data.get("actor") or "").strip(),
            since=data.get("since"),
            until=data.get("until"),
        )

"""Forms of the province console: the station list's filters and the funding pages (report range, a month's
costs, a subsidy contribution)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django import forms

from chelun.core.forms import RegionField
from chelun.core.models import Region
from chelun.core.money import yuan_text
from chelun.stations.choices import CostCategory, FundingSource, StationKind
from chelun.stations.forms.fields import MonthField, YuanField, corridor_choices
from chelun.stations.selectors import StationFilter


class ConsoleFilterForm(forms.Form):
    q = forms.CharField(label="站名或地址", required=False, max_length=64)
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *StationKind.choices])
    region = RegionField(required=False)
    corridor = forms.ChoiceField(label="线路", required=False)
    synthetic = forms.BooleanField(label="含合成测试站点", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"placeholder": "站名或地址", "type": "search"})
        self.fields["corridor"].choices = [("", "全部线路"), *corridor_choices()]  # type: ignore[attr-defined]

    def to_filter(self) -> StationFilter:
        data = self.cleaned_data
        region: Region | None = data.get("region")
        return StationFilter(
            q=(data.get("q") or "").strip(),
            kind=data.get("kind") or "",
            region_code=region.code if region else "",
            corridor=data.get("corridor") or "",
        )


MAX_REPORT_MONTHS = 60


class FundingFilterForm(forms.Form):
    start = MonthField(label="起始月份")
    end = MonthField(label="截止月份")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError("起始月份不能晚于截止月份")
            if (end.year - start.year) * 12 + end.month - start.month >= MAX_REPORT_MONTHS:
                raise forms.ValidationError(f"一次最多统计 {MAX_REPORT_MONTHS} 个月")
        return data

    def months(self) -> tuple[dt.date, dt.date]:
        """The first days of the first and the last month (funding figures are kept per month)."""
        return self.cleaned_data["start"].replace(day=1), self.cleaned_data["end"].replace(day=1)


def default_months(today: dt.date) -> dict[str, str]:
    """The funding report opens on this year so far."""
    return {"start": f"{today.year}-01", "end": f"{today:%Y-%m}"}


class CostForm(forms.Form):
    """A station's operating cost for one month, one amount (元) per category. It replaces that month's figures:
    a category left blank is removed from the month."""

    month = MonthField(label="月份")

    def __init__(self, *args: Any, amounts_fen: dict[str, int] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "cost_%s")  # shares its page with SubsidyForm: distinct element ids
        super().__init__(*args, **kwargs)
        for code, label in CostCategory.choices:
            current = (amounts_fen or {}).get(code)
            self.fields[f"cost_{code}"] = YuanField(
                label=f"{label}（元）", required=False, initial=yuan_text(current) if current is not None else None
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and all(data.get(f"cost_{code}") is None for code in CostCategory.values):
            raise forms.ValidationError("请至少填写一项成本")
        return data

    def amounts_fen(self) -> dict[str, int]:
        amounts = {code: self.cleaned_data.get(f"cost_{code}") for code in CostCategory.values}
        return {code: fen for code, fen in amounts.items() if fen is not None}

    def amount_fields(self) -> list[Any]:
        return [self[f"cost_{code}"] for code in CostCategory.values]


class SubsidyForm(forms.Form):
    """One subsidy contribution. The idempotency key is made when the form is rendered, so submitting the same form
    twice (a double tap, a resent request) records the money once."""

    month = MonthField(label="月份")
    source = forms.ChoiceField(
        label="来源", choices=FundingSource.choices, error_messages={"invalid_choice": "请选择有效的补贴来源"}
    )
    amount = YuanField(label="金额（元）", error_messages={"required": "请填写金额"})
    idempotency_key = forms.CharField(
        min_length=8,
        max_length=100,
        widget=forms.HiddenInput(),
        error_messages={"required": "表单已失效，请刷新页面后重新填写"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "subsidy_%s")
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", secrets.token_urlsafe(18))

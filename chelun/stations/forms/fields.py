"""Form fields and widgets the 暖心之家 forms share: town, county and corridor pickers, date/time inputs, and money
typed in 元 (cleaned to 分 by core.money, the one home of that rule)."""

from __future__ import annotations

from typing import Any

from django import forms

from chelun.core.forms import RegionField, region_choices
from chelun.core.models import Region, RegionLevel
from chelun.core.money import MAX_ENTRY_FEN, YuanParseError
from chelun.core.money import parse_yuan as parse_yuan_text
from chelun.stations.corridors import corridors

COORD_CHOICES = (("wgs84", "WGS-84（GPS、北斗、奥维）"), ("gcj02", "GCJ-02（高德、腾讯地图）"))


def _town_choices() -> list[Any]:
    """Prefecture seats and county towns for "tap a town" (the region's point is its seat)."""
    return [
        (group, [(value, label.replace("（全市）", "（市区）")) for value, label in options])
        for group, options in region_choices()
    ]


class TownField(RegionField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "或选择城镇")
        kwargs.setdefault("empty_label", "选择城镇")
        kwargs.setdefault("error_messages", {"invalid_choice": "请选择有效的城镇"})
        super().__init__(**kwargs)

    def load_choices(self) -> None:
        self.choices = [("", self.empty_label or ""), *_town_choices()]


def county_choices() -> list[Any]:
    """Counties grouped by prefecture (one query): a station sits in one county."""
    rows = Region.objects.filter(level__in=(RegionLevel.PREFECTURE, RegionLevel.COUNTY)).order_by("code")
    prefectures: list[Region] = []
    counties: dict[int | None, list[tuple[str, str]]] = {}
    for region in rows.only("id", "name", "level", "parent_id"):
        if region.level == RegionLevel.PREFECTURE:
            prefectures.append(region)
        else:
            counties.setdefault(region.parent_id, []).append((str(region.pk), region.name))
    return [(p.name, counties[p.pk]) for p in prefectures if counties.get(p.pk)]


class CountyField(forms.ModelChoiceField):
    """A county of Sichuan from a grouped list; `load_choices()` when the form is going to be rendered."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "所在区县")
        kwargs.setdefault("empty_label", "请选择区县")
        kwargs.setdefault("error_messages", {"required": "请选择所在区县", "invalid_choice": "请选择有效的区县"})
        super().__init__(queryset=Region.objects.filter(level=RegionLevel.COUNTY), **kwargs)

    def load_choices(self) -> None:
        self.choices = [("", self.empty_label or ""), *county_choices()]


def corridor_choices() -> list[tuple[str, str]]:
    return [(ref, f"{ref} {c.name}") for ref, c in corridors().items()]


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m")


class MonthField(forms.DateField):
    """A month typed or picked as "2026-01", cleaned to its first day (funding figures are kept per month)."""

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m"])
        kwargs.setdefault("widget", MonthInput())
        kwargs.setdefault("error_messages", {"required": f"请选择{label}", "invalid": "月份格式应为 2026-01"})
        super().__init__(label=label, **kwargs)


def parse_yuan(text: str, *, max_fen: int = MAX_ENTRY_FEN) -> int:
    """core.money.parse_yuan for a form: the same rule, its refusal as a ValidationError with the same message and
    code."""
    try:
        return parse_yuan_text(text, max_fen=max_fen)
    except YuanParseError as exc:
        raise forms.ValidationError(exc.message, code=exc.code) from exc


class YuanField(forms.CharField):
    """Money typed in 元, cleaned to integer 分 (None when left blank). `max_fen` bounds one entry (core.money's
    1 亿元 unless the column holding it is smaller)."""

    def __init__(self, *, max_fen: int = MAX_ENTRY_FEN, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0.00"}))
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.max_fen = max_fen

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().clean(value)
        return None if text in (None, "") else parse_yuan(text, max_fen=self.max_fen)

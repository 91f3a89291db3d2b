"""Forms of the 暖心之家 pages. Forms only clean input (and turn what a driver pasted into points); the views hand
the cleaned values to stations.selectors and stations.services, which hold the rules."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

from django import forms

from chelun.core.errors import ValidationFailed
from chelun.core.forms import RegionField, region_choices
from chelun.core.geo import GeoInputError, decode_polyline, parse_geojson_linestring, wgs84_to_gcj02
from chelun.core.models import Region
from chelun.stations.choices import (
    Amenity,
    CheckInService,
    FeedbackIssue,
    SpaceLevel,
    StationKind,
)
from chelun.stations.corridors import corridors
from chelun.stations.selectors import RouteQuery, StationFilter

# The amenities drivers filter by, with short chip labels (a phone row holds four of them).
DRIVER_AMENITIES = (
    (Amenity.SHOWER, "淋浴"),
    (Amenity.LAUNDRY, "洗衣"),
    (Amenity.HOT_MEAL, "热饭"),
    (Amenity.FOOD_HEATING, "加热"),
    (Amenity.BEDS, "床位"),
    (Amenity.TOILET, "卫生间"),
    (Amenity.REPAIR, "维修"),
    (Amenity.WIFI, "WiFi"),
)
RADIUS_CHOICES = ((10, "10 公里"), (30, "30 公里"), (50, "50 公里"), (100, "100 公里"), (200, "200 公里"))
DEFAULT_RADIUS_KM = 50
# Rest windows in hours of driving ahead. 道路交通安全法实施条例 第62条: no more than 4 hours of driving without a
# break of at least 20 minutes, so "3–4 小时后" is where the next compulsory rest falls.
REST_WINDOWS = (
    ("", "不限"),
    ("0-1", "1 小时内"),
    ("1-2", "1–2 小时后"),
    ("2-3", "2–3 小时后"),
    ("3-4", "3–4 小时后"),
)
COORD_CHOICES = (("wgs84", "WGS-84（GPS、北斗、奥维）"), ("gcj02", "GCJ-02（高德、腾讯地图）"))
ARRIVE_HOURS = (0, 1, 2, 3, 4, 6, 8)
MAX_ROUTE_TEXT = 200_000
# Amap's own polyline format: "lon,lat;lon,lat;..."
_LONLAT_LIST = re.compile(r"^\s*-?\d+(\.\d+)?\s*,\s*-?\d+(\.\d+)?(\s*;\s*-?\d+(\.\d+)?\s*,\s*-?\d+(\.\d+)?)*\s*;?\s*$")


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


# --------------------------------------------------------------------------------------------------------------
# Driver pages
# --------------------------------------------------------------------------------------------------------------


class NearSearchForm(forms.Form):
    """找附近: a point (the phone's position, or a tap on the map), else a town; radius, amenities, open now."""

    lon = forms.FloatField(required=False, widget=forms.HiddenInput())
    lat = forms.FloatField(required=False, widget=forms.HiddenInput())
    town = TownField(required=False)
    radius = forms.TypedChoiceField(label="范围", choices=RADIUS_CHOICES, coerce=int, required=False, empty_value=None)
    amenities = forms.MultipleChoiceField(label="设施", choices=DRIVER_AMENITIES, required=False)
    open_now = forms.BooleanField(label="现在开放", required=False)
    q = forms.CharField(label="站名", required=False, max_length=64)
    synthetic = forms.BooleanField(required=False, widget=forms.HiddenInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("lon") is None) != (data.get("lat") is None):
            raise forms.ValidationError("位置不完整：经度和纬度需同时提供")
        return data

    def point(self) -> tuple[float, float, str] | None:
        """(lon, lat, what it is) to search around; None lists the whole directory."""
        data = self.cleaned_data
        if data.get("lon") is not None:
            return data["lon"], data["lat"], "我的位置"
        town: Region | None = data.get("town")
        if town is not None:
            return town.lon, town.lat, town.name
        return None

    def radius_km(self) -> int:
        return self.cleaned_data.get("radius") or DEFAULT_RADIUS_KM

    def to_filter(self) -> StationFilter:
        data = self.cleaned_data
        return StationFilter(
            amenities=tuple(data.get("amenities") or ()),
            open_now=bool(data.get("open_now")),
            q=(data.get("q") or "").strip(),
        )


def _corridor_choices() -> list[tuple[str, str]]:
    return [(ref, f"{ref} {c.name}") for ref, c in corridors().items()]


def _parse_route_text(text: str) -> list[tuple[float, float]]:
    """A pasted route: GeoJSON (LineString, or a Feature / FeatureCollection holding one), Amap's
    "lon,lat;lon,lat" list, or a Google encoded polyline (precision 5)."""
    text = text.strip()
    try:
        if text.startswith("{"):
            try:
                obj = json.loads(text)
            except ValueError as exc:
                raise ValidationFailed("GeoJSON 格式有误，无法解析", "geojson_invalid") from exc
            if isinstance(obj, dict) and obj.get("type") == "FeatureCollection":
                geometries = [f.get("geometry") for f in obj.get("features") or [] if isinstance(f, dict)]
                lines = [g for g in geometries if isinstance(g, dict) and g.get("type") == "LineString"]
                obj = lines[0] if lines else {}
            elif isinstance(obj, dict) and obj.get("type") == "Feature":
                obj = obj.get("geometry")
            return parse_geojson_linestring(obj)
        if _LONLAT_LIST.match(text):
            pairs = [p for p in text.split(";") if p.strip()]
            return [(float(p.split(",")[0]), float(p.split(",")[1])) for p in pairs]
        return decode_polyline(re.sub(r"\s+", "", text))
    except GeoInputError as exc:
        raise ValidationFailed(exc.message, exc.code) from exc


class RouteSearchForm(forms.Form):
    """沿途找站: a named corridor between two of its towns, or (power users) a pasted route."""

    mode = forms.ChoiceField(
        choices=(("corridor", "选择高速线路"), ("paste", "粘贴路线")), required=False, widget=forms.HiddenInput()
    )
    corridor = forms.ChoiceField(label="高速线路", required=False)
    from_town = forms.CharField(label="从", required=False, max_length=6)
    to_town = forms.CharField(label="到", required=False, max_length=6)
    position = forms.CharField(
        label="当前位置（可选）",
        required=False,
        max_length=64,
        help_text="经度,纬度（WGS-84）。不填则从起点算起。",
    )
    window = forms.ChoiceField(label="想在何时休息", choices=REST_WINDOWS, required=False)
    sleep = forms.BooleanField(label="今晚住宿", required=False)
    amenities = forms.MultipleChoiceField(label="设施", choices=DRIVER_AMENITIES, required=False)
    route_text = forms.CharField(
        label="路线",
        required=False,
        max_length=MAX_ROUTE_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="编码折线（Google polyline）、高德“经度,纬度;经度,纬度”或 GeoJSON LineString",
    )
    coord = forms.ChoiceField(label="路线坐标系", choices=COORD_CHOICES, required=False)
    synthetic = forms.BooleanField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        corridor = self.fields["corridor"]
        corridor.choices = _corridor_choices()  # type: ignore[attr-defined]
        corridor.error_messages["invalid_choice"] = "请选择有效的高速线路"
        self.fields["route_text"].error_messages["max_length"] = "路线数据过长（最多 %(limit_value)d 个字符）"

    def town_choices(self, ref: str) -> list[tuple[str, str]]:
        corridor = corridors().get(ref)
        return [(t.code, t.name) for t in corridor.towns] if corridor else []

    def _position(self, text: str) -> tuple[float, float] | None:
        if not text.strip():
            return None
        parts = [p for p in re.split(r"[,，\s]+", text.strip()) if p]
        try:
            lon, lat = (float(p) for p in parts)
        except ValueError:
            self.add_error("position", "位置格式应为：经度,纬度（如 104.06,30.66）")
            return None
        return lon, lat

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["mode"] = data.get("mode") or "corridor"
        data["coord"] = data.get("coord") or "wgs84"
        data["position_point"] = self._position(data.get("position") or "")
        if data["mode"] == "paste":
            if not (data.get("route_text") or "").strip():
                self.add_error("route_text", "请粘贴路线数据")
        else:
            if not data.get("corridor"):
                self.add_error("corridor", "请选择高速线路")
            if not data.get("from_town") or not data.get("to_town"):
                self.add_error("to_town", "请选择起点和终点")
        return data

    def window_hours(self) -> tuple[float | None, float | None]:
        window = self.cleaned_data.get("window") or ""
        if not window:
            return None, None
        low, high = window.split("-")
        return float(low), float(high)

    def to_query(self) -> RouteQuery:
        """The search to run. Raises ValidationFailed for a route that cannot be read or a town off the corridor.
        The position always comes as WGS-84 (the phone's GPS); a GCJ-02 route gets its position in GCJ-02 too, so
        the selector converts both the same way."""
        data = self.cleaned_data
        low, high = self.window_hours()
        position = data.get("position_point")
        common: dict[str, Any] = {
            "min_hours_ahead": low,
            "max_hours_ahead": high,
            "sleep_tonight": bool(data.get("sleep")),
            "filters": StationFilter(amenities=tuple(data.get("amenities") or ())),
        }
        if data["mode"] == "paste":
            coord = data["coord"]
            if position is not None and coord == "gcj02":
                position = wgs84_to_gcj02(*position)
            points = _parse_route_text(data["route_text"])
            return RouteQuery(points=points, coord_system=coord, position=position, **common)
        from chelun.stations.corridors import corridor_points

        points = corridor_points(data["corridor"], data["from_town"], data["to_town"])
        return RouteQuery(points=points, position=position, **common)


class CheckinForm(forms.Form):
    services = forms.MultipleChoiceField(label="使用的服务", choices=CheckInService.choices, required=False)


class ConfirmForm(forms.Form):
    level = forms.ChoiceField(choices=SpaceLevel.choices, error_messages={"required": "请选择：车位多 / 车位少 / 已满"})


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="评分",
        choices=[(n, f"{n} 星") for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择评分（1–5 星）", "invalid_choice": "评分应为 1 到 5 星"},
    )
    issues = forms.MultipleChoiceField(
        label="遇到的问题（可多选）",
        choices=FeedbackIssue.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "请选择列出的问题类型"},
    )
    text = forms.CharField(
        label="具体情况",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "可不填；选“其他”时请写明"}),
        error_messages={"max_length": "内容不能超过 1000 字"},
    )


# --------------------------------------------------------------------------------------------------------------
# Operator's phone console
# --------------------------------------------------------------------------------------------------------------


class StatusSetForm(forms.Form):
    """Open/closed and free truck spaces. Range checks are the service's (its messages reach the user)."""

    is_open = forms.TypedChoiceField(
        choices=(("1", "营业中"), ("0", "已关闭")),
        coerce=lambda v: v == "1",
        error_messages={"required": "请选择营业中或已关闭"},
    )
    free_spaces = forms.IntegerField(label="空余货车位", required=False, error_messages={"invalid": "请输入整数"})
    # A quick button (0, a quarter, half ...) carries its count here and wins over the typed number.
    quick = forms.IntegerField(required=False, error_messages={"invalid": "请输入整数"})

    def free(self) -> int | None:
        if not self.cleaned_data.get("is_open"):
            return None
        quick = self.cleaned_data.get("quick")
        return quick if quick is not None else self.cleaned_data.get("free_spaces")


class PricesForm(forms.Form):
    """One price (元) and unit per service the station offers; a blank price leaves that service as it is."""

    def __init__(self, *args: Any, services: list[tuple[str, str, bool]], initial_prices: dict, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.services = services
        for code, label, _free in services:
            current = initial_prices.get(code)
            self.fields[f"price_{code}"] = forms.DecimalField(
                label=label,
                required=False,
                max_digits=9,
                decimal_places=2,
                initial=Decimal(current[0]) / 100 if current else None,
                error_messages={
                    "invalid": "请输入金额（元）",
                    "max_decimal_places": "金额最多精确到分（两位小数）",
                },
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            )
            self.fields[f"unit_{code}"] = forms.CharField(
                label="单位",
                required=False,
                max_length=16,
                initial=current[1] if current else "",
                widget=forms.TextInput(attrs={"placeholder": "次/晚/份"}),
            )

    def rows(self) -> list[tuple[str, str, bool, Any, Any]]:
        return [(code, label, free, self[f"price_{code}"], self[f"unit_{code}"]) for code, label, free in self.services]

    def prices(self) -> tuple[dict[str, int], dict[str, str]]:
        """({service: fen}, {service: unit}) for the services given a price."""
        prices: dict[str, int] = {}
        units: dict[str, str] = {}
        for code, _label, _free in self.services:
            value = self.cleaned_data.get(f"price_{code}")
            if value is None:
                continue
            prices[code] = int((value * 100).to_integral_value())
            units[code] = (self.cleaned_data.get(f"unit_{code}") or "").strip()
        return prices, units


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label="答复",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写答复内容", "max_length": "答复不能超过 1000 字"},
    )


# --------------------------------------------------------------------------------------------------------------
# Province console
# --------------------------------------------------------------------------------------------------------------


class ConsoleFilterForm(forms.Form):
    q = forms.CharField(label="站名或地址", required=False, max_length=64)
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *StationKind.choices])
    region = RegionField(required=False)
    corridor = forms.ChoiceField(label="线路", required=False)
    synthetic = forms.BooleanField(label="含合成测试站点", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"placeholder": "站名或地址", "type": "search"})
        self.fields["corridor"].choices = [("", "全部线路"), *_corridor_choices()]  # type: ignore[attr-defined]

    def to_filter(self) -> StationFilter:
        data = self.cleaned_data
        region: Region | None = data.get("region")
        return StationFilter(
            q=(data.get("q") or "").strip(),
            kind=data.get("kind") or "",
            region_code=region.code if region else "",
            corridor=data.get("corridor") or "",
        )


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m")


MAX_REPORT_MONTHS = 60


class FundingFilterForm(forms.Form):
    start = forms.DateField(
        label="起始月份",
        input_formats=["%Y-%m"],
        widget=MonthInput(),
        error_messages={"required": "请选择起始月份", "invalid": "月份格式应为 2026-01"},
    )
    end = forms.DateField(
        label="截止月份",
        input_formats=["%Y-%m"],
        widget=MonthInput(),
        error_messages={"required": "请选择截止月份", "invalid": "月份格式应为 2026-01"},
    )

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

"""Forms of the 暖心之家 pages. Forms only clean input (and turn what a driver pasted into points); the views hand
the cleaned values to stations.selectors and stations.services, which hold the rules."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from decimal import Decimal
from typing import Any, cast

from django import forms

from chelun.core.errors import ValidationFailed
from chelun.core.forms import RegionField, region_choices
from chelun.core.geo import (
    GeoInputError,
    decode_polyline,
    gcj02_to_wgs84,
    parse_geojson_linestring,
    wgs84_to_gcj02,
)
from chelun.core.models import Region, RegionLevel
from chelun.orgs.models import Organization
from chelun.orgs.selectors import organization_list_for_action
from chelun.stations.choices import (
    Amenity,
    CheckInService,
    CostCategory,
    FeedbackIssue,
    FundingSource,
    SpaceLevel,
    StationClass,
    StationKind,
    StationStatus,
)
from chelun.stations.corridors import corridors
from chelun.stations.selectors import RouteQuery, StationFilter
from chelun.stations.services import OPERATOR_RESERVED_FIELDS

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
    # Sent by the page's offline queue: when the driver tapped with no signal (services.late_checkin_time checks it).
    at = forms.DateTimeField(required=False, error_messages={"invalid": "签到时间格式不对"})


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


# --------------------------------------------------------------------------------------------------------------
# Registry: the operator's info page and the console's "new station"
# --------------------------------------------------------------------------------------------------------------


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


# Operators open or suspend their station; planning and building are the organisation's business.
OPERATOR_STATUSES = (StationStatus.OPEN, StationStatus.SUSPENDED)
MAX_ORG_OPTIONS = 2000
# The form fields that are Station columns, handed to station_create / station_update as they are.
STATION_FORM_FIELDS = frozenset(
    {
        "name",
        "kind",
        "station_class",
        "status",
        "address",
        "carriageway",
        "corridor_ref",
        "contact_name",
        "contact_phone",
        "open_24h",
        "opens_at",
        "closes_at",
        "truck_spaces",
        "beds",
        "cctv",
        "guards",
        "lighting",
        "fence",
    }
)


class StationFieldsForm(forms.Form):
    """The registry fields an operator keeps up to date. The security grade is not a field: the service computes
    it from the four measures."""

    name = forms.CharField(label="名称", max_length=128, error_messages={"required": "请填写站点名称"})
    kind = forms.ChoiceField(label="类型", choices=StationKind.choices)
    station_class = forms.ChoiceField(label="等级", choices=StationClass.choices)
    status = forms.ChoiceField(label="状态", choices=StationStatus.choices, initial=StationStatus.OPEN)
    address = forms.CharField(label="地址", max_length=200, required=False)
    carriageway = forms.CharField(label="服务方向", max_length=64, required=False, help_text="如：往西昌方向")
    contact_name = forms.CharField(label="联系人", max_length=32, required=False)
    contact_phone = forms.CharField(
        label="服务电话", max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    open_24h = forms.BooleanField(label="24 小时开放", required=False)
    opens_at = forms.TimeField(label="开门时间", required=False, widget=TimeInput())
    closes_at = forms.TimeField(label="关门时间", required=False, widget=TimeInput(), help_text="早于开门时间表示次日")
    truck_spaces = forms.IntegerField(
        label="货车车位",
        min_value=0,
        max_value=100_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": "请填写货车车位数（没有填 0）", "min_value": "车位数不能为负数"},
    )
    beds = forms.IntegerField(
        label="床位",
        min_value=0,
        max_value=100_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": "请填写床位数（没有填 0）", "min_value": "床位数不能为负数"},
    )
    cctv = forms.BooleanField(label="视频监控", required=False)
    guards = forms.BooleanField(label="保安巡逻", required=False)
    lighting = forms.BooleanField(label="夜间照明", required=False)
    fence = forms.BooleanField(label="货车区围栏", required=False)
    amenities = forms.MultipleChoiceField(
        label="设施",
        choices=Amenity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "请选择列出的设施"},
    )

    SECURITY_FIELDS = ("cctv", "guards", "lighting", "fence")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("open_24h"):
            data["opens_at"] = data["closes_at"] = None  # hours do not apply round the clock
        elif (data.get("opens_at") is None) != (data.get("closes_at") is None):
            self.add_error("closes_at", "开门时间和关门时间需同时填写（或勾选 24 小时开放）")
        return data

    def station_fields(self) -> dict[str, Any]:
        """The cleaned fields under the Station model's names (without amenities, which go separately)."""
        return {name: self.cleaned_data[name] for name in self.fields if name in STATION_FORM_FIELDS}

    def amenity_codes(self) -> list[str]:
        return list(self.cleaned_data.get("amenities") or [])

    def security_fields(self) -> list[Any]:
        return [self[name] for name in self.SECURITY_FIELDS]


class StationInfoForm(StationFieldsForm):
    """The operator edits their own station. `version` is the one they saw, so a stale edit is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput())

    def __init__(
        self, *args: Any, station: Any, amenities: list[str], reserved_locked: bool = False, **kwargs: Any
    ) -> None:
        initial = {name: getattr(station, name) for name in STATION_FORM_FIELDS if hasattr(station, name)}
        kwargs.setdefault("initial", {**initial, "amenities": amenities, "version": station.version})
        super().__init__(*args, **kwargs)
        if reserved_locked:
            # Shown but not editable for operators (services.station_update refuses them too).
            for name in OPERATOR_RESERVED_FIELDS & set(self.fields):
                self.fields[name].disabled = True
        statuses = list(OPERATOR_STATUSES)
        if station.status not in statuses:  # a planned station keeps its status unless the operator opens it
            statuses.insert(0, StationStatus(station.status))
        field = cast(forms.ChoiceField, self.fields["status"])
        field.choices = [(s.value, s.label) for s in statuses]
        field.error_messages["invalid_choice"] = "站长只能将站点设为运营中或暂停服务"


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


class StationCreateForm(StationFieldsForm):
    """登记新站点 (console): where it is, who runs it, and the registry fields. Coordinates typed from Amap or
    Tencent maps are GCJ-02 and are converted to WGS-84 here."""

    organization = forms.ModelChoiceField(
        label="运营组织",
        queryset=Organization.objects.none(),
        error_messages={"required": "请选择运营组织", "invalid_choice": "请选择有效的运营组织"},
    )
    region = CountyField()
    corridor_ref = forms.CharField(label="所在线路", max_length=16, required=False, help_text="如 G5、G318")
    lon = forms.FloatField(
        label="经度",
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        error_messages={"required": "请填写经度", "invalid": "经度应为数字，如 104.06"},
    )
    lat = forms.FloatField(
        label="纬度",
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        error_messages={"required": "请填写纬度", "invalid": "纬度应为数字，如 30.66"},
    )
    coord = forms.ChoiceField(label="坐标系", choices=COORD_CHOICES, initial="wgs84")

    field_order = ["name", "organization", "region", "lon", "lat", "coord", "corridor_ref"]

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["organization"])
        # Only organisations the actor may register stations for (station.change), in tree order.
        field.queryset = organization_list_for_action(actor=actor, action="station.change")

    def load_choices(self) -> None:
        cast(CountyField, self.fields["region"]).load_choices()
        field = cast(forms.ModelChoiceField, self.fields["organization"])
        rows = list(field.queryset[:MAX_ORG_OPTIONS])  # type: ignore[index]
        base = min((o.depth for o in rows), default=0)
        field.choices = [("", "请选择"), *[(str(o.pk), "　" * max(0, o.depth - base) + o.name) for o in rows]]

    def point(self) -> tuple[float, float]:
        """(lon, lat) in WGS-84, as stored."""
        lon, lat = self.cleaned_data["lon"], self.cleaned_data["lat"]
        return gcj02_to_wgs84(lon, lat) if self.cleaned_data["coord"] == "gcj02" else (lon, lat)


class PhotoForm(forms.Form):
    """One photo for the station's gallery. What counts as an image is the service's rule (it reads the bytes)."""

    image = forms.FileField(
        label="照片",
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        error_messages={"required": "请选择照片", "empty": "上传的文件是空的", "invalid": "请选择照片文件"},
        help_text="JPEG、PNG 或 WebP，不超过 5 MB，每站最多 12 张",
    )
    caption = forms.CharField(
        label="说明",
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如：淋浴间"}),
        error_messages={"max_length": "照片说明不能超过 64 个字"},
    )


# --------------------------------------------------------------------------------------------------------------
# Funding entry (province console)
# --------------------------------------------------------------------------------------------------------------

MAX_YUAN = Decimal("100000000")  # one entry of 1 亿元 or more is a typing slip
_YUAN_TEXT = re.compile(r"^(\d+)(?:\.(\d+))?$")


def parse_yuan(text: str) -> int:
    """ "12.34" (元) -> 1234 (分), exactly: parsed as a Decimal, never a float. Refuses negatives, more than two
    decimals written, anything that is not a plain number (no "1e3", "NaN", "1,000"), and 1 亿元 or more."""
    text = (text or "").strip()
    if text.startswith("-"):
        raise forms.ValidationError("金额不能为负数", code="negative")
    match = _YUAN_TEXT.match(text)
    if match is None:
        raise forms.ValidationError("请输入金额（元），如 12.34", code="invalid")
    if len(match.group(2) or "") > 2:
        raise forms.ValidationError("金额最多精确到分（两位小数）", code="max_decimal_places")
    value = Decimal(text)
    if value >= MAX_YUAN:
        raise forms.ValidationError("金额过大，请检查单位（元）", code="too_large")
    return int(value * 100)


class YuanField(forms.CharField):
    """Money typed in 元, cleaned to integer 分 (None when left blank)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0.00"}))
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().clean(value)
        return None if text in (None, "") else parse_yuan(text)


def yuan_text(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


class CostForm(forms.Form):
    """A station's operating cost for one month, one amount (元) per category. It replaces that month's figures:
    a category left blank is removed from the month."""

    month = forms.DateField(
        label="月份",
        input_formats=["%Y-%m"],
        widget=MonthInput(),
        error_messages={"required": "请选择月份", "invalid": "月份格式应为 2026-01"},
    )

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

    month = forms.DateField(
        label="月份",
        input_formats=["%Y-%m"],
        widget=MonthInput(),
        error_messages={"required": "请选择月份", "invalid": "月份格式应为 2026-01"},
    )
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

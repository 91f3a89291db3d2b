"""Forms of the drivers' pages: near search, along-route search (with the pasted-route reader), check-in, the
one-tap space confirmation and feedback."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from chelun.core.errors import ValidationFailed
from chelun.core.geo import wgs84_to_gcj02
from chelun.core.models import Region
from chelun.stations.choices import Amenity, CheckInService, FeedbackIssue, SpaceLevel
from chelun.stations.corridors import corridors
from chelun.stations.forms.fields import COORD_CHOICES, TownField, corridor_choices
from chelun.stations.route_input import ParsedRoute, RouteInputError, parse_route_text
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
ARRIVE_HOURS = (0, 1, 2, 3, 4, 6, 8)
# How far from the route a station may be. Service areas sit on the expressway (within EXPRESSWAY_CORRIDOR_M of
# the line drawn); stations off the road are a detour, and the driver chooses how far they will go for one.
EXPRESSWAY_CORRIDOR_M = 300
OFFROAD_CHOICES = ((5, "5 公里"), (10, "10 公里"), (20, "20 公里"))
DEFAULT_OFFROAD_KM = 5
MAX_ROUTE_TEXT = 200_000


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


def _parse_route_text(text: str) -> ParsedRoute:
    """A pasted route in any format route_input reads; its Chinese message becomes the field's error."""
    try:
        return parse_route_text(text)
    except RouteInputError as exc:
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
    offroad_km = forms.TypedChoiceField(
        label="路外站点离路线最远",
        choices=OFFROAD_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "请选择 5、10 或 20 公里"},
    )
    sleep = forms.BooleanField(label="今晚住宿", required=False)
    amenities = forms.MultipleChoiceField(label="设施", choices=DRIVER_AMENITIES, required=False)
    route_text = forms.CharField(
        label="路线",
        required=False,
        max_length=MAX_ROUTE_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="“经度,纬度”列表（高德格式，每行一个点或用分号隔开）、GeoJSON、GPX 或编码折线，自动识别",
    )
    coord = forms.ChoiceField(label="路线坐标系", choices=COORD_CHOICES, required=False)
    synthetic = forms.BooleanField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        corridor = self.fields["corridor"]
        corridor.choices = corridor_choices()  # type: ignore[attr-defined]
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
            "expressway_corridor_m": float(EXPRESSWAY_CORRIDOR_M),
            "offroad_corridor_m": float((data.get("offroad_km") or DEFAULT_OFFROAD_KM) * 1000),
        }
        if data["mode"] == "paste":
            coord = data["coord"]
            if position is not None and coord == "gcj02":
                position = wgs84_to_gcj02(*position)
            parsed = _parse_route_text(data["route_text"])
            self.route_format_label = parsed.format_label  # said above the results ("按 GPX 读取，共 …")
            points = parsed.points
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

"""Registry forms: the operator's own station info and the console's "new station". The Station columns they
hand on are the ones services.station_update accepts (services.STATION_FIELDS, the one list)."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from chelun.core.geo import gcj02_to_wgs84
from chelun.orgs.models import Organization
from chelun.orgs.selectors import organization_list_for_action
from chelun.stations.choices import Amenity, StationClass, StationKind, StationStatus
from chelun.stations.forms.fields import COORD_CHOICES, CountyField, TimeInput
from chelun.stations.services import OPERATOR_RESERVED_FIELDS, STATION_FIELDS

# Operators open or suspend their station; planning and building are the organisation's business.
OPERATOR_STATUSES = (StationStatus.OPEN, StationStatus.SUSPENDED)
MAX_ORG_OPTIONS = 2000


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
        """The cleaned Station columns this form edits, under the model's names, as station_create and
        station_update take them (amenities go separately)."""
        return {name: self.cleaned_data[name] for name in self.fields if name in STATION_FIELDS}

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
        initial = {name: getattr(station, name) for name in self.base_fields if name in STATION_FIELDS}
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

    def station_fields(self) -> dict[str, Any]:
        """The registry fields with where the station is: its county and its point in WGS-84."""
        lon, lat = self.point()
        return {**super().station_fields(), "lon": lon, "lat": lat}

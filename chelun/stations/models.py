from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from chelun.core.money import yuan_text
from chelun.stations.choices import (
    Amenity,
    CheckInService,
    CostCategory,
    FeedbackStatus,
    FundingSource,
    SecurityGrade,
    SpaceLevel,
    StationClass,
    StationKind,
    StationStatus,
    StatusSource,
)


class Station(models.Model):
    """A 暖心之家 (Warm Heart Home) rest station for truck drivers. An expressway service area comes in two halves,
    one per carriageway; each half is its own station, linked to its twin by `pair`."""

    name = models.CharField("名称", max_length=128)
    kind = models.CharField("类型", max_length=16, choices=StationKind.choices)
    station_class = models.CharField("等级", max_length=1, choices=StationClass.choices, default=StationClass.B)
    lon = models.FloatField("经度（WGS-84）")
    lat = models.FloatField("纬度（WGS-84）")
    corridor_ref = models.CharField("所在线路", max_length=16, blank=True, help_text="如 G5、G318")
    carriageway = models.CharField("服务方向", max_length=64, blank=True, help_text="如：往西昌方向")
    # Heading (degrees from north) of the carriageway this half serves; None for sites reachable from both ways.
    bearing_deg = models.FloatField("行车方向角", null=True, blank=True)
    pair = models.OneToOneField("self", verbose_name="对向服务区", on_delete=models.SET_NULL, null=True, blank=True)
    halves_linked = models.BooleanField("两侧互通", default=False)
    address = models.CharField("地址", max_length=200, blank=True)
    region = models.ForeignKey("core.Region", verbose_name="所在地区", on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="运营组织", on_delete=models.PROTECT, related_name="stations"
    )
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="站长", blank=True, related_name="operated_stations"
    )
    contact_name = models.CharField("联系人", max_length=32, blank=True)
    contact_phone = models.CharField("服务电话", max_length=20, blank=True)
    open_24h = models.BooleanField("24小时开放", default=False)
    opens_at = models.TimeField("开门时间", null=True, blank=True)
    closes_at = models.TimeField("关门时间", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=StationStatus.choices, default=StationStatus.OPEN)
    truck_spaces = models.PositiveIntegerField("货车车位", default=0)
    beds = models.PositiveIntegerField("床位", default=0)
    cctv = models.BooleanField("视频监控", default=False)
    guards = models.BooleanField("保安巡逻", default=False)
    lighting = models.BooleanField("夜间照明", default=False)
    fence = models.BooleanField("围栏", default=False)
    security_grade = models.CharField(
        "安全等级", max_length=16, choices=SecurityGrade.choices, default=SecurityGrade.NONE
    )
    verified_at = models.DateTimeField("最近核验", null=True, blank=True)
    is_demo_synthetic = models.BooleanField("合成测试站点", default=False, editable=False)
    # Latest live status, denormalised from StatusReport for fast reads (history stays in StatusReport).
    live_open = models.BooleanField("实时开放", null=True, editable=False)
    live_free_spaces = models.IntegerField("空余车位", null=True, editable=False)
    live_level = models.CharField("车位情况", max_length=8, choices=SpaceLevel.choices, blank=True, editable=False)
    live_source = models.CharField("状态来源", max_length=16, choices=StatusSource.choices, blank=True, editable=False)
    live_observed_at = models.DateTimeField("状态时间", null=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "暖心之家"
        verbose_name_plural = "暖心之家"
        indexes = [models.Index(fields=["status"], name="station_status")]
        constraints = [
            models.CheckConstraint(name="station_lon_range", condition=Q(lon__gte=73) & Q(lon__lte=136)),
            models.CheckConstraint(name="station_lat_range", condition=Q(lat__gte=3) & Q(lat__lte=54)),
            models.CheckConstraint(
                name="station_free_within_capacity",
                condition=Q(live_free_spaces__isnull=True)
                | (Q(live_free_spaces__gte=0) & Q(live_free_spaces__lte=models.F("truck_spaces"))),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def hours_label(self) -> str:
        """Opening hours in the words every page, card and API answer uses (one rule, one text)."""
        if self.open_24h:
            return "24 小时开放"
        if self.opens_at is None or self.closes_at is None:
            return "开放时间未公布"
        return f"{self.opens_at:%H:%M}–{self.closes_at:%H:%M}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"org_path": self.organization.path}


class StationAmenity(models.Model):
    """One amenity a station offers (a structured checklist, one row per amenity)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="amenities")
    amenity = models.CharField(max_length=24, choices=Amenity.choices)

    class Meta:
        verbose_name = "设施"
        verbose_name_plural = "设施"
        constraints = [models.UniqueConstraint(fields=["station", "amenity"], name="station_amenity_unique")]

    def __str__(self) -> str:
        return self.get_amenity_display()


class StationPrice(models.Model):
    """What a service costs at a station, in fen; the five basic services are free by standard."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="prices")
    service = models.CharField("服务", max_length=24, choices=Amenity.choices)
    price_fen = models.PositiveIntegerField("价格（分）", default=0)
    unit = models.CharField("计价单位", max_length=16, blank=True, help_text="如：次、晚、份")
    free_by_standard = models.BooleanField("按标准免费", default=False)

    class Meta:
        verbose_name = "价格"
        verbose_name_plural = "价格"
        constraints = [
            models.UniqueConstraint(fields=["station", "service"], name="station_price_unique"),
            models.CheckConstraint(
                name="station_price_free_is_zero", condition=Q(free_by_standard=False) | Q(price_fen=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_service_display()} {yuan_text(self.price_fen)}元"

    def get_additional_data(self) -> dict[str, Any]:
        return {"org_path": self.station.organization.path}


def station_photo_path(instance: StationPhoto, filename: str) -> str:
    return f"stations/{instance.station_id}/{filename}"


class StationPhoto(models.Model):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="photos")
    # FileField, not ImageField: Pillow is not a dependency; uploads are checked for image types in the service.
    image = models.FileField("照片", upload_to=station_photo_path)
    caption = models.CharField("说明", max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "照片"
        verbose_name_plural = "照片"

    def __str__(self) -> str:
        return self.caption or f"照片 {self.pk}"


class StatusReport(models.Model):
    """One observation of a station's state: from its operator (count), a driver (3 levels), or a sensor.
    Append-only history; feeds the hour-of-week forecast. Designed for time partitioning on PostgreSQL."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="status_reports")
    source = models.CharField(max_length=16, choices=StatusSource.choices)
    is_open = models.BooleanField(null=True)
    free_spaces = models.IntegerField(null=True)
    level = models.CharField(max_length=8, choices=SpaceLevel.choices, blank=True)
    observed_at = models.DateTimeField(db_index=True)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # A driver report's reporter for the trust rule (chelun.stations.trust): "user:<pk>" or a hashed device id, so
    # independent agreement can be told from one phone tapping twice. Empty for operators and sensors (also in the
    # database, for the bulk writers that name their columns: the demo seed, history imports).
    visitor_key = models.CharField(max_length=64, blank=True, default="", db_default="", editable=False)

    class Meta:
        ordering = ["-observed_at"]
        verbose_name = "实时状态"
        verbose_name_plural = "实时状态"
        indexes = [models.Index(fields=["station", "observed_at"], name="status_station_time")]
        constraints = [
            models.CheckConstraint(
                name="status_free_non_negative", condition=Q(free_spaces__isnull=True) | Q(free_spaces__gte=0)
            )
        ]

    def __str__(self) -> str:
        return f"{self.station_id} @ {self.observed_at:%Y-%m-%d %H:%M}"


class CheckIn(models.Model):
    """A driver's visit to a station (QR scan or one tap), with the services used. Anonymous unless logged in."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="checkins")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    visitor_key = models.CharField(max_length=64, db_index=True, help_text="用户或匿名设备的去重键")
    services = models.JSONField(default=list)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "签到"
        verbose_name_plural = "签到"
        indexes = [models.Index(fields=["station", "created_at"], name="checkin_station_time")]

    def __str__(self) -> str:
        return f"{self.station_id} @ {self.created_at:%Y-%m-%d %H:%M}"

    def has_service(self, service: str) -> bool:
        return service in self.services and service in CheckInService.values


class Feedback(models.Model):
    """A driver's rating and report about a station. The operator answers within 24 h; otherwise it escalates to
    the station's organisation. Its status is public on the station page."""

    station = models.ForeignKey(Station, verbose_name="站点", on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="司机",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rating = models.PositiveSmallIntegerField("评分")
    issues = models.JSONField("问题类型", default=list)
    text = models.TextField("内容", blank=True)
    status = models.CharField("办理状态", max_length=16, choices=FeedbackStatus.choices, default=FeedbackStatus.OPEN)
    created_at = models.DateTimeField("提交时间")
    reply_due_at = models.DateTimeField("答复期限")
    reply = models.TextField("答复", blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    escalated_at = models.DateTimeField("升级时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "评价反馈"
        verbose_name_plural = "评价反馈"
        indexes = [models.Index(fields=["status", "reply_due_at"], name="feedback_due")]
        constraints = [
            models.CheckConstraint(name="feedback_rating_1_5", condition=Q(rating__gte=1) & Q(rating__lte=5))
        ]

    def __str__(self) -> str:
        return f"{self.station_id} · {self.rating}星"

    def get_additional_data(self) -> dict[str, Any]:
        return {"org_path": self.station.organization.path}


class CostReport(models.Model):
    """A station's operating cost for one month, by category, in fen."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="cost_reports")
    month = models.DateField("月份", help_text="当月1日")
    category = models.CharField("类别", max_length=16, choices=CostCategory.choices)
    amount_fen = models.BigIntegerField("金额（分）")

    class Meta:
        ordering = ["-month", "category"]
        verbose_name = "运营成本"
        verbose_name_plural = "运营成本"
        constraints = [
            models.UniqueConstraint(fields=["station", "month", "category"], name="cost_unique"),
            models.CheckConstraint(name="cost_non_negative", condition=Q(amount_fen__gte=0)),
        ]

    def __str__(self) -> str:
        return f"站点 #{self.station_id} {self.month:%Y-%m} {self.get_category_display()}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"org_path": self.station.organization.path}


class SubsidyContribution(models.Model):
    """Money one of the four sources put towards a station's operation in a month. Each row is posted as a
    balanced ledger transaction (source account → station account)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="subsidies")
    month = models.DateField("月份")
    source = models.CharField("来源", max_length=16, choices=FundingSource.choices)
    amount_fen = models.BigIntegerField("金额（分）")
    transaction = models.OneToOneField("core.LedgerTransaction", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-month", "source"]
        verbose_name = "补贴"
        verbose_name_plural = "补贴"
        constraints = [models.CheckConstraint(name="subsidy_positive", condition=Q(amount_fen__gt=0))]

    def __str__(self) -> str:
        return f"站点 #{self.station_id} {self.month:%Y-%m} {self.get_source_display()}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"org_path": self.station.organization.path}

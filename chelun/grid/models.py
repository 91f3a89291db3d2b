"""Grid coverage, location pings and the mobile-member lifecycle (网格化流动党员党支部).

Pings are personal information: only with the person's recorded consent (LocationConsent), no party-political field
travels with them, raw rows live `GRID_PING_RETENTION_DAYS` (30 by default) and hourly per-cell aggregates after.
Cell ids are H3 (chelun.grid.engine.RESOLUTION) as 64-bit integers: the top bit of an H3 index is always 0, so they
fit a signed BigIntegerField.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from chelun.grid.choices import MobileStatus, OutflowReason


class CoverageChange(models.Model):
    """One version of a grid branch's coverage (网格划定): who changed it, when, what was added and removed."""

    branch = models.ForeignKey(
        "orgs.Organization", verbose_name="网格支部", on_delete=models.CASCADE, related_name="coverage_changes"
    )
    number = models.PositiveIntegerField("版本号")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="修改人", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField("修改时间")
    priority = models.PositiveSmallIntegerField("优先级", default=100)
    cells_added = models.PositiveIntegerField("新增单元", default=0)
    cells_removed = models.PositiveIntegerField("移除单元", default=0)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["branch_id", "-number"]
        verbose_name = "网格划定版本"
        verbose_name_plural = "网格划定版本"
        constraints = [models.UniqueConstraint(fields=["branch", "number"], name="coverage_change_number_unique")]

    def __str__(self) -> str:
        return f"{self.branch_id} v{self.number}"


class GridCoverage(models.Model):
    """A branch's claim on one H3 cell over an interval of time: from the version that added it until the version
    that removed it (open while current). "Who answered for cell C on date T" is the claims open at T, resolved
    by engine.RULE_TEXT (lowest priority number, then oldest assignment, then lowest branch id)."""

    branch = models.ForeignKey(
        "orgs.Organization", verbose_name="网格支部", on_delete=models.CASCADE, related_name="grid_cells"
    )
    cell = models.BigIntegerField("网格单元")
    priority = models.PositiveSmallIntegerField("优先级", default=100)
    added_in = models.ForeignKey(CoverageChange, on_delete=models.CASCADE, related_name="added")
    removed_in = models.ForeignKey(CoverageChange, on_delete=models.CASCADE, null=True, related_name="removed")
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cell", "priority", "valid_from", "branch_id"]
        verbose_name = "网格单元认领"
        verbose_name_plural = "网格单元认领"
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "cell"], condition=Q(valid_to__isnull=True), name="coverage_one_open_claim"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="coverage_interval_ordered",
            ),
        ]
        indexes = [models.Index(fields=["cell", "valid_from"], name="coverage_cell_time")]

    def __str__(self) -> str:
        return f"{self.branch_id}: {self.cell:x}"


class LocationConsent(models.Model):
    """A person's recorded consent to location pings (位置信息授权). Every change is in the audit log; withdrawing
    stops pings at once and purges the raw track."""

    person = models.OneToOneField(
        "members.Person", verbose_name="人员", on_delete=models.CASCADE, related_name="location_consent"
    )
    given = models.BooleanField("已授权", default=False)
    changed_at = models.DateTimeField("变更时间")

    class Meta:
        verbose_name = "位置授权"
        verbose_name_plural = "位置授权"

    def __str__(self) -> str:
        return "已授权" if self.given else "未授权"

    def get_additional_data(self) -> dict[str, object]:
        return {"person_id": self.person_id}


class LocationPing(models.Model):
    """One raw position of a driver (位置点), WGS-84. `client_id` is the phone's own id for the ping, unique per
    person, so a batch resent after a lost reply stores nothing twice. Kept for the retention period only.

    On PostgreSQL this table is meant to be partitioned by day on `at` (retention drops whole partitions); past
    one database it is distributed by `cell`'s region (see the README's "Grid branches")."""

    person = models.ForeignKey("members.Person", on_delete=models.CASCADE, related_name="+")
    client_id = models.CharField(max_length=64)
    at = models.DateTimeField()
    lat = models.FloatField()
    lng = models.FloatField()
    cell = models.BigIntegerField()
    branch = models.ForeignKey("orgs.Organization", on_delete=models.SET_NULL, null=True, related_name="+")
    received_at = models.DateTimeField()

    class Meta:
        verbose_name = "位置点"
        verbose_name_plural = "位置点"
        constraints = [models.UniqueConstraint(fields=["person", "client_id"], name="ping_client_id_unique")]
        indexes = [
            models.Index(fields=["at"], name="ping_at"),
            models.Index(fields=["person", "at"], name="ping_person_at"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.at:%Y-%m-%d %H:%M}"


class DriverPosition(models.Model):
    """A driver's latest known position and cell (最新位置)."""

    person = models.OneToOneField("members.Person", on_delete=models.CASCADE, related_name="grid_position")
    at = models.DateTimeField()
    lat = models.FloatField()
    lng = models.FloatField()
    cell = models.BigIntegerField()
    branch = models.ForeignKey("orgs.Organization", on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = "最新位置"
        verbose_name_plural = "最新位置"

    def __str__(self) -> str:
        return f"{self.person_id} {self.at:%Y-%m-%d %H:%M}"


class CellHourAggregate(models.Model):
    """Pings per cell and hour (小时聚合), what remains of location after the raw retention. `drivers` is the
    number of distinct people; maps suppress counts below selectors.MIN_SHOWN_COUNT."""

    cell = models.BigIntegerField()
    hour = models.DateTimeField()
    pings = models.PositiveIntegerField(default=0)
    drivers = models.PositiveIntegerField(default=0)
    party_drivers = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "网格小时聚合"
        verbose_name_plural = "网格小时聚合"
        constraints = [models.UniqueConstraint(fields=["cell", "hour"], name="aggregate_cell_hour_unique")]
        indexes = [models.Index(fields=["hour"], name="aggregate_hour")]

    def __str__(self) -> str:
        return f"{self.cell:x} {self.hour:%Y-%m-%d %H}时 {self.pings}"


class MobileMember(models.Model):
    """A party member registered as flowing out (流出登记): destination, reason, the 流动党员活动证 number. The home
    branch (the member's own branch) keeps the relationship ("一方隶属、双重管理")."""

    person = models.ForeignKey("members.Person", verbose_name="党员", on_delete=models.CASCADE, related_name="+")
    home_branch = models.ForeignKey(
        "orgs.Organization", verbose_name="所在支部", on_delete=models.PROTECT, related_name="outflows"
    )
    destination = models.CharField("流向地", max_length=128)
    corridor = models.CharField("主要线路", max_length=16, blank=True)
    reason = models.CharField("外出原因", max_length=16, choices=OutflowReason.choices)
    certificate_number = models.CharField("流动党员活动证编号", max_length=32)
    status = models.CharField("状态", max_length=16, choices=MobileStatus.choices, default=MobileStatus.AWAY)
    registered_at = models.DateTimeField("登记时间")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    last_contact_at = models.DateTimeField("最近联系")
    lost_contact = models.BooleanField("失联", default=False)
    returned_at = models.DateTimeField("回归时间", null=True, blank=True)

    class Meta:
        ordering = ["-registered_at"]
        verbose_name = "流动党员"
        verbose_name_plural = "流动党员"
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status=MobileStatus.AWAY), name="mobile_one_open_outflow"
            ),
            models.UniqueConstraint(fields=["certificate_number"], name="mobile_certificate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.destination}"


class Attachment(models.Model):
    """A mobile member's attachment to a grid branch (挂靠): suggested from pings, confirmed by that branch's
    secretary; at most one open attachment per member (a database constraint)."""

    mobile = models.ForeignKey(MobileMember, on_delete=models.CASCADE, related_name="attachments")
    branch = models.ForeignKey(
        "orgs.Organization", verbose_name="网格支部", on_delete=models.PROTECT, related_name="attached"
    )
    suggested_at = models.DateTimeField("建议时间")
    share = models.FloatField("位置占比", default=0.0)  # of the member's recent ping time in this branch's cells
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        ordering = ["-suggested_at"]
        verbose_name = "网格挂靠"
        verbose_name_plural = "网格挂靠"
        constraints = [
            models.UniqueConstraint(
                fields=["mobile"],
                condition=Q(confirmed_at__isnull=False, ended_at__isnull=True),
                name="attachment_one_open_per_member",
            )
        ]

    def __str__(self) -> str:
        return f"{self.mobile_id} → {self.branch_id}"


class ArrivalNotice(models.Model):
    """A notice to a grid branch's secretary that a mobile member has been attached there (报到提醒)."""

    attachment = models.OneToOneField(Attachment, on_delete=models.CASCADE, related_name="notice")
    branch = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "报到提醒"
        verbose_name_plural = "报到提醒"

    def __str__(self) -> str:
        return f"{self.branch_id}: {self.attachment_id}"


class RollupRun(models.Model):
    """One run of the hourly roll-up (pings -> CellHourAggregate, then raw pings past retention deleted). The
    next run re-aggregates the hours of every ping received since this one started, so late batches count."""

    started_at = models.DateTimeField()
    hours = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "聚合运行"
        verbose_name_plural = "聚合运行"

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"

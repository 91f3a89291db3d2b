from __future__ import annotations

from django.conf import settings
from django.db import models


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省"
    PREFECTURE = "prefecture", "市（州）"
    COUNTY = "county", "县（市、区）"


class Region(models.Model):
    """An administrative division of Sichuan (行政区划): province, prefecture or county, per GB/T 2260 codes."""

    code = models.CharField("区划代码", max_length=6, unique=True)
    name = models.CharField("名称", max_length=64)
    short_name = models.CharField("简称", max_length=32, blank=True)
    level = models.CharField("层级", max_length=16, choices=RegionLevel.choices)
    kind = models.CharField("类别", max_length=16, blank=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    lon = models.FloatField("经度")
    lat = models.FloatField("纬度")
    area_km2 = models.PositiveIntegerField("面积（平方公里）", null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"

    def __str__(self) -> str:
        return self.name


class RegionBoundary(models.Model):
    """A division's outline, GeoJSON geometry (WGS-84), where the shipped data has one. Its own table: a county's
    outline is tens of kilobytes, and every station, organisation and person row joins its region."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, primary_key=True, related_name="outline")
    geometry = models.JSONField("边界")

    class Meta:
        verbose_name = "行政区划边界"
        verbose_name_plural = "行政区划边界"

    def __str__(self) -> str:
        return f"{self.region_id}"


class LedgerTransaction(models.Model):
    """A balanced money movement (记账凭证): its entries sum to zero fen. The idempotency key makes a retried
    request post once."""

    idempotency_key = models.CharField(max_length=128, unique=True)
    kind = models.CharField("类型", max_length=32)
    memo = models.CharField("摘要", max_length=200, blank=True)
    occurred_on = models.DateField("业务日期")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = "记账凭证"
        verbose_name_plural = "记账凭证"

    def __str__(self) -> str:
        return f"{self.kind} {self.idempotency_key}"


class LedgerEntry(models.Model):
    """One leg of a transaction: a signed amount in fen on an account (e.g. "funding:finance", "station:12")."""

    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.CharField("账户", max_length=64, db_index=True)
    amount_fen = models.BigIntegerField("金额（分）")

    class Meta:
        verbose_name = "分录"
        verbose_name_plural = "分录"
        constraints = [models.CheckConstraint(name="ledger_entry_non_zero", condition=~models.Q(amount_fen=0))]

    def __str__(self) -> str:
        return f"{self.account} {self.amount_fen}"


class ExportJobStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "导出中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
    EXPIRED = "expired", "已过期"


def export_file_path(instance: ExportJob, filename: str) -> str:
    return f"exports/{instance.pk}-{filename}"


class ExportJob(models.Model):
    """A background Excel export (后台导出): who asked, what list with which filters, the scope they had when they
    asked (the rows and the download stay within it), progress, and the file until it expires. Written by
    core.export_jobs; the rows come from the app that registered the kind."""

    kind = models.CharField("导出内容", max_length=32)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.CASCADE, related_name="+"
    )
    filters = models.JSONField("筛选条件", default=dict, blank=True)
    filter_label = models.CharField("筛选条件说明", max_length=255, blank=True)
    # Organisation paths the requester could see at creation; null means everywhere (a superuser).
    scope_paths = models.JSONField("范围", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=ExportJobStatus.choices, default=ExportJobStatus.PENDING)
    total_rows = models.PositiveIntegerField("总行数", null=True, blank=True)
    rows_written = models.PositiveIntegerField("已写行数", default=0)
    file = models.FileField("文件", upload_to=export_file_path, blank=True)
    error = models.CharField("错误", max_length=255, blank=True)
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    expires_at = models.DateTimeField("下载截止", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        indexes = [
            models.Index(fields=["requested_by", "kind", "-created_at"], name="exportjob_requester_idx"),
            models.Index(fields=["status", "expires_at"], name="exportjob_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == ExportJobStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.rows_written * 100 // self.total_rows)

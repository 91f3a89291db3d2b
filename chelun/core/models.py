from __future__ import annotations

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

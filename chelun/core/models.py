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
    # GeoJSON geometry (WGS-84) where the shipped data has a boundary.
    boundary = models.JSONField("边界", null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"

    def __str__(self) -> str:
        return self.name

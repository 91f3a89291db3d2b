from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from chelun.appeals.choices import AppealAction, AppealStatus, ContactPreference, Party, RouteTarget


class Category(models.Model):
    """A kind of driver request (诉求类别): its deadlines in working days, whether a place is required, whether
    it is confidential (清廉交通 integrity reports: the reporter is seen only by the discipline role)."""

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=32)
    hint = models.CharField("填写提示", max_length=120, blank=True)
    ack_days = models.PositiveSmallIntegerField("受理时限（工作日）", default=1)
    resolve_days = models.PositiveSmallIntegerField("办结时限（工作日）", default=5)
    needs_place = models.BooleanField("须填写地点", default=False)
    needs_station = models.BooleanField("须选择所涉站点", default=False)
    confidential = models.BooleanField("保密（举报人仅纪检可见）", default=False)
    position = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "诉求类别"
        verbose_name_plural = "诉求类别"
        constraints = [
            models.CheckConstraint(
                name="appeal_category_ack_within_resolve", condition=Q(ack_days__lte=models.F("resolve_days"))
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.ack_days is not None and self.resolve_days is not None and self.ack_days > self.resolve_days:
            raise ValidationError({"ack_days": "受理时限不能长于办结时限"})


class RoutingRule(models.Model):
    """A routing rule (分派规则): for a category (or any) in a region (or anywhere: the rule covers the region's
    whole subtree of divisions), which organisation becomes the owner. The most specific rule wins: deepest
    region first, then a named category over any, then the lower priority number."""

    category = models.ForeignKey(
        Category, verbose_name="类别", on_delete=models.CASCADE, null=True, blank=True, related_name="rules"
    )
    region = models.ForeignKey(
        "core.Region", verbose_name="地区", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target = models.CharField("分派给", max_length=24, choices=RouteTarget.choices)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name="指定组织",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    priority = models.PositiveSmallIntegerField("优先级（小者优先）", default=100)
    active = models.BooleanField("启用", default=True)
    note = models.CharField("说明", max_length=120, blank=True)

    class Meta:
        ordering = ["priority", "id"]
        verbose_name = "分派规则"
        verbose_name_plural = "分派规则"
        constraints = [
            models.CheckConstraint(
                name="appeal_rule_fixed_has_org",
                condition=~Q(target=RouteTarget.FIXED_ORG) | Q(organization__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.category or '全部类别'} · {self.region or '全省'} → {self.get_target_display()}"

    def clean(self) -> None:
        if self.target == RouteTarget.FIXED_ORG and not self.organization_id:
            raise ValidationError({"organization": "指定组织的规则必须选择组织"})

    def get_additional_data(self) -> dict[str, Any]:
        return {"org_path": "/"}  # rules are the province's: only whole-tree auditors see their changes


class Appeal(models.Model):
    """A driver's request (诉求, 急难愁盼): one owner organisation at a time (`owner`, with its path copied into
    `owner_path` so a queue is one prefix scan on an index, and so the table shards by it), deadlines set from
    its category in working days, every step an AppealEvent."""

    # The person, not the login: a driver is a members.Person (signed in by one-time code as a user linked to
    # it), and one person keeps their appeals whatever login they use.
    driver = models.ForeignKey("members.Person", verbose_name="提交人", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, verbose_name="类别", on_delete=models.PROTECT, related_name="appeals")
    description = models.TextField("诉求内容", max_length=2000)
    region = models.ForeignKey(
        "core.Region", verbose_name="地区", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lon = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    place_text = models.CharField("地点说明", max_length=120, blank=True)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name="所涉暖心之家",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    contact = models.CharField(
        "联系方式", max_length=8, choices=ContactPreference.choices, default=ContactPreference.PHONE
    )
    status = models.CharField(
        "状态", max_length=16, choices=AppealStatus.choices, default=AppealStatus.SUBMITTED, db_index=True
    )
    owner = models.ForeignKey("orgs.Organization", verbose_name="承办组织", on_delete=models.PROTECT, related_name="+")
    owner_path = models.CharField(max_length=255, editable=False)
    submitted_at = models.DateTimeField("提交时间")
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    ack_due_at = models.DateTimeField("受理期限")
    resolve_due_at = models.DateTimeField("办结期限")
    # The next moment the escalation task looks at this appeal (a deadline, or the grace after an escalation).
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField("升级次数", default=0)
    escalated_to = models.ForeignKey(
        "orgs.Organization",
        verbose_name="已升级至",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    supervised = models.BooleanField("挂牌督办", default=False)
    supervision_due_at = models.DateTimeField("督办期限", null=True, blank=True)
    supervision_overdue = models.BooleanField("督办超期", default=False)
    rating = models.PositiveSmallIntegerField("满意度", null=True, blank=True)
    rating_comment = models.CharField("评价", max_length=200, blank=True)
    reopen_count = models.PositiveSmallIntegerField("重新打开次数", default=0)
    resolution = models.TextField("办理结果", max_length=2000, blank=True)
    money_recovered_fen = models.BigIntegerField("追回欠款（分）", default=0)
    merged_into = models.ForeignKey(
        "self", verbose_name="合并至", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = "诉求"
        verbose_name_plural = "诉求"
        indexes = [
            models.Index(fields=["owner_path", "submitted_at"], name="appeal_owner_recent"),
            models.Index(fields=["owner_path", "status", "resolve_due_at"], name="appeal_owner_status_due"),
            models.Index(fields=["driver", "submitted_at"], name="appeal_driver_recent"),
            models.Index(fields=["next_escalation_at"], name="appeal_next_escalation"),
            models.Index(fields=["submitted_at"], name="appeal_submitted"),  # a month's roll-up reads one range
        ]
        constraints = [
            models.CheckConstraint(
                name="appeal_rating_1_to_5", condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5)
            ),
            models.CheckConstraint(name="appeal_money_not_negative", condition=Q(money_recovered_fen__gte=0)),
            models.CheckConstraint(
                name="appeal_merged_has_target",
                condition=~Q(status=AppealStatus.MERGED) | Q(merged_into__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The number a driver quotes on the phone: SQ + submission date + id."""
        return f"SQ{self.submitted_at:%Y%m%d}{self.pk or 0:06d}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"org_path": self.owner_path}


class AppealEvent(models.Model):
    """One step of an appeal (办理记录): timestamped and attributed; the driver sees every step that is not an
    internal note. For a confidential appeal the driver's own steps carry no name (`actor` is left empty)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=24, choices=AppealAction.choices)
    party = models.CharField("操作方", max_length=8, choices=Party.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=16, choices=AppealStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=AppealStatus.choices, blank=True)
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="承办组织", on_delete=models.PROTECT, null=True, related_name="+"
    )
    from_organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField("说明", max_length=2000, blank=True)
    internal = models.BooleanField("内部", default=False)
    at = models.DateTimeField("时间")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.action}"


def appeal_photo_path(instance: AppealPhoto, filename: str) -> str:
    return f"appeals/{instance.appeal_id}/{filename}"


class AppealPhoto(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField("照片", upload_to=appeal_photo_path)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "诉求照片"
        verbose_name_plural = "诉求照片"

    def __str__(self) -> str:
        return self.image.name


class Article(models.Model):
    """A knowledge-base entry (政策与问答): one of the province's measures or a common question, linked to the
    categories it answers so a driver sees it before submitting; `helped_count` counts the drivers who said it
    solved their need (and so did not submit)."""

    title = models.CharField("标题", max_length=120)
    body = models.TextField("内容", max_length=8000)
    source = models.CharField("来源", max_length=120, blank=True)
    categories = models.ManyToManyField(Category, verbose_name="相关类别", blank=True, related_name="articles")
    position = models.PositiveSmallIntegerField("排序", default=100)
    active = models.BooleanField("启用", default=True)
    helped_count = models.PositiveIntegerField("帮助人次", default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "政策与问答"
        verbose_name_plural = "政策与问答"

    def __str__(self) -> str:
        return self.title


class ArticleToken(models.Model):
    """The inverted index of the knowledge base: one row per (word, entry), the word from the jieba segmenter,
    `weight` its count in the entry (title words count three times)."""

    token = models.CharField(max_length=32)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="tokens")
    weight = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "article"], name="appeal_token_unique")]
        indexes = [models.Index(fields=["token"], name="appeal_token_lookup")]

    def __str__(self) -> str:
        return self.token


class AppealMonthStat(models.Model):
    """A month's figures for one (owner, category, region) (诉求月度统计): the statistics pages add these up
    rather than scanning every appeal. Rebuilt from the appeals by an idempotent task (the recent months every
    few minutes, every month nightly), keyed by the month the appeals were submitted in."""

    month = models.DateField("月份")  # the first day, Beijing time
    owner = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    owner_path = models.CharField(max_length=255)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("core.Region", on_delete=models.CASCADE, null=True, related_name="+")
    total = models.PositiveIntegerField(default=0)
    acknowledged = models.PositiveIntegerField(default=0)
    ack_on_time = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    resolve_on_time = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    money_fen = models.BigIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = "诉求月度统计"
        verbose_name_plural = "诉求月度统计"
        indexes = [models.Index(fields=["owner_path", "month"], name="appeal_stat_scope_month")]
        constraints = [
            models.UniqueConstraint(fields=["month", "owner", "category", "region"], name="appeal_stat_unique")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.owner_id} {self.category_id}"

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from chelun.members.choices import Gender, LicenceClass, PartyStatus, VehicleType


class Person(models.Model):
    """A natural person the platform knows (人员): a driver, a party member, a shipper, a station operator, or
    several of these at once. ID number and phone are stored encrypted, with a keyed hash for exact lookup and a
    masked copy for display; the clear value is only shown through an audited reveal.
    """

    name = models.CharField("姓名", max_length=64)
    gender = models.CharField("性别", max_length=8, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    id_number_cipher = models.TextField(editable=False)
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField("身份证号", max_length=18, editable=False)
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField("手机号", max_length=11, blank=True, editable=False)
    # The organisation responsible for this person's record: their branch if a party member, else their
    # employer/fleet's organisation or the industry committee of their home county. Scoping follows it.
    org = models.ForeignKey(
        "orgs.Organization", verbose_name="所属组织", on_delete=models.PROTECT, related_name="people"
    )
    region = models.ForeignKey("core.Region", verbose_name="常住地", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "人员"
        verbose_name_plural = "人员"
        constraints = [
            models.UniqueConstraint(fields=["phone_hash"], condition=~Q(phone_hash=""), name="person_phone_unique")
        ]
        # A county's people in id order straight from the index: the people list filtered by a county is one
        # index range, already in page order (members.selectors._filter_region).
        indexes = [models.Index(fields=["region", "id"], name="person_region_id_idx")]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict[str, Any]:
        return {"org_path": self.org.path}


class _Profile(models.Model):
    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def get_additional_data(self) -> dict[str, Any]:
        return {"org_path": self.person.org.path, "person_id": self.person_id}


class DriverProfile(_Profile):
    """The truck-driver side of a person (货车司机)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="driver_profile")
    licence_class = models.CharField("准驾车型", max_length=4, choices=LicenceClass.choices)
    plates = models.CharField("车牌号", max_length=64, blank=True, help_text="多个车牌用逗号分隔")
    vehicle_type = models.CharField("车辆类型", max_length=16, choices=VehicleType.choices)
    employer = models.ForeignKey(
        "orgs.Organization",
        verbose_name="所属企业/车队组织",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    employer_name = models.CharField("所属企业/车队", max_length=128, blank=True)

    class Meta:
        verbose_name = "司机档案"
        verbose_name_plural = "司机档案"

    def __str__(self) -> str:
        return f"司机档案 #{self.person_id}"


class PartyMemberProfile(_Profile):
    """The party-member side of a person (党员): where their membership is held."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="party_profile")
    joined_on = models.DateField("入党日期")
    status = models.CharField("党籍状态", max_length=16, choices=PartyStatus.choices)
    branch = models.ForeignKey(
        "orgs.Organization", verbose_name="组织关系所在支部", on_delete=models.PROTECT, related_name="members"
    )

    class Meta:
        verbose_name = "党员档案"
        verbose_name_plural = "党员档案"

    def __str__(self) -> str:
        return f"党员档案 #{self.person_id}"


class ShipperProfile(_Profile):
    """A shipper (货主) who posts loads."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="shipper_profile")
    company_name = models.CharField("单位名称", max_length=128, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)

    class Meta:
        verbose_name = "货主档案"
        verbose_name_plural = "货主档案"

    def __str__(self) -> str:
        return f"货主档案 #{self.person_id}"


class StationOperatorProfile(_Profile):
    """A station operator (站长) of a 暖心之家."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="operator_profile")
    station_name = models.CharField("所在站点", max_length=128)

    class Meta:
        verbose_name = "站长档案"
        verbose_name_plural = "站长档案"

    def __str__(self) -> str:
        return f"站长档案 #{self.person_id}"


class OrganizationSecretary(models.Model):
    """The secretary (书记) of a party organisation: at most one person per organisation.

    Held beside the people rather than on Organization: a person already belongs to an organisation, and the tree
    (orgs) knows nothing of what hangs on it.
    """

    organization = models.OneToOneField(
        "orgs.Organization",
        verbose_name="党组织",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="secretary_post",
    )
    # Deleting the person leaves the organisation without a secretary, as before the move (SET_NULL).
    person = models.ForeignKey(Person, verbose_name="书记", on_delete=models.CASCADE, related_name="secretary_posts")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "组织书记"
        verbose_name_plural = "组织书记"

    def __str__(self) -> str:
        return f"{self.organization} · 书记 {self.person}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"org_path": self.organization.path}

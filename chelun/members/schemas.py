"""API schemas for people and their profiles. ID and phone numbers only ever leave masked; the clear value comes
from the audited reveal endpoint alone."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ObjectDoesNotExist
from ninja import Field, Schema
from pydantic import field_validator

from chelun.core.schemas import Count, Day, Id, QueryId, Text, not_null
from chelun.members.choices import Gender, LicenceClass, PartyStatus, ProfileType, SensitiveField, VehicleType
from chelun.members.models import DriverProfile, PartyMemberProfile, Person
from chelun.members.selectors import person_profile_types
from chelun.orgs.schemas import OrgBriefOut


def _profile(person: Person, relation: str) -> object | None:
    try:
        return getattr(person, relation)
    except ObjectDoesNotExist:
        return None


class PersonOut(Schema):
    id: int
    name: str
    gender: Gender
    gender_label: str
    id_number_masked: str = Field(description="如 510***********123X")
    phone_masked: str = Field(description="如 138****5678；未登记为空")
    org: OrgBriefOut = Field(description="负责此人员档案的组织")
    region_code: str
    region_name: str
    profile_types: list[ProfileType]
    party_status: PartyStatus | None
    party_status_label: str | None
    version: int

    @staticmethod
    def resolve_gender_label(obj: Person) -> str:
        return str(obj.get_gender_display())

    @staticmethod
    def resolve_region_code(obj: Person) -> str:
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj: Person) -> str:
        return obj.region.name

    @staticmethod
    def resolve_profile_types(obj: Person) -> list[str]:
        return person_profile_types(obj)

    @staticmethod
    def resolve_party_status(obj: Person) -> str | None:
        profile = _profile(obj, "party_profile")
        return profile.status if isinstance(profile, PartyMemberProfile) else None

    @staticmethod
    def resolve_party_status_label(obj: Person) -> str | None:
        profile = _profile(obj, "party_profile")
        return str(profile.get_status_display()) if isinstance(profile, PartyMemberProfile) else None


class DriverProfileOut(Schema):
    licence_class: LicenceClass
    vehicle_type: VehicleType
    vehicle_type_label: str
    plates: list[str]
    employer_id: int | None
    employer_name: str
    created_at: dt.datetime

    @staticmethod
    def resolve_vehicle_type_label(obj: DriverProfile) -> str:
        return str(obj.get_vehicle_type_display())

    @staticmethod
    def resolve_plates(obj: DriverProfile) -> list[str]:
        return [plate for plate in obj.plates.split(",") if plate]


class PartyProfileOut(Schema):
    branch: OrgBriefOut = Field(description="组织关系所在支部")
    joined_on: dt.date
    status: PartyStatus
    status_label: str
    created_at: dt.datetime

    @staticmethod
    def resolve_status_label(obj: PartyMemberProfile) -> str:
        return str(obj.get_status_display())


class ShipperProfileOut(Schema):
    company_name: str
    credit_code: str


class OperatorProfileOut(Schema):
    station_name: str


class PersonDetailOut(PersonOut):
    birth_date: dt.date
    created_at: dt.datetime
    updated_at: dt.datetime
    driver_profile: DriverProfileOut | None
    party_profile: PartyProfileOut | None
    shipper_profile: ShipperProfileOut | None
    operator_profile: OperatorProfileOut | None

    @staticmethod
    def resolve_driver_profile(obj: Person) -> object | None:
        return _profile(obj, "driver_profile")

    @staticmethod
    def resolve_party_profile(obj: Person) -> object | None:
        return _profile(obj, "party_profile")

    @staticmethod
    def resolve_shipper_profile(obj: Person) -> object | None:
        return _profile(obj, "shipper_profile")

    @staticmethod
    def resolve_operator_profile(obj: Person) -> object | None:
        return _profile(obj, "operator_profile")


class PersonFilter(Schema):
    q: str = Field("", max_length=64, description="按姓名搜索")
    region: str = Field("", max_length=6, description="常住地行政区划代码（含下级区划）")
    organization: QueryId | None = Field(None, description="只看该组织子树负责的人员（组织 id）")
    profile_type: ProfileType | None = None
    party_status: PartyStatus | None = None


class PersonIn(Schema):
    name: Text = Field(max_length=64)
    id_number: Text = Field(max_length=32, description="18 位身份证号；出生日期和性别由它得出")
    phone: Text = Field("", max_length=32, description="中国大陆手机号，可为空")
    org_id: Id = Field(description="负责此人员档案的组织")
    region_code: Text = Field(max_length=6, description="常住地行政区划代码")
    birth_date: Day | None = Field(None, description="可选；填写时须与身份证号一致")
    gender: Gender | None = Field(None, description="可选；填写时须与身份证号一致")


class PersonPatchIn(Schema):
    version: Count = Field(description="读取时的 version；他人已修改则返回 409")
    name: Text | None = Field(None, max_length=64)
    phone: Text | None = Field(None, max_length=32, description="空字符串表示清除手机号")
    org_id: Id | None = None
    region_code: Text | None = Field(None, max_length=6)

    _not_null = field_validator("name", "phone", "org_id", "region_code")(not_null)


class DriverProfileIn(Schema):
    licence_class: LicenceClass
    vehicle_type: VehicleType
    plates: Text = Field("", max_length=64, description="多个车牌用逗号分隔")
    employer_id: Id | None = Field(None, description="所属企业/车队的组织 id")
    employer_name: Text = Field("", max_length=128)


class PartyProfileIn(Schema):
    branch_id: Id = Field(description="组织关系所在支部的组织 id；人员档案随之归属该支部")
    joined_on: Day
    status: PartyStatus = PartyStatus.FULL


class RevealIn(Schema):
    field: SensitiveField


class RevealOut(Schema):
    field: SensitiveField
    value: str

from django.db import models

from chelun.core.choices import SensitiveField

__all__ = ["Gender", "LicenceClass", "PartyStatus", "ProfileType", "SensitiveField", "VehicleType"]


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class ProfileType(models.TextChoices):
    DRIVER = "driver", "货车司机"
    PARTY_MEMBER = "party_member", "党员"
    SHIPPER = "shipper", "货主"
    STATION_OPERATOR = "station_operator", "站长"


class LicenceClass(models.TextChoices):
    A1 = "A1", "A1"
    A2 = "A2", "A2"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"


class VehicleType(models.TextChoices):
    TRACTOR = "tractor", "重型半挂牵引车"
    HEAVY_BOX = "heavy_box", "重型厢式货车"
    HEAVY_FLATBED = "heavy_flatbed", "重型栏板货车"
    DUMP = "dump", "自卸车"
    REEFER = "reefer", "冷藏车"
    TANKER = "tanker", "罐式车（危险品）"
    MEDIUM = "medium", "中型货车"
    LIGHT = "light", "轻型货车"


class PartyStatus(models.TextChoices):
    FULL = "full", "正式党员"
    PROBATIONARY = "probationary", "预备党员"

from django.db import models


class StationKind(models.TextChoices):
    EXPRESSWAY = "expressway", "高速公路服务区"
    TRUNK_ROAD = "trunk_road", "国省道沿线"
    LOGISTICS_YARD = "logistics_yard", "物流园区"
    INLAND_PORT = "inland_port", "内河港口"


class StationStatus(models.TextChoices):
    PLANNED = "planned", "规划中"
    BUILDING = "building", "建设中"
    OPEN = "open", "运营中"
    SUSPENDED = "suspended", "暂停服务"


class StationClass(models.TextChoices):
    A = "A", "A类"
    B = "B", "B类"


class Amenity(models.TextChoices):
    HOT_MEAL = "hot_meal", "热饭热菜"
    FOOD_HEATING = "food_heating", "饭菜加热"
    HOT_WATER = "hot_water", "热水供应"
    SHOWER = "shower", "淋浴"
    LAUNDRY = "laundry", "洗衣"
    DRYING = "drying", "烘干"
    TRUCK_PARKING = "truck_parking", "货车停车"
    BEDS = "beds", "住宿床位"
    REST_ROOM = "rest_room", "休息室"
    TOILET = "toilet", "卫生间"
    WIFI = "wifi", "免费WiFi"
    REPAIR = "repair", "车辆维修"
    FUEL_NEARBY = "fuel_nearby", "附近加油"
    CHARGING_NEARBY = "charging_nearby", "附近充电"
    MEDICAL_KIT = "medical_kit", "医药箱"
    LEGAL_AID = "legal_aid", "法律援助"
    PARTY_ROOM = "party_room", "党群活动室"
    KITCHEN = "kitchen", "共享厨房"
    READING_ROOM = "reading_room", "阅览室"


# The MOT's five basic services, which must be free (停车休息、饭菜加热、热水供应、淋浴、洗衣).
FREE_BY_STANDARD = frozenset(
    {Amenity.TRUCK_PARKING, Amenity.FOOD_HEATING, Amenity.HOT_WATER, Amenity.SHOWER, Amenity.LAUNDRY}
)


class SecurityGrade(models.TextChoices):
    NONE = "none", "未评级"
    BRONZE = "bronze", "铜级"
    SILVER = "silver", "银级"
    GOLD = "gold", "金级"
    PLATINUM = "platinum", "铂金级"


class StatusSource(models.TextChoices):
    OPERATOR = "operator", "站长"
    DRIVER = "driver", "司机反馈"
    GATE = "gate", "道闸计数"
    CAMERA = "camera", "视频识别"


class SpaceLevel(models.TextChoices):
    PLENTY = "plenty", "车位多"
    SOME = "some", "车位少"
    FULL = "full", "已满"


class CheckInService(models.TextChoices):
    PARKING = "parking", "停车休息"
    MEAL = "meal", "用餐/加热"
    SHOWER = "shower", "淋浴"
    LAUNDRY = "laundry", "洗衣烘干"
    BED = "bed", "住宿"
    CONSULTATION = "consultation", "咨询"
    HOT_WATER = "hot_water", "热水"
    PARTY = "party", "党群活动"


class FeedbackIssue(models.TextChoices):
    CHARGED_FREE = "charged_free", "免费项目被收费"
    CLOSED_IN_HOURS = "closed_in_hours", "营业时间内未开放"
    FULL_SHOWN_FREE = "full_shown_free", "显示有车位实际已满"
    DIRTY = "dirty", "卫生不达标"
    UNSAFE_PARKING = "unsafe_parking", "停车不安全"
    STAFF_CONDUCT = "staff_conduct", "服务态度"
    OTHER = "other", "其他"


class FeedbackStatus(models.TextChoices):
    OPEN = "open", "待答复"
    ANSWERED = "answered", "已答复"
    ESCALATED = "escalated", "已上报"
    CLOSED = "closed", "已办结"
    # Marked by the operator: its deadline stops, it is never escalated, and the public no longer sees it.
    SPAM = "spam", "垃圾信息"


class FundingSource(models.TextChoices):
    FINANCE = "finance", "财政"
    PARTY_FEES = "party_fees", "党费"
    UNION = "union", "工会"
    ROAD_FEE = "road_fee", "路网运行保障服务费"


class CostCategory(models.TextChoices):
    STAFF = "staff", "人员"
    UTILITIES = "utilities", "水电气"
    CONSUMABLES = "consumables", "耗材"
    MAINTENANCE = "maintenance", "维修维护"
    OTHER = "other", "其他"

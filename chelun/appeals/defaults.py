"""The issue's categories with their deadlines (working days), and the two default routing rules: station
complaints go to the station's operating organisation, everything else to the county committee of the place.
Used by the data migration and by tests that flushed the database."""

from __future__ import annotations

from typing import Any

# code, name, hint, ack_days, resolve_days, needs_place, needs_station, confidential
CATEGORIES = [
    ("unpaid_freight", "运费拖欠", "写明货主、运单或订单号、金额和约定的付款日", 1, 10, False, False, False),
    ("enforcement", "执法争议", "写明时间、路段、执法单位和经过", 1, 5, True, False, False),
    ("breakdown", "故障救援", "写明车辆情况和所在位置，紧急情况请先拨打 122", 0, 1, True, False, False),
    ("legal", "法律咨询", "简要说明需要咨询的法律问题", 1, 5, False, False, False),
    ("government", "政务服务", "证照办理、审验、补换等", 1, 5, False, False, False),
    ("hardship", "生活困难", "家庭、医疗、子女就学等困难", 1, 10, False, False, False),
    ("station_complaint", "暖心之家投诉", "所涉站点、时间和经过", 1, 5, False, True, False),
    ("road_hazard", "道路隐患", "隐患类型和位置（巡路员可随手拍报）", 0, 2, True, False, False),
    ("integrity", "清廉交通举报", "举报人信息严格保密，仅纪检人员可见", 1, 15, False, False, True),
    ("other", "其他", "", 1, 5, False, False, False),
]


def seed_defaults(Category: Any, RoutingRule: Any) -> None:
    """Create or update the default categories and rules; takes the model classes so a migration can pass its
    historical models."""
    for position, (code, name, hint, ack, resolve, place, station, confidential) in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "hint": hint,
                "ack_days": ack,
                "resolve_days": resolve,
                "needs_place": place,
                "needs_station": station,
                "confidential": confidential,
                "position": position,
            },
        )
    complaint = Category.objects.get(code="station_complaint")
    RoutingRule.objects.get_or_create(
        category=complaint, region=None, target="station_operator", defaults={"priority": 10, "note": "站点投诉"}
    )
    RoutingRule.objects.get_or_create(
        category=None, region=None, target="county_committee", defaults={"priority": 100, "note": "默认规则"}
    )

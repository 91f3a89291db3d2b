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


# title, source, body, category codes. The measures are named as the province published them; their bodies say
# what each covers and point to the official text rather than restating clauses from memory.
ARTICLES = [
    (
        "交通运输领域稳住经济 6 方面 30 项措施",
        "四川省交通运输厅",
        "围绕稳住经济大盘，从保通保畅、减负纾困、稳定就业、扩大有效投资等 6 个方面提出 30 项措施，"
        "其中涉及货车司机的有通行便利、费用减免和纾困帮扶。具体条款以官方发布文件为准；"
        "遇到落实不到位的情况，可在本平台选择对应类别反映。",
        ("government", "hardship", "enforcement"),
    ),
    (
        "支撑服务“两稳一保”十项措施",
        "四川省交通运输厅",
        "为稳增长、稳市场主体、保就业，提出支撑服务“两稳一保”的十项交通运输措施，"
        "包括物流保通保畅、运输企业和货车司机纾困等内容。具体条款以官方发布文件为准。",
        ("government", "hardship", "unpaid_freight"),
    ),
    (
        "加强货车司机管理服务六条措施",
        "四川省交通运输行业党委",
        "从组织覆盖、权益保障、暖心服务、教育培训、诉求办理和关心关爱六个方面加强货车司机管理服务，"
        "急难愁盼诉求由所在地行业党委受理并限时办结。具体条款以官方发布文件为准。",
        ("hardship", "legal", "station_complaint", "other"),
    ),
    (
        "运费被拖欠怎么办？",
        "常见问题",
        "先保存好证据：运单或网络货运平台订单、聊天记录、转账记录、装卸货照片。与货主或平台协商不成的，"
        "可在本平台提交“运费拖欠”诉求，写明货主、订单号、金额和约定的付款日，由所在地行业党委协调；"
        "需要法律帮助的，可拨打 12348 公共法律服务热线或选择“法律咨询”。",
        ("unpaid_freight", "legal"),
    ),
    (
        "路上车辆故障或发生事故，如何求助？",
        "常见问题",
        "发生事故或人身危险请先拨打 122 或 110，在车后方设置警告标志，人员撤到护栏外。"
        "车辆故障需要救援的，在本平台选择“故障救援”并用手机定位，附近的行业党组织和暖心之家会尽快联系您。",
        ("breakdown", "road_hazard"),
    ),
    (
        "暖心之家提供哪些免费服务？",
        "常见问题",
        "暖心之家为货车司机提供热水、休息、如厕等基本服务，部分站点提供热饭、热水澡、洗衣和安全停车，"
        "各站服务和收费标准在站点页面公示。对公示为免费却被收费等情况，可选择“暖心之家投诉”并选择所涉站点。",
        ("station_complaint",),
    ),
    (
        "对执法有异议怎么办？",
        "常见问题",
        "保持冷静，记录时间、路段、执法单位和执法人员编号，保留罚单和现场照片。可依法申请行政复议或提起行政诉讼，"
        "也可拨打 12328 交通运输服务监督电话，或在本平台选择“执法争议”反映。",
        ("enforcement", "legal"),
    ),
    (
        "举报人信息会保密吗？",
        "常见问题",
        "“清廉交通举报”类诉求的举报人信息只有纪检监督人员可见，不出现在工单列表、导出表格和审计日志中。",
        ("integrity",),
    ),
    (
        "驾驶证、从业资格证到期，在外地能办吗？",
        "常见问题",
        "多数证照业务已可跨省通办或网上办理，请先通过官方政务服务渠道查询；办理中遇到困难，"
        "可在本平台选择“政务服务”，写明证照类型和到期时间。",
        ("government",),
    ),
]


def seed_articles(Article: Any, ArticleToken: Any, Category: Any) -> None:
    """Create the default knowledge-base entries with their index rows (segment.weighted_tokens is pure, so a
    migration's historical models can take them)."""
    from chelun.appeals.segment import weighted_tokens

    by_code = {c.code: c for c in Category.objects.all()}
    for position, (title, source, body, codes) in enumerate(ARTICLES):
        article, _ = Article.objects.update_or_create(
            title=title, defaults={"source": source, "body": body, "position": position}
        )
        article.categories.set([by_code[code] for code in codes if code in by_code])
        ArticleToken.objects.filter(article=article).delete()
        ArticleToken.objects.bulk_create(
            [ArticleToken(token=t, article=article, weight=w) for t, w in weighted_tokens(title, body).items()]
        )

"""The demo service desk (急难愁盼): a year of drivers' appeals across the province, with a plausible mix of
categories and outcomes — most answered in time, some late and escalated one or two levels, a few under province
supervision, some reopened, unpaid freight often recovered — each with its history of steps.

Entry point :func:`seed_appeals`, called by seed_demo once the tree and the people exist. Deterministic: the same
rng, scale and `now` give the same rows. Rows are written in bulk (the services' rules are followed by
construction: deadlines from chelun.appeals.sla, owners by the default routing rule — the county committee of the
driver's home county); station complaints are left out because the stations are seeded after this step.
Appeals belong to people (members.Person), so no logins are made: a driver who signs in with a one-time code
sees theirs. The demo driver gets three appeals of his own in three states. The driver's own steps carry no
login (`actor` empty), as the one-time-code user may not exist yet.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from chelun.appeals import sla
from chelun.appeals.choices import AppealAction as A
from chelun.appeals.choices import AppealStatus as S
from chelun.appeals.choices import ContactPreference
from chelun.appeals.choices import Party as P
from chelun.demo.draws import pick

__all__ = ["CATEGORY_WEIGHTS", "AppealSeedResult", "appeal_count", "seed_appeals"]

# Share of each category among a year's appeals (unpaid freight leads, as in 绵阳's 接诉即办 cases).
CATEGORY_WEIGHTS = {
    "unpaid_freight": 30,
    "enforcement": 12,
    "breakdown": 11,
    "legal": 10,
    "government": 12,
    "hardship": 8,
    "road_hazard": 9,
    "integrity": 2,
    "other": 6,
}
DESCRIPTIONS = {
    "unpaid_freight": [
        "货主拖欠运费 {n} 元，多次催要未付",
        "平台订单运费 {n} 元逾期未结算",
        "卸货后收货方拒付运费 {n} 元",
    ],
    "enforcement": [
        "在{county}境内被处罚，对超限认定有异议",
        "路政检查时车辆被扣，手续齐全",
        "对电子抓拍的违法记录有异议",
    ],
    "breakdown": ["车辆在{county}附近爆胎，需要救援", "发动机故障停在应急车道", "冬季道路结冰车辆打滑，需要拖车"],
    "legal": ["运输合同纠纷，想咨询如何起诉", "交通事故责任认定有争议", "挂靠公司不退保证金"],
    "government": ["从业资格证到期，人在外地如何换证", "道路运输证年审需要哪些材料", "ETC 办理遇到问题"],
    "hardship": ["家人住院，医疗费用困难", "子女在{county}就学需要帮助", "车辆贷款逾期，家庭困难"],
    "road_hazard": ["{county}路段有坑槽，夜间危险", "路边护栏损坏", "隧道内照明故障"],
    "integrity": ["检测站工作人员索要好处费", "有人以办证为名收取费用"],
    "other": ["建议在{county}增设货车停车区", "咨询暖心之家开放时间"],
}
RATINGS = ([5, 4, 3, 2, 1], [55, 80, 90, 96, 100])  # values, cumulative weights


@dataclass(frozen=True)
class AppealSeedResult:
    appeals: int
    events: int
    drivers: int


def appeal_count(drivers: int) -> int:
    """A year's appeals for a province of `drivers` drivers: about one in three drivers, at least 500."""
    return max(500, drivers // 3)


def _working_time(rng: random.Random, day: dt.date) -> dt.datetime:
    minutes = rng.randint(7 * 60, 22 * 60)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=sla.BEIJING)


def _committees() -> tuple[dict[int, Any], Any]:
    from chelun.orgs.choices import OrgKind
    from chelun.orgs.models import Organization

    by_region: dict[int, Any] = {}
    root = None
    for org in Organization.objects.filter(kind=OrgKind.INDUSTRY_COMMITTEE, status="active").order_by("depth", "id"):
        by_region.setdefault(org.region_id, org)
        if org.parent_id is None and root is None:
            root = org
    return by_region, root


def seed_appeals(*, rng: random.Random, drivers: int, now: dt.datetime | None = None) -> AppealSeedResult:
    """Write a year (the 365 days before `now`, default this hour) of appeals; see the module docstring."""
    if now is None:
        from django.utils import timezone

        now = timezone.now().replace(minute=0, second=0, microsecond=0)
    from django.db.models import Max

    from chelun.appeals.defaults import seed_articles, seed_defaults
    from chelun.appeals.models import Appeal, AppealEvent, Article, ArticleToken, Category, RoutingRule
    from chelun.appeals.stats import appeal_stats_refresh
    from chelun.core.models import Region
    from chelun.demo.people import DEMO_DRIVER_NAME
    from chelun.members.models import Person

    if not Category.objects.exists():  # a database flushed since its migrations ran
        seed_defaults(Category, RoutingRule)
        seed_articles(Article, ArticleToken, Category)
    categories = {c.code: c for c in Category.objects.all()}
    codes = [code for code in CATEGORY_WEIGHTS if code in categories]
    cum: list[float] = []
    for code in codes:
        cum.append((cum[-1] if cum else 0) + CATEGORY_WEIGHTS[code])
    committees, root = _committees()
    if root is None:
        raise RuntimeError("seed_appeals needs the organisation tree")
    regions = {r.pk: r for r in Region.objects.all()}
    driver_rows = list(
        Person.objects.filter(driver_profile__isnull=False).order_by("pk").values_list("pk", "name", "region_id")
    )
    total = appeal_count(drivers)
    chosen = [driver_rows[rng.randrange(len(driver_rows))] for _ in range(total)]
    demo = next((row for row in driver_rows if row[1] == DEMO_DRIVER_NAME), None)

    next_pk = (Appeal.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    appeals: list[Appeal] = []
    events: list[AppealEvent] = []
    start_day = (now.astimezone(sla.BEIJING) - dt.timedelta(days=365)).date()

    def owner_for(region_id: int) -> Any:
        current: Region | None = regions[region_id]
        while current is not None:
            if current.pk in committees:
                return committees[current.pk]
            current = regions.get(current.parent_id) if current.parent_id else None
        return root

    orgs_by_pk = {o.pk: o for o in committees.values()}

    def add(person: tuple[int, str, int], code: str, submitted: dt.datetime, fate: str | None = None) -> None:
        nonlocal next_pk
        category = categories[code]
        owner = owner_for(person[2])
        region = regions[person[2]]
        ack_due = sla.due_at(submitted, category.ack_days)
        resolve_due = sla.due_at(submitted, category.resolve_days)
        amount = rng.choice([3000, 4500, 6800, 8000, 12000, 26000])
        appeal = Appeal(
            pk=next_pk,
            driver_id=person[0],
            category=category,
            description=rng.choice(DESCRIPTIONS[code]).format(n=amount, county=region.name),
            region=region,
            contact=rng.choice(ContactPreference.values),
            owner=owner,
            owner_path=owner.path,
            submitted_at=submitted,
            ack_due_at=ack_due,
            resolve_due_at=resolve_due,
            next_escalation_at=ack_due,
        )
        next_pk += 1
        steps: list[tuple[str, str, str, str, dt.datetime, str]] = [
            (A.SUBMIT, P.DRIVER, "", S.SUBMITTED, submitted, "司机所在地的县级行业党委")
        ]
        fate = fate or _fate(rng, (now - submitted).days)
        late_ack = rng.random() < 0.08 and fate != "submitted"
        if late_ack:
            accepted_at = ack_due + dt.timedelta(hours=rng.randint(2, 60))
            parent = orgs_by_pk.get(owner.parent_id or 0, root)
            if owner.parent_id:
                appeal.escalation_level, appeal.escalated_to = 1, parent
                note = f"超过受理期限，升级至{parent.name}"
                steps.append((A.ESCALATE, P.SYSTEM, S.SUBMITTED, S.SUBMITTED, ack_due + dt.timedelta(minutes=10), note))
        else:
            accepted_at = min(submitted + dt.timedelta(hours=rng.uniform(0.3, 20)), ack_due - dt.timedelta(minutes=1))
        accepted_at = min(accepted_at, now)
        resolved_at = now
        if fate != "submitted":
            appeal.accepted_at, appeal.status, appeal.next_escalation_at = accepted_at, S.ACCEPTED, resolve_due
            steps.append((A.ACCEPT, P.STAFF, S.SUBMITTED, S.ACCEPTED, accepted_at, ""))
        if fate not in ("submitted", "accepted"):
            appeal.status = S.IN_PROGRESS
            steps.append((A.START, P.STAFF, S.ACCEPTED, S.IN_PROGRESS, accepted_at + dt.timedelta(hours=2), ""))
        if fate in ("resolved", "confirmed", "closed", "reopened"):
            if rng.random() < 0.1:  # late
                resolved_at = resolve_due + dt.timedelta(days=rng.randint(1, 6))
            else:
                resolved_at = accepted_at + (resolve_due - accepted_at) * rng.uniform(0.2, 0.95)
            resolved_at = min(resolved_at, now - dt.timedelta(hours=1))
            appeal.resolved_at, appeal.status, appeal.next_escalation_at = resolved_at, S.RESOLVED, None
            appeal.resolution = "已联系相关方协调处理，结果已告知司机"
            if code == "unpaid_freight" and rng.random() < 0.7:
                appeal.money_recovered_fen = amount * 100
                appeal.resolution = f"协调货主付清运费 {amount} 元"
            steps.append((A.RESOLVE, P.STAFF, S.IN_PROGRESS, S.RESOLVED, resolved_at, appeal.resolution))
        if fate == "reopened":
            at = min(resolved_at + dt.timedelta(days=1), now)
            appeal.status, appeal.reopen_count, appeal.resolved_at = S.REOPENED, 1, None
            appeal.resolve_due_at = appeal.next_escalation_at = sla.due_at(at, category.resolve_days)
            steps.append((A.REOPEN, P.DRIVER, S.RESOLVED, S.REOPENED, at, "问题还没有解决"))
        if fate in ("confirmed", "closed"):
            confirmed_at = min(resolved_at + dt.timedelta(hours=rng.randint(2, 72)), now)
            appeal.rating = pick(rng, *RATINGS)
            appeal.confirmed_at, appeal.status = confirmed_at, S.CONFIRMED
            steps.append((A.CONFIRM, P.DRIVER, S.RESOLVED, S.CONFIRMED, confirmed_at, f"满意度 {appeal.rating} 星"))
            if fate == "closed":
                closed_at = min(confirmed_at + dt.timedelta(days=1), now)
                appeal.closed_at, appeal.status = closed_at, S.CLOSED
                steps.append((A.CLOSE, P.STAFF, S.CONFIRMED, S.CLOSED, closed_at, ""))
        # Steps were appended in the order they happen; make their times follow it (a clamp to `now` or a late
        # acknowledgement can otherwise put a step before the one it follows).
        for i in range(1, len(steps)):
            if steps[i][4] <= steps[i - 1][4]:
                steps[i] = (*steps[i][:4], steps[i - 1][4] + dt.timedelta(minutes=1), steps[i][5])
        still_open = appeal.status in (S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS)
        if still_open and (now - submitted).days > 20 and rng.random() < 0.25:
            at = max(submitted + dt.timedelta(days=15), steps[0][4])
            appeal.supervised, appeal.supervision_due_at = True, sla.due_at(at, 5)
            appeal.supervision_overdue = appeal.supervision_due_at < now
            steps.append((A.SUPERVISE, P.STAFF, appeal.status, appeal.status, at, "群众反映强烈，挂牌督办"))
        appeals.append(appeal)
        for action, party, before, after, at, note in sorted(steps, key=lambda step: step[4]):
            events.append(
                AppealEvent(
                    appeal_id=appeal.pk,
                    action=action,
                    party=party,
                    from_status=before,
                    to_status=after,
                    organization=owner,
                    text=note,
                    at=at,
                )
            )

    for person in chosen:
        day = start_day + dt.timedelta(days=rng.randrange(365))
        add(person, pick(rng, codes, cum), _working_time(rng, day))
    if demo:
        today = now.astimezone(sla.BEIJING).date()
        add(demo, "unpaid_freight", _working_time(rng, today - dt.timedelta(days=40)), "closed")
        add(demo, "unpaid_freight", _working_time(rng, today - dt.timedelta(days=9)), "resolved")
        add(demo, "breakdown", now - dt.timedelta(hours=3), "submitted")
    Appeal.objects.bulk_create(appeals, batch_size=1000)
    AppealEvent.objects.bulk_create(events, batch_size=2000)
    _reset_sequence(Appeal)  # ids were given explicitly (events name them): PostgreSQL's sequence must follow
    appeal_stats_refresh(months=None, at=now)
    return AppealSeedResult(appeals=len(appeals), events=len(events), drivers=len({p[0] for p in chosen}))


def _reset_sequence(model: Any) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(statement)


def _fate(rng: random.Random, age_days: int) -> str:
    """How far an appeal of this age has got: old ones mostly closed, this week's mostly still open."""
    if age_days < 2:
        return rng.choice(["submitted", "submitted", "accepted", "in_progress"])
    if age_days < 14:
        return rng.choices(["accepted", "in_progress", "resolved", "confirmed", "closed"], [1, 3, 3, 2, 2])[0]
    return rng.choices(
        ["in_progress", "resolved", "reopened", "confirmed", "closed", "submitted"], [2, 4, 3, 12, 75, 1]
    )[0]

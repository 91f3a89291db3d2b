"""The demo rules (制度): the published 838, spread over the organisations of the plan.

The province committee adopts a fixed set, prefecture committees about ten each, county committees one or two, company
committees a few, branches now and then. Titles come from the working rules the reference material names (三会一课,
流动党员管理, 党费, 述职评议, 暖心之家 …); committees number theirs by year (川交党〔2023〕12号); a few older ones are
repealed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from chelun.demo import figures
from chelun.demo.draws import date_between, noisy, weighted_sample
from chelun.demo.geography import allocate
from chelun.demo.plans import OrgPlan, RuleSpec
from chelun.orgs.choices import OrgKind, RuleCategory, RuleStatus

__all__ = ["insert_rules", "plan_rules"]

_C = RuleCategory
_RULE_TITLES: tuple[tuple[str, str], ...] = (
    (_C.ORGANISATION, "关于加强货车司机群体党建工作的实施意见"),
    (_C.ORGANISATION, "党组织设置和调整工作规程"),
    (_C.ORGANISATION, "党支部标准化规范化建设实施办法"),
    (_C.ORGANISATION, "联合党支部组建和管理办法"),
    (_C.ORGANISATION, "临时党支部设立和管理办法"),
    (_C.ORGANISATION, "党组织书记选拔任用和培训制度"),
    (_C.ORGANISATION, "“支部建在车队上”工作指引"),
    (_C.MEMBERSHIP, "流动党员管理办法"),
    (_C.MEMBERSHIP, "流动党员活动证管理细则"),
    (_C.MEMBERSHIP, "党员组织关系转接工作规程"),
    (_C.MEMBERSHIP, "“双查四核”货车司机党员排查工作细则"),
    (_C.MEMBERSHIP, "失联党员查找和处置办法"),
    (_C.MEMBERSHIP, "发展党员工作实施细则"),
    (_C.MEMBERSHIP, "入党积极分子培养考察制度"),
    (_C.EDUCATION, "“三会一课”制度"),
    (_C.EDUCATION, "主题党日活动制度"),
    (_C.EDUCATION, "货车司机党员“线上+线下”学习教育制度"),
    (_C.EDUCATION, "“蜀道畅”平台学习积分管理办法"),
    (_C.EDUCATION, "组织生活会和民主评议党员制度"),
    (_C.EDUCATION, "党员教育培训年度计划管理办法"),
    (_C.EDUCATION, "谈心谈话制度"),
    (_C.DUES, "党费收缴、使用和管理办法"),
    (_C.DUES, "流动党员党费收缴细则"),
    (_C.DUES, "党费收缴台账管理制度"),
    (_C.SUPERVISION, "党组织书记抓党建工作述职评议考核办法"),
    (_C.SUPERVISION, "“四级八岗”党建工作责任清单"),
    (_C.SUPERVISION, "党建工作巡察实施办法"),
    (_C.SUPERVISION, "专项督办和挂牌督战工作办法"),
    (_C.SUPERVISION, "党建示范点创建评选办法"),
    (_C.SUPERVISION, "党风廉政建设责任制实施办法"),
    (_C.SUPERVISION, "“清廉交通”建设工作方案"),
    (_C.SERVICE, "暖心之家运行管理办法"),
    (_C.SERVICE, "货车司机急难愁盼问题“接诉即办”工作制度"),
    (_C.SERVICE, "货车司机关爱帮扶制度"),
    (_C.SERVICE, "党员先锋岗设岗定责办法"),
    (_C.SERVICE, "货车司机法律服务工作机制"),
    (_C.SERVICE, "困难党员和老党员关怀帮扶办法"),
    (_C.WORK, "行业党委议事规则"),
    (_C.WORK, "党建工作联席会议制度"),
    (_C.WORK, "网格化管理工作制度"),
    (_C.WORK, "党建工作信息报送制度"),
    (_C.WORK, "党建工作经费保障办法"),
    (_C.WORK, "党建工作档案管理制度"),
    (_C.WORK, "“双报到”工作制度"),
    (_C.WORK, "党建带群建工作制度"),
)

# Relative number of rules an organisation of each kind adopts (the province committee has a fixed share).
_RULE_WEIGHT = {
    OrgKind.INDUSTRY_COMMITTEE: 1.5,  # counties; prefectures get _PREFECTURE_RULE_WEIGHT
    OrgKind.COMMITTEE: 4.0,
    OrgKind.GENERAL_BRANCH: 1.5,
    OrgKind.BRANCH: 0.25,
    OrgKind.JOINT_BRANCH: 0.25,
    OrgKind.GRID_BRANCH: 0.3,
    OrgKind.TEMPORARY_BRANCH: 0.5,
}
_PREFECTURE_RULE_WEIGHT = 10.0
_PROVINCE_RULES = 36
# Branches adopt working rules about members and study; committees about organisation and supervision.
_CATEGORY_WEIGHT_BRANCH: dict[str, float] = {_C.MEMBERSHIP: 3.0, _C.EDUCATION: 3.0, _C.DUES: 2.0, _C.SERVICE: 1.5}


def plan_rules(plan: OrgPlan, rng: random.Random) -> None:
    """Exactly the published number of rules, spread over the plan's organisations (committees adopt more), appended
    to plan.rules. Run once, after plan_organisations, with the rng it left."""
    others = [o for o in plan.orgs if o.key != plan.province]
    weights = []
    for org in others:
        if org.kind == OrgKind.INDUSTRY_COMMITTEE and org.depth == 1:
            weight = _PREFECTURE_RULE_WEIGHT
        else:
            weight = _RULE_WEIGHT[OrgKind(org.kind)]
        weights.append(weight * (1.3 if org.all_standards_set else 1.0))
    counts = {plan.province: _PROVINCE_RULES}
    counts.update(
        zip(
            (o.key for o in others),
            allocate(figures.RULES - _PROVINCE_RULES, noisy(rng, weights, 0.4)),
            strict=True,
        )
    )
    titles = [t for _, t in _RULE_TITLES]
    category_of = {t: c for c, t in _RULE_TITLES}
    sequence: dict[tuple[int, int], int] = {}
    for key, count in counts.items():
        if not count:
            continue
        org = plan.orgs[key]
        branch_like = org.kind in (OrgKind.BRANCH, OrgKind.JOINT_BRANCH, OrgKind.GRID_BRANCH, OrgKind.TEMPORARY_BRANCH)
        title_weights = [_CATEGORY_WEIGHT_BRANCH.get(category_of[t], 0.5) if branch_like else 1.0 for t in titles]
        chosen = weighted_sample(rng, titles, title_weights, min(count, len(titles)))
        start = max(org.founded_on, dt.date(2016, 1, 1))
        # Document numbers run up through each year, so number in date order.
        dates = sorted(date_between(rng, start, figures.DEMO_TODAY) for _ in range(count))
        for i, effective in enumerate(dates):
            base = chosen[i % len(chosen)]
            if i >= len(chosen):
                title = f"{base}（{effective.year}年修订）"
            else:
                title = base + ("（试行）" if rng.random() < 0.25 else "")
            number = ""
            if org.doc_prefix:
                previous = sequence.get((key, effective.year)) or rng.randint(0, 12)
                sequence[key, effective.year] = previous + rng.randint(1, 6)  # other documents in between
                number = f"{org.doc_prefix}〔{effective.year}〕{sequence[key, effective.year]}号"
            repealed = effective.year <= 2021 and rng.random() < 0.12
            plan.rules.append(
                RuleSpec(
                    org=key,
                    title=title,
                    category=category_of[base],
                    number=number,
                    effective_on=effective,
                    status=RuleStatus.REPEALED if repealed else RuleStatus.EFFECTIVE,
                )
            )


def insert_rules(plan: OrgPlan, org_pks: Sequence[int]) -> None:
    from chelun.orgs.models import Rule

    Rule.objects.bulk_create(
        [
            Rule(
                organization_id=org_pks[r.org],
                title=r.title,
                category=r.category,
                number=r.number,
                effective_on=r.effective_on,
                status=r.status,
            )
            for r in plan.rules
        ],
        batch_size=1000,
    )

"""The demo organisation tree: planned in Python (pure, deterministic), then bulk-inserted.

The tree: 四川省交通运输行业党委 > one industry committee per prefecture (21) > one per county (183); under them the
party organisations built in the industry (freight companies, logistics parks, platforms: the published 522, counting
branches below company committees), the 531 grid-based mobile branches along the expressway corridors and a few
temporary branches on projects. The rules that hang on these organisations are planned afterwards (rules.py, called by
seed.py), so this module knows nothing of them. Counts are exact; where things go is weighted by freight activity (see
geography.py).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from chelun.demo import figures
from chelun.demo.draws import date_between, noisy, weighted_sample
from chelun.demo.geography import Division, Geography, allocate
from chelun.demo.names import company_trade_name
from chelun.demo.plans import OrgPlan, OrgSpec
from chelun.orgs.choices import OrgKind, OrgSector, OrgStatus

__all__ = [
    "MAX_JOINT_UNITS",
    "OrgPlan",
    "OrgSpec",
    "insert_organisations",
    "plan_organisations",
]

# party-work.md §2.3: a joint branch groups generally no more than 5 units.
MAX_JOINT_UNITS = 5

_ORDINALS = "一二三四五六七八九十"


def _ordinal(n: int) -> str:
    """1 -> 一 … 10 -> 十, 11 -> 十一 … 19 -> 十九, 20 -> 二十 … 99."""
    if n <= 10:
        return _ORDINALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _ORDINALS[tens - 1]) + "十" + (_ORDINALS[ones - 1] if ones else "")


# --------------------------------------------------------------------------------------------------------------
# Industry committees and their three standards
# --------------------------------------------------------------------------------------------------------------

_COMMITTEE_SUFFIX = "交通运输行业党委"
# Single-character abbreviations used in document numbers (广安 keeps two characters: 广 is 广元).
_PREFECTURE_ABBR = {
    "510100": "蓉", "510300": "自", "510400": "攀", "510500": "泸", "510600": "德", "510700": "绵", "510800": "广",
    "510900": "遂", "511000": "内", "511100": "乐", "511300": "南", "511400": "眉", "511500": "宜", "511600": "广安",
    "511700": "达", "511800": "雅", "511900": "巴", "512000": "资", "513200": "阿", "513300": "甘", "513400": "凉",
}  # fmt: skip


def _plan_committees(plan: OrgPlan, geo: Geography, rng: random.Random) -> None:
    ic, auth = OrgKind.INDUSTRY_COMMITTEE, OrgSector.AUTHORITY
    province = plan.add(
        name="四川省" + _COMMITTEE_SUFFIX,
        kind=ic,
        sector=auth,
        region_code=geo.province.code,
        parent=None,
        founded_on=dt.date(2019, 6, 28),
        unit_name="四川省交通运输厅",
        doc_prefix="川交党",
        # Staffing and personnel in place at province level; it counts in neither published figure.
        has_staffing_standard=True,
        has_personnel_standard=True,
    )
    plan.province = province.key
    for pref in geo.prefectures:
        spec = plan.add(
            name=pref.name + _COMMITTEE_SUFFIX,
            kind=ic,
            sector=auth,
            region_code=pref.code,
            parent=province.key,
            founded_on=date_between(rng, dt.date(2019, 9, 1), dt.date(2021, 6, 30)),
            unit_name=f"{pref.name}交通运输局",
            doc_prefix=_PREFECTURE_ABBR.get(pref.code, pref.short_name[:1]) + "交党",
        )
        plan.prefecture_committee[pref.code] = spec.key
    for county in geo.counties:
        parent = plan.orgs[plan.prefecture_committee[county.parent_code]]
        spec = plan.add(
            name=geo.display_name(county.code) + _COMMITTEE_SUFFIX,
            kind=ic,
            sector=auth,
            region_code=county.code,
            parent=parent.key,
            founded_on=date_between(rng, parent.founded_on + dt.timedelta(days=60), dt.date(2022, 12, 31)),
            unit_name=f"{geo.display_name(county.code)}交通运输局",
            doc_prefix=geo.labels[county.code] + "交党",
        )
        plan.county_committee[county.code] = spec.key


def _set_standards(plan: OrgPlan, geo: Geography, rng: random.Random) -> None:
    """All three standards for exactly the published 15 prefecture and 38 county committees (bigger places more
    likely); one or two of them for about half of the others, so "all three" differs from "any"."""
    names = ("has_staffing_standard", "has_personnel_standard", "has_funding_standard")
    pref_codes = [p.code for p in geo.prefectures]
    full_prefs = set(
        weighted_sample(
            rng,
            pref_codes,
            [
                sum(geo.freight_weight[c.code] for c in geo.counties if c.parent_code == code) ** 0.5
                for code in pref_codes
            ],
            figures.PREFECTURES_WITH_ALL_STANDARDS,
        )
    )
    county_codes = [c.code for c in geo.counties]
    full_counties = set(
        weighted_sample(
            rng,
            county_codes,
            [geo.freight_weight[c.code] ** 0.5 * (2.0 if c.parent_code in full_prefs else 1.0) for c in geo.counties],
            figures.COUNTIES_WITH_ALL_STANDARDS,
        )
    )
    for committee, codes, partial_share in (
        (plan.prefecture_committee, full_prefs, 0.6),
        (plan.county_committee, full_counties, 0.45),
    ):
        for code, key in committee.items():
            spec = plan.orgs[key]
            if code in codes:
                chosen: Sequence[str] = names
            elif rng.random() < partial_share:
                chosen = rng.sample(names, rng.randint(1, 2))
            else:
                chosen = ()
            for name in chosen:
                setattr(spec, name, True)


# --------------------------------------------------------------------------------------------------------------
# Party organisations built in the industry (522)
# --------------------------------------------------------------------------------------------------------------

_COMPANY_FORMS: tuple[tuple[str, float], ...] = (
    ("四川{t}物流有限公司", 3.0),
    ("{city}{t}物流有限公司", 3.0),
    ("{county}{t}运输有限公司", 3.0),
    ("{city}{t}汽车运输有限公司", 2.0),
    ("四川{t}供应链管理有限公司", 1.5),
    ("{county}{t}货运有限责任公司", 1.5),
    ("{city}{t}冷链物流有限公司", 1.0),
    ("四川{t}危险货物运输有限公司", 0.6),
    ("{city}{t}运业有限公司", 1.0),
)
_GROUP_FORMS = (
    "四川{t}物流集团有限公司",
    "四川{t}汽车运输集团有限公司",
    "{city}{t}交通运输集团有限公司",
    "四川省{t}运业集团有限公司",
)
_COMMITTEE_BRANCHES = (
    "第一车队",
    "第二车队",
    "第三车队",
    "机关",
    "驾驶员",
    "{county}分公司",
    "调度中心",
    "维修中心",
    "冷链事业部",
    "危货运输部",
)
_JOINT_FORMS = ("非公货运企业", "物流企业", "道路货运企业", "小微货运企业")
_PARK_FORMS = ("物流园区", "公路港", "商贸物流园", "冷链物流园", "综合物流园区", "现代物流园区")

# 蜀运通 (the state-owned online freight platform, DESIGN.md §1): a committee under the province committee.
_PLATFORM_NAME = "蜀运通"
_PLATFORM_BRANCHES = ("运营中心", "司机服务中心", "结算中心", "技术研发中心")


class _Namer:
    """Fresh company, park and joint-branch names for one plan (no two organisations share a name)."""

    def __init__(self, geo: Geography, rng: random.Random) -> None:
        self.geo, self.rng = geo, rng
        self.trades: set[str] = {_PLATFORM_NAME[:2]}
        self.names: set[str] = set()
        self._forms = [f for f, _ in _COMPANY_FORMS]
        self._form_weights = [w for _, w in _COMPANY_FORMS]

    def _fill(self, form: str, county: Division, trade: str) -> str:
        city = self.geo.by_code[county.parent_code].short_name
        return form.format(t=trade, city=city, county=self.geo.labels[county.code])

    def company(self, county: Division) -> tuple[str, str]:
        """(company name, trade name)."""
        trade = company_trade_name(self.rng, self.trades)
        form = self.rng.choices(self._forms, weights=self._form_weights)[0]
        return self._fill(form, county, trade), trade

    def group(self, county: Division) -> tuple[str, str]:
        trade = company_trade_name(self.rng, self.trades)
        return self._fill(self.rng.choice(_GROUP_FORMS), county, trade), trade

    def unique(self, base: str, suffix: str) -> str:
        """base + suffix, or base + 第N + suffix when that is taken (…联合党支部, then …第二联合党支部)."""
        name = base + suffix
        n = 1
        while name in self.names:
            n += 1
            name = f"{base}第{_ordinal(n)}{suffix}"
        self.names.add(name)
        return name


def _founded(rng: random.Random, parent: OrgSpec | None, start: dt.date = dt.date(2008, 1, 1)) -> dt.date:
    lower = max(start, parent.founded_on) if parent and parent.kind != OrgKind.INDUSTRY_COMMITTEE else start
    return date_between(rng, lower, dt.date(2024, 6, 30))


def _add_joint(
    plan: OrgPlan, namer: _Namer, rng: random.Random, county: Division, parent: OrgSpec, base: str, sector: str
) -> None:
    units: list[str] = []
    for _ in range(rng.randint(2, MAX_JOINT_UNITS)):
        name, _trade = namer.company(county)
        if len("、".join([*units, name])) > 128:
            break
        units.append(name)
    plan.add(
        name=namer.unique(base, "联合党支部"),
        kind=OrgKind.JOINT_BRANCH,
        sector=sector,
        region_code=county.code,
        parent=parent.key,
        founded_on=_founded(rng, parent, dt.date(2016, 1, 1)),
        unit_name="、".join(units),
        units=tuple(units),
    )


def _plan_platform(plan: OrgPlan, rng: random.Random) -> int:
    """蜀运通平台党委 and its branches, seated in 成都; returns how many organisations it adds."""
    region = "510100"
    company = f"四川{_PLATFORM_NAME}网络货运有限公司"
    committee = plan.add(
        name=f"{_PLATFORM_NAME}平台党委",
        kind=OrgKind.COMMITTEE,
        sector=OrgSector.PLATFORM,
        region_code=region,
        parent=plan.province,
        founded_on=dt.date(2020, 7, 1),
        unit_name=company,
        company=company,
        doc_prefix="蜀运通党",
    )
    for suffix in _PLATFORM_BRANCHES:
        plan.add(
            name=f"{_PLATFORM_NAME}平台{suffix}党支部",
            kind=OrgKind.BRANCH,
            sector=OrgSector.PLATFORM,
            region_code=region,
            parent=committee.key,
            founded_on=date_between(rng, committee.founded_on, dt.date(2023, 12, 31)),
            unit_name=company,
            company=company,
        )
    return 1 + len(_PLATFORM_BRANCHES)


def _plan_county_industry(
    plan: OrgPlan, geo: Geography, rng: random.Random, namer: _Namer, county: Division, slots: int, platform: bool
) -> None:
    """Exactly `slots` industry-built organisations in `county`."""
    county_committee = plan.orgs[plan.county_committee[county.code]]
    city_committee = plan.orgs[plan.prefecture_committee[county.parent_code]]
    label = geo.labels[county.code]
    if platform and slots:
        trade = company_trade_name(rng, namer.trades)
        company = f"四川{trade}网络货运有限公司"
        plan.add(
            name=f"{company}党支部",
            kind=OrgKind.BRANCH,
            sector=OrgSector.PLATFORM,
            region_code=county.code,
            parent=county_committee.key,
            founded_on=_founded(rng, None, dt.date(2019, 1, 1)),
            unit_name=company,
            company=company,
        )
        slots -= 1
    park = ""
    if slots >= 3 and rng.random() < 0.4:
        park = label + rng.choice(_PARK_FORMS)
        if slots >= 6 and rng.random() < 0.35:
            park_committee = plan.add(
                name=f"{park}党委",
                kind=OrgKind.COMMITTEE,
                sector=OrgSector.PARK,
                region_code=county.code,
                parent=county_committee.key,
                founded_on=_founded(rng, None, dt.date(2014, 1, 1)),
                unit_name=f"{park}运营管理有限公司",
                company=f"{park}运营管理有限公司",
                doc_prefix=f"{label}园党",
            )
            plan.add(
                name=f"{park}运营公司党支部",
                kind=OrgKind.BRANCH,
                sector=OrgSector.PARK,
                region_code=county.code,
                parent=park_committee.key,
                founded_on=_founded(rng, park_committee),
                unit_name=park_committee.unit_name,
                company=park_committee.unit_name,
            )
            slots -= 2
            for _ in range(min(slots - 1, rng.randint(1, 3))):
                _add_joint(plan, namer, rng, county, park_committee, park, OrgSector.PARK)
                slots -= 1
        else:
            for _ in range(rng.randint(1, 2)):
                _add_joint(plan, namer, rng, county, county_committee, park, OrgSector.PARK)
                slots -= 1
    while slots > 0:
        roll = rng.random()
        if slots >= 4 and roll < 0.12:
            # A company party committee (集团党委) with branches in its fleets and departments; some big groups
            # report to the city committee rather than the county one.
            company, trade = namer.group(county)
            parent = city_committee if rng.random() < 0.2 else county_committee
            committee = plan.add(
                name=f"{company}党委",
                kind=OrgKind.COMMITTEE,
                sector=OrgSector.COMPANY,
                region_code=county.code,
                parent=parent.key,
                founded_on=_founded(rng, None),
                unit_name=company,
                company=company,
                doc_prefix=f"{trade}党",
            )
            children = rng.randint(2, min(5, slots - 1))
            for suffix in rng.sample(_COMMITTEE_BRANCHES, children):
                suffix = suffix.format(county=label)
                plan.add(
                    name=namer.unique(company + suffix, "党支部"),
                    kind=OrgKind.BRANCH,
                    sector=OrgSector.COMPANY,
                    region_code=county.code,
                    parent=committee.key,
                    founded_on=_founded(rng, committee),
                    unit_name=company,
                    company=company,
                )
            slots -= 1 + children
        elif slots >= 3 and roll < 0.22:
            company, trade = namer.company(county)
            general = plan.add(
                name=f"{company}党总支",
                kind=OrgKind.GENERAL_BRANCH,
                sector=OrgSector.COMPANY,
                region_code=county.code,
                parent=county_committee.key,
                founded_on=_founded(rng, None),
                unit_name=company,
                company=company,
                doc_prefix=f"{trade}总支",
            )
            children = rng.randint(2, min(3, slots - 1))
            for n in range(1, children + 1):
                plan.add(
                    name=f"{company}第{_ordinal(n)}党支部",
                    kind=OrgKind.BRANCH,
                    sector=OrgSector.COMPANY,
                    region_code=county.code,
                    parent=general.key,
                    founded_on=_founded(rng, general),
                    unit_name=company,
                    company=company,
                )
            slots -= 1 + children
        elif roll < 0.36:
            _add_joint(plan, namer, rng, county, county_committee, label + rng.choice(_JOINT_FORMS), OrgSector.COMPANY)
            slots -= 1
        else:
            company, _trade = namer.company(county)
            plan.add(
                name=namer.unique(company, "党支部"),
                kind=OrgKind.BRANCH,
                sector=OrgSector.COMPANY,
                region_code=county.code,
                parent=county_committee.key,
                founded_on=_founded(rng, None),
                unit_name=company,
                company=company,
            )
            slots -= 1


def _plan_industry(plan: OrgPlan, geo: Geography, rng: random.Random) -> None:
    namer = _Namer(geo, rng)
    remaining = figures.INDUSTRY_BUILT_ORGANISATIONS - _plan_platform(plan, rng)
    weights = noisy(rng, [geo.freight_weight[c.code] for c in geo.counties])
    slots = allocate(remaining, weights)
    # A second-tier online freight platform in each of the four busiest counties.
    busiest = set(sorted(range(len(weights)), key=lambda i: -weights[i])[:4])
    for i, (county, n) in enumerate(zip(geo.counties, slots, strict=True)):
        _plan_county_industry(plan, geo, rng, namer, county, n, platform=i in busiest)


# --------------------------------------------------------------------------------------------------------------
# Grid-based mobile branches (531) and temporary branches
# --------------------------------------------------------------------------------------------------------------


def _plan_grid(plan: OrgPlan, geo: Geography, rng: random.Random) -> None:
    counts = allocate(figures.GRID_BRANCHES, noisy(rng, [geo.grid_weight[c.code] for c in geo.counties], 0.2))
    for county, n in zip(geo.counties, counts, strict=True):
        parent = plan.orgs[plan.county_committee[county.code]]
        routes = geo.routes_by_county[county.code]
        label = geo.labels[county.code]
        for i in range(n):
            if routes:
                route = routes[i % len(routes)]
                section = f"{route.ref}{route.name}{label}段"
                nth = i // len(routes) + 1
                name = f"{section}网格化流动党员党支部" if nth == 1 else f"{section}第{_ordinal(nth)}网格流动党员党支部"
            else:
                base = f"{geo.display_name(county.code)}货车司机流动党员"
                name = f"{base}党支部" if i == 0 else f"{base}第{_ordinal(i + 1)}党支部"
            plan.add(
                name=name,
                kind=OrgKind.GRID_BRANCH,
                sector=OrgSector.GRID,
                region_code=county.code,
                parent=parent.key,
                # After the 2022 MOT pilot mostly; a few counties started in 2021.
                founded_on=date_between(rng, dt.date(2021, 7, 1), dt.date(2024, 9, 30)),
            )


# (name, project, county code, founded, ends, dissolved)
_TEMPORARY_BRANCHES: tuple[tuple[str, str, str, dt.date, dt.date, bool], ...] = (
    (
        "乐西高速马边段建设物资运输临时党支部",
        "乐山至西昌高速公路（乐西高速）马边段建设物资运输保障",
        "511133",
        dt.date(2021, 9, 1),
        dt.date(2027, 12, 31),
        False,
    ),
    (
        "久马高速建设运输保障临时党支部",
        "久治至马尔康高速公路建设运输保障",
        "513201",
        dt.date(2022, 4, 1),
        dt.date(2027, 6, 30),
        False,
    ),
    (
        "康新高速建设物资运输临时党支部",
        "康定至新都桥高速公路建设物资运输",
        "513301",
        dt.date(2023, 3, 1),
        dt.date(2028, 12, 31),
        False,
    ),
    (
        "都香高速西昌至昭觉段运输保障临时党支部",
        "都香高速公路西昌至昭觉段建设运输保障",
        "513431",
        dt.date(2022, 6, 1),
        dt.date(2027, 12, 31),
        False,
    ),
    (
        "天府国际机场航空物流配套货运保障临时党支部",
        "成都天府国际机场航空物流园配套道路货运保障",
        "510185",
        dt.date(2024, 1, 10),
        dt.date(2027, 6, 30),
        False,
    ),
    (
        "成都国际铁路港冬春保供货运专班临时党支部",
        "成都国际铁路港2023—2024年冬春保供货运专班",
        "510113",
        dt.date(2023, 10, 1),
        dt.date(2024, 6, 30),
        True,  # the project ended: dissolved with it (party-work.md §2.3)
    ),
)


def _plan_temporary(plan: OrgPlan) -> None:
    assert len(_TEMPORARY_BRANCHES) == figures.TEMPORARY_BRANCHES
    for name, project, code, founded, ends, dissolved in _TEMPORARY_BRANCHES:
        plan.add(
            name=name,
            kind=OrgKind.TEMPORARY_BRANCH,
            sector=OrgSector.PROJECT,
            region_code=code,
            parent=plan.county_committee[code],
            founded_on=founded,
            project_name=project,
            ends_on=ends,
            status=OrgStatus.DISSOLVED if dissolved else OrgStatus.ACTIVE,
        )


def plan_organisations(geo: Geography, rng: random.Random) -> OrgPlan:
    """The whole demo tree, from the divisions alone. Same rng state -> same plan (and the same rng state after it,
    which chelun.demo.rules.plan_rules then draws the rules from)."""
    plan = OrgPlan()
    _plan_committees(plan, geo, rng)
    _set_standards(plan, geo, rng)
    _plan_industry(plan, geo, rng)
    _plan_grid(plan, geo, rng)
    _plan_temporary(plan)
    return plan


# --------------------------------------------------------------------------------------------------------------
# Inserting
# --------------------------------------------------------------------------------------------------------------


def insert_organisations(plan: OrgPlan, region_pks: dict[str, int]) -> list[int]:
    """Insert the planned organisations level by level (parents first) and give each its materialised path.
    Returns the primary key of each spec, indexed by key."""
    from chelun.orgs.models import Organization

    pks: list[int] = [0] * len(plan.orgs)
    paths: list[str] = [""] * len(plan.orgs)
    for depth in range(max(o.depth for o in plan.orgs) + 1):
        level = [o for o in plan.orgs if o.depth == depth]
        rows = [
            Organization(
                name=o.name,
                kind=o.kind,
                sector=o.sector,
                parent_id=pks[o.parent] if o.parent is not None else None,
                path="/pending/",
                depth=o.depth,
                region_id=region_pks[o.region_code],
                unit_name=o.unit_name,
                founded_on=o.founded_on,
                status=o.status,
                has_staffing_standard=o.has_staffing_standard,
                has_personnel_standard=o.has_personnel_standard,
                has_funding_standard=o.has_funding_standard,
                project_name=o.project_name,
                ends_on=o.ends_on,
            )
            for o in level
        ]
        Organization.objects.bulk_create(rows, batch_size=1000)
        for spec, row in zip(level, rows, strict=True):
            assert row.pk is not None
            pks[spec.key] = row.pk
            paths[spec.key] = f"{paths[spec.parent] if spec.parent is not None else '/'}{row.pk}/"
            row.path = paths[spec.key]
        Organization.objects.bulk_update(rows, ["path"], batch_size=500)
    return pks

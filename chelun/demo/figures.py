"""The published figures the demo Sichuan reproduces, each with where it comes from.

The dashboard never reads these constants: it counts rows. They drive ``seed_demo`` and its tests, which check that
the counts computed from the seeded rows equal them.

Sources: the published account of Sichuan's 车轮党建 as summarised in ../shared/DESIGN.md §1 and
../shared/reference/party-work.md §1 — rosevvi.cn/27759.html (an official article, republished),
chn-ic.com/content/index/32492826 (人民日报, republished) and huifeng08.com (成都商报, 2024-10-12). The reference notes
do not say which of the three articles gives which organisation figure; they are quoted there as one account.
"""

from __future__ import annotations

import datetime as dt

# Industry party committees (交通运输行业党委): one per prefecture-level and county-level division of the 2023 code
# list (国家统计局 2023; 18 地级市 + 3 自治州, 183 county-level units), see ../shared/data/sichuan/README.md.
PREFECTURE_COMMITTEES = 21
COUNTY_COMMITTEES = 183

# "522 party organisations" built in the industry (committees, general branches, branches, joint branches of freight
# companies, logistics parks and platforms): orgs.choices.INDUSTRY_BUILT_KINDS.
INDUSTRY_BUILT_ORGANISATIONS = 522

# "531 网格化流动党员党支部" (grid-based mobile party branches).
GRID_BRANCHES = 531

# "15 cities and 38 counties" have all three standards (机构编制、人员配备、经费保障) set for their industry committee.
PREFECTURES_WITH_ALL_STANDARDS = 15
COUNTIES_WITH_ALL_STANDARDS = 38

# "838 institutional rules" (制度).
RULES = 838

# Truck drivers: "近63万" (人民网-四川频道 2021-11-22, see reference/stations.md; 43万 in another report).
DRIVERS = 630_000

# "17,570 truck-driver members" organised under local party committees (party-work.md §1).
PARTY_MEMBER_DRIVERS = 17_570

# 暖心之家 open by October 2024 (成都商报 2024-10-12, party-work.md §1); one demo station operator each.
STATIONS_OCT_2024 = 26

# Not published: demo choices, kept beside the figures so they are named once.
TEMPORARY_BRANCHES = 6  # 临时党支部 on construction and supply projects
SHIPPERS = 30

# The demo's "today": the date of the 成都商报 report. Every seeded date is on or before it, except the planned end
# dates of temporary branches still running. Fixed, so the same seed gives the same rows whenever it runs.
DEMO_TODAY = dt.date(2024, 10, 12)

"""The demo 暖心之家 stations: the named Sichuan sites, their operators, history and money, and a synthetic set.

One module per concept: ``lines`` (the schematic roads), ``sites`` (the named sites and their planned rows),
``synthetic`` (the synthetic set), ``status`` (live status history), ``catch_up`` (that history continued to now
later), ``visits`` (check-ins), ``feedback``, ``funding``, ``registry`` (Station rows and operator logins into the
database), ``plans`` (the unsaved rows they share) and ``seed`` (the whole step).

Entry point: :func:`seed_stations`, called by ``manage.py seed_demo`` once the organisation tree exists (each named
site is run by its county's industry committee). Same rng state, scale and ``now`` -> same rows; nothing depends on
the clock except through ``now`` (auto ``created_at`` / ``updated_at`` columns aside).

**Counting.** A *site* is one place (金堂服务区). An expressway site is two Station rows, one per half (one per
carriageway, linked by ``pair``); a trunk-road site is one row. The 20 named sites are therefore 37 rows: 17
expressway sites x 2 halves + 3 trunk-road sites (小剑门 on G108, 喇叭河 and 新都桥 on G318). A site's *primary* half
is the one holding the 暖心之家 building: it has the site's class (A or B), the published capacity (金堂: 40 truck
spaces, 6 beds at 1 元), the check-ins that need a bed, the operating costs and the subsidies. The other half of an
A-class site is a B-class half (parking, shower, laundry … but no beds); ``halves_linked`` marks the sites where an
underpass lets drivers cross.

**Where.** Each named site sits on the schematic corridor line (chelun.stations.corridors: straight great-circle
pieces between the county towns a road passes), at a fixed distance from one of its towns, so along-corridor search
finds it within the 300 m expressway corridor; each half is 40 m to the right of its carriageway (China drives on the
right) and faces the corridor's bearing there (``bearing_deg``; the twin +180°). G108 and G318 are not in the
expressway data: their lines run through the county towns listed in ``TRUNK_ROADS``. The region is the county whose
town is nearest along the line. Names other than the reported ones (金堂, 西昌, 万源北, 喇叭河, 小剑门, 新都桥) are
demo placements at plausible service areas, not a claim that a 暖心之家 stands there.

**History** (named sites, both halves): ``HISTORY`` (8 weeks and 2 days) of operator counts every 30–60 min while
open, following an hour-of-week occupancy curve (full at night, emptiest early afternoon, lighter on Saturday night),
with the odd driver confirmation; the live fields come from the latest count, 5–20 min before ``now`` for most halves
and 70–240 min for ``STALE_HALVES`` of them (shown as "unknown"). Check-ins over the last 8 weeks: each visit uses
one or more services in the shares of a running rest station (``CHECKIN_SERVICE_WEIGHTS``: parking in 72 % of visits,
consultation in 4 %); feedback is mostly answered within 24 h, a few are open and a couple escalated.
Funding: monthly costs for the ``COST_MONTHS`` complete months before ``now`` and subsidies from the four sources, each
a balanced ledger transaction (chelun.core.ledger.ledger_post); most sites are above the 50 % target, 2–4 below.

**Staying alive** (``catch_up``): each named half gets a ``chelun.demo.models.DemoStation`` row, the demo's mark
with its occupancy profile. The periodic task ``chelun.demo.tasks.demo_status_catch_up`` and ``manage.py
seed_demo_catch_up`` (run by ``./dev run``) continue those halves' history from their latest report to now by the
same rules (``status.plan_continuation``), the stale halves staying as far behind as seeded; stations without the
mark, real ones, are never written to.

**Synthetic set** (``is_demo_synthetic=True``, for benchmarks and maps): ``SYNTHETIC_COUNTS[scale]`` open stations,
about half on the corridor lines (expressway halves in pairs), the rest scattered over western China (lon 97–110,
lat 24–35); in Sichuan they belong to the county they stand in, elsewhere to the province committee. Each has one
status report, most of them fresh; no other history.

**Logins.** ``zhanzhang`` runs both 金堂 halves; every other named site gets an operator ``op-<primary station id>``
(not printed). They get the demo password (chelun.demo.accounts.DEMO_PASSWORD) when ``demo_passwords`` is true (by
default: settings.DEBUG); otherwise they cannot log in with a password.
"""

from chelun.demo.stations.lines import TRUNK_ROADS, Line, site_line
from chelun.demo.stations.registry import OPERATOR_USERNAME
from chelun.demo.stations.seed import StationSeedResult, seed_stations
from chelun.demo.stations.sites import NAMED_SITES, SCENARIO_SITE, SiteSpec
from chelun.demo.stations.status import HISTORY, STALE_HALVES
from chelun.demo.stations.synthetic import SYNTHETIC_COUNTS
from chelun.demo.stations.visits import CHECKIN_SERVICE_WEIGHTS

__all__ = [
    "CHECKIN_SERVICE_WEIGHTS",
    "HISTORY",
    "NAMED_SITES",
    "OPERATOR_USERNAME",
    "SCENARIO_SITE",
    "STALE_HALVES",
    "SYNTHETIC_COUNTS",
    "TRUNK_ROADS",
    "Line",
    "SiteSpec",
    "StationSeedResult",
    "seed_stations",
    "site_line",
]

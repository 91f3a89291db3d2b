"""The demo 暖心之家 stations, checked from the rows seed_stations writes.

Counting (see chelun.demo.stations): 20 named *sites*; an expressway site is two Station rows (one per half, linked by
`pair`), a trunk-road site one row, so 17 x 2 + 3 = 37 named rows. The tiny scale adds 20 synthetic rows.

The organisation tree (the real demo plan) and the stations are seeded once for the module inside a transaction that
is rolled back afterwards; each test runs in a savepoint inside it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum

from chelun.accounts.models import User
from chelun.core.models import LedgerEntry, LedgerTransaction, Region
from chelun.core.regions import regions_load
from chelun.demo.accounts import DEMO_PASSWORD
from chelun.demo.geography import allocate, load_divisions
from chelun.demo.orgs import insert_organisations, plan_organisations
from chelun.demo.stations import (
    CHECKIN_SERVICE_WEIGHTS,
    NAMED_SITES,
    OPERATOR_USERNAME,
    STALE_HALVES,
    SYNTHETIC_COUNTS,
    seed_stations,
    site_line,
)
from chelun.orgs.choices import OrgKind
from chelun.orgs.tests.factories import superuser
from chelun.stations import routing, selectors
from chelun.stations.choices import (
    FREE_BY_STANDARD,
    Amenity,
    CheckInService,
    FeedbackStatus,
    FundingSource,
    StationClass,
    StationKind,
    StatusSource,
)
from chelun.stations.models import (
    CheckIn,
    CostReport,
    Feedback,
    Station,
    StationPrice,
    StatusReport,
    SubsidyContribution,
)
from chelun.stations.selectors import StationFilter

NOW = dt.datetime(2026, 11, 23, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday morning
SEED = 20241012
# The grading rule, restated here rather than called: each of lighting, CCTV, fence and guards adds one step.
GRADE_BY_MEASURES = {0: "none", 1: "bronze", 2: "silver", 3: "gold", 4: "platinum"}


def _seed_tree() -> None:
    if not Region.objects.filter(level="county").exists():
        regions_load()
    plan = plan_organisations(load_divisions(settings.SHARED_DATA_DIR / "expressways.json"), random.Random(1))
    insert_organisations(plan, dict(Region.objects.values_list("code", "pk")))


def _fingerprint() -> list[tuple[str, float, float, str]]:
    return list(Station.objects.order_by("name", "lon").values_list("name", "lon", "lat", "contact_name"))


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        _seed_tree()
        result = seed_stations(rng=random.Random(SEED), scale="tiny", now=NOW, demo_passwords=True)
        yield result
        transaction.set_rollback(True)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]


def named():
    return Station.objects.filter(is_demo_synthetic=False)


def site_name(station: Station) -> str:
    return station.name.split("（")[0]


def jintang_primary() -> Station:
    return named().get(name__startswith="金堂", beds__gt=0)


# ---- the registry ----------------------------------------------------------------------------------------------


def test_twenty_named_sites_are_37_rows_and_the_synthetic_set_is_flagged(seeded):
    rows = list(named())
    halves = [s for s in rows if s.kind == StationKind.EXPRESSWAY]
    single = [s for s in rows if s.kind != StationKind.EXPRESSWAY]
    assert (len(halves), len(single), len(rows)) == (34, 3, 37)
    assert len({site_name(s) for s in rows}) == 20 == len(NAMED_SITES) == seeded.named_sites
    assert {site_name(s) for s in single} == {"小剑门暖心之家", "喇叭河暖心之家", "新都桥暖心之家"}
    assert {s.corridor_ref for s in single} == {"G108", "G318"}
    assert Station.objects.filter(is_demo_synthetic=True).count() == SYNTHETIC_COUNTS["tiny"] == 20
    assert set(Station.objects.values_list("status", flat=True)) == {"open"}


def test_jintang_has_the_published_figures_and_zhanzhang_runs_both_halves():
    station = jintang_primary()
    assert (station.station_class, station.truck_spaces, station.beds, station.open_24h) == ("A", 40, 6, True)
    prices = {p.service: (p.price_fen, p.unit) for p in station.prices.all()}
    assert prices[Amenity.BEDS] == (100, "晚")
    assert prices[Amenity.HOT_MEAL] == (1000, "份")
    assert station.security_grade == "platinum"
    assert station.region.code == "510121"
    assert (station.organization.kind, station.organization.region_id) == (
        OrgKind.INDUSTRY_COMMITTEE,
        station.region_id,
    )
    zhanzhang = User.objects.get(username=OPERATOR_USERNAME)
    assert sorted(zhanzhang.operated_stations.values_list("name", flat=True)) == sorted(
        named().filter(name__startswith="金堂").values_list("name", flat=True)
    )
    assert zhanzhang.check_password(DEMO_PASSWORD)
    assert station.pair.halves_linked and station.halves_linked


def test_every_named_station_has_one_operator_who_runs_the_whole_site():
    assert set(named().annotate(n=Count("operators")).values_list("n", flat=True)) == {1}
    others = User.objects.filter(username__startswith="op-")
    assert others.count() == 19
    for user in others:
        primary = Station.objects.select_related("pair").get(pk=int(user.username.removeprefix("op-")))
        assert set(user.operated_stations.all()) == {primary, *([primary.pair] if primary.pair else [])}
        assert user.first_name == primary.contact_name


def test_every_expressway_half_has_a_twin_facing_the_other_way():
    halves = Station.objects.filter(kind=StationKind.EXPRESSWAY).select_related("pair")
    assert halves.filter(is_demo_synthetic=False).count() == 34
    for half in halves:
        twin = half.pair
        assert twin is not None and twin.pair_id == half.pk, half.name
        gap = (half.bearing_deg - twin.bearing_deg) % 360.0
        assert abs(gap - 180.0) <= 1.0, half.name
        assert half.is_demo_synthetic or (half.carriageway and twin.carriageway != half.carriageway), half.name


def test_named_stations_sit_on_their_corridor_line_in_the_county_nearest_along_it():
    lines: dict[str, routing.Route] = {}
    for station in named().select_related("region", "organization"):
        line = site_line(station.corridor_ref)
        route = lines.setdefault(station.corridor_ref, routing.Route.build(line.points))
        where = routing.locate(route, station.lon, station.lat)
        assert where.offset_m <= 300.0, station.name
        assert station.region.code == line.nearest_county(where.km), station.name
        assert station.organization.kind == OrgKind.INDUSTRY_COMMITTEE
        assert station.organization.region_id == station.region_id
        if station.kind == StationKind.EXPRESSWAY:  # faces its carriageway: the corridor's bearing there, or +180°
            gap = (station.bearing_deg - float(route.bearing_deg[where.segment])) % 360.0
            assert min(gap, 360.0 - gap) <= 1.0 or abs(gap - 180.0) <= 1.0, station.name
    region_of = {site_name(s): s.region.code for s in named().select_related("region")}
    expected = {
        "金堂服务区暖心之家": "510121",
        "石棉服务区暖心之家": "511824",
        "西昌服务区暖心之家": "513401",
        "新都桥暖心之家": "513301",
        "小剑门暖心之家": "510823",
    }
    assert {name: region_of[name] for name in expected} == expected


def test_classes_amenities_and_security_grades_are_consistent():
    for station in Station.objects.prefetch_related("amenities"):
        have = {a.amenity for a in station.amenities.all()}
        assert {Amenity.TRUCK_PARKING, Amenity.SHOWER, Amenity.LAUNDRY, Amenity.HOT_WATER} <= have, station.name
        if station.station_class == StationClass.A:
            assert {Amenity.KITCHEN, Amenity.BEDS, Amenity.READING_ROOM, Amenity.REPAIR} <= have, station.name
            assert station.beds > 0
        else:
            assert Amenity.BEDS not in have and station.beds == 0, station.name
        measures = [station.lighting, station.cctv, station.fence, station.guards].count(True)
        assert station.security_grade == GRADE_BY_MEASURES[measures], station.name


def test_the_five_basic_services_are_never_priced():
    basic = StationPrice.objects.filter(service__in=FREE_BY_STANDARD)
    assert basic.filter(station__is_demo_synthetic=False).count() == 37 * 5
    assert basic.exclude(price_fen=0).count() == 0
    assert basic.filter(free_by_standard=False).count() == 0
    assert StationPrice.objects.exclude(service__in=FREE_BY_STANDARD).filter(free_by_standard=True).count() == 0
    assert StationPrice.objects.filter(service=Amenity.HOT_MEAL, price_fen__gt=0).count() > 0


# ---- the browser scenario and the forecast ----------------------------------------------------------------------


def test_g5_rest_window_south_of_chengdu_finds_a_fresh_shower():
    query = selectors.corridor_route_query(
        corridor="G5",
        from_code="510100",
        to_code="513401",
        min_hours_ahead=3,
        max_hours_ahead=4,
        filters=StationFilter(amenities=(Amenity.SHOWER,)),
    )
    results = selectors.station_search_along_route(query=query, now=NOW)
    fresh = [r for r in results if r.live.fresh and r.live.state in ("available", "limited")]
    assert fresh, [(r.station.name, r.live.state) for r in results]
    shimian = next(r for r in results if r.station.name.startswith("石棉服务区暖心之家"))
    assert Station.objects.get(pk=shimian.station.pk).carriageway == "往西昌方向"
    assert 210 <= shimian.km_ahead <= 280
    assert shimian.station.open_24h and shimian.live.fresh and shimian.live.source == "站长"
    # The other half serves drivers heading north: never offered on the way south.
    carriageways = dict(Station.objects.filter(pk__in=[r.station.pk for r in results]).values_list("pk", "carriageway"))
    assert "往雅安方向" not in carriageways.values()


def test_named_stations_have_confident_forecasts_from_eight_weeks_of_counts():
    station = jintang_primary()
    reports = StatusReport.objects.filter(station=station)
    oldest = reports.order_by("observed_at").first()
    assert oldest is not None and NOW - oldest.observed_at >= dt.timedelta(weeks=8)
    for at in (NOW, NOW + dt.timedelta(hours=14)):
        forecast = selectors.station_forecast(station, at=at)
        assert forecast is not None and forecast.confidence > 0.5, at
    night = selectors.station_forecast(station, at=NOW.replace(hour=2))
    midday = selectors.station_forecast(station, at=NOW.replace(hour=13))
    assert night is not None and midday is not None
    assert night.expected_free_fraction < midday.expected_free_fraction  # fuller at night


def test_live_status_follows_the_latest_report_and_a_few_are_unknown():
    states = Counter()
    for station in named():
        latest = StatusReport.objects.filter(station=station).order_by("-observed_at", "-id").first()
        assert latest is not None and latest.source == StatusSource.OPERATOR
        assert (station.live_free_spaces, station.live_observed_at) == (latest.free_spaces, latest.observed_at)
        states[selectors.station_live_status(station, now=NOW).state] += 1
    assert states["unknown"] == STALE_HALVES
    assert states["available"] + states["limited"] + states["full"] == 37 - STALE_HALVES
    ages = [
        (NOW - s.live_observed_at).total_seconds() / 60
        for s in named()
        if selectors.station_live_status(s, now=NOW).fresh
    ]
    assert min(ages) >= 5 and max(ages) <= 20


# ---- check-ins, feedback, funding --------------------------------------------------------------------------------


def test_checkins_use_services_in_plausible_proportions_at_jintang():
    total = CheckIn.objects.filter(station__is_demo_synthetic=False).count()
    assert 300 <= total <= 5000
    jintang = Counter(
        s
        for services in CheckIn.objects.filter(station__name__startswith="金堂").values_list("services", flat=True)
        for s in services
    )
    uses = sum(jintang.values())
    assert dict(jintang) == dict(
        zip(CHECKIN_SERVICE_WEIGHTS, allocate(uses, list(CHECKIN_SERVICE_WEIGHTS.values())), strict=True)
    )
    # A truck rest station is used above all for parking and hot water; a consultation is rare (issue 10, point 9).
    assert (
        jintang[CheckInService.PARKING]
        > jintang[CheckInService.HOT_WATER]
        > jintang[CheckInService.MEAL]
        > jintang[CheckInService.SHOWER]
        > jintang[CheckInService.CONSULTATION]
    )
    assert not CheckIn.objects.filter(created_at__gt=NOW).exists()
    # Beds only where there are beds.
    assert CheckInService.BED not in {
        s for used in CheckIn.objects.filter(station__beds=0).values_list("services", flat=True) for s in used
    }


def test_feedback_is_mostly_answered_within_a_day_a_few_open_two_escalated():
    feedback = Feedback.objects.all()
    by_status = Counter(feedback.values_list("status", flat=True))
    assert by_status[FeedbackStatus.OPEN] == 4
    assert by_status[FeedbackStatus.ESCALATED] == 2
    assert feedback.filter(escalated_at__isnull=False).count() == 3  # one escalated, then answered late
    assert not feedback.filter(status=FeedbackStatus.OPEN, reply_due_at__lte=NOW).exists()  # nothing overdue left
    answered = [f for f in feedback if f.replied_at is not None]
    on_time = [f for f in answered if f.replied_at <= f.reply_due_at]
    assert len(on_time) / len(feedback) >= 0.9
    assert all(f.replied_by is not None and f.reply for f in answered)
    assert all(f.replied_at <= NOW and f.created_at <= NOW for f in feedback if f.replied_at)


def test_every_subsidy_is_a_balanced_ledger_transaction():
    subsidies = SubsidyContribution.objects.select_related("transaction", "station")
    assert subsidies.count() == 20 * 6 * 4
    for subsidy in subsidies:
        entries = sorted(
            LedgerEntry.objects.filter(transaction=subsidy.transaction).values_list("account", "amount_fen")
        )
        assert entries == sorted(
            [(f"funding:{subsidy.source}", -subsidy.amount_fen), (f"station:{subsidy.station_id}", subsidy.amount_fen)]
        )
    assert LedgerEntry.objects.aggregate(total=Sum("amount_fen"))["total"] == 0
    keys = set(LedgerTransaction.objects.values_list("idempotency_key", flat=True))
    assert "subsidy:demo:jintang:2026-10:finance" in keys and len(keys) == 480
    assert set(subsidies.values_list("source", flat=True)) == set(FundingSource.values)


def test_funding_flags_two_to_four_stations_below_half_and_costs_are_tens_of_thousands():
    months = sorted(set(CostReport.objects.values_list("month", flat=True)))
    assert months == [dt.date(2026, m, 1) for m in range(5, 11)]
    report = selectors.funding_report(actor=superuser(), start=months[0], end=months[-1])
    funded = [row for row in report.stations if row.cost_fen]
    assert len(funded) == 20
    assert 2 <= sum(row.below_target for row in funded) <= 4
    monthly = CostReport.objects.values("station", "month").annotate(total=Sum("amount_fen"))
    assert all(1_000_000 <= m["total"] <= 10_000_000 for m in monthly)  # 1万–10万 元 a month


# ---- determinism -------------------------------------------------------------------------------------------------


def _wipe_stations() -> None:
    SubsidyContribution.objects.all().delete()
    LedgerEntry.objects.all().delete()
    LedgerTransaction.objects.all().delete()
    Station.objects.all().delete()
    User.objects.filter(username__startswith="op-").delete()
    User.objects.filter(username=OPERATOR_USERNAME).delete()
    selectors.search_catalog.clear()


def test_the_same_seed_gives_the_same_stations():
    first = _fingerprint()
    with transaction.atomic():
        _wipe_stations()
        seed_stations(rng=random.Random(SEED), scale="tiny", now=NOW, demo_passwords=True)
        again = _fingerprint()
        transaction.set_rollback(True)
    selectors.search_catalog.clear()
    assert len(first) == 37 + 20
    assert again == first


def test_a_second_run_is_refused_and_bad_input_is_rejected():
    with pytest.raises(RuntimeError):
        seed_stations(rng=random.Random(SEED), scale="tiny", now=NOW)
    with pytest.raises(ValueError):
        seed_stations(rng=random.Random(SEED), scale="huge", now=NOW)
    with pytest.raises(ValueError):
        seed_stations(rng=random.Random(SEED), scale="tiny", now=NOW.replace(tzinfo=None))

import datetime as dt

import pytest

from chelun.core.errors import ApplicationError, Forbidden, NotFound, ValidationFailed
from chelun.core.ledger import account_balance
from chelun.orgs.tests.factories import make_user
from chelun.stations import selectors, services
from chelun.stations.choices import FeedbackStatus, SpaceLevel, StationStatus
from chelun.stations.models import CheckIn, Feedback, Station, StationPrice, StatusReport
from chelun.stations.tests.factories import at, make_station


@pytest.fixture
def station(tree):
    operator = make_user("op-wuhou")
    return make_station(org=tree.wuhou_branch, operators=[operator])


@pytest.fixture
def operator(station):
    return station.operators.get()


def test_operator_sets_status_and_it_shows_fresh_with_age_and_source(station, operator):
    services.station_status_set(actor=operator, station=station, is_open=True, free_spaces=12, at=at(10, 0))
    station.refresh_from_db()
    live = selectors.station_live_status(station, now=at(10, 25))
    assert (live.state, live.free_spaces, live.age_minutes, live.source) == ("available", 12, 25, "站长")


def test_status_older_than_an_hour_is_unknown_never_available(station, operator):
    services.station_status_set(actor=operator, station=station, is_open=True, free_spaces=12, at=at(10, 0))
    station.refresh_from_db()
    live = selectors.station_live_status(station, now=at(11, 1))
    assert live.state == "unknown"
    assert live.free_spaces is None
    assert "最后已知：空余 12 个" in live.label


@pytest.mark.parametrize(("free", "code"), [(-1, "free_spaces_negative"), (41, "free_spaces_above_capacity")])
def test_bad_space_counts_are_refused_and_write_nothing(station, operator, free, code):
    with pytest.raises(ValidationFailed) as err:
        services.station_status_set(actor=operator, station=station, is_open=True, free_spaces=free)
    assert err.value.code == code
    assert StatusReport.objects.count() == 0
    assert Station.objects.get(pk=station.pk).live_observed_at is None


def test_operator_of_another_station_cannot_set_status(tree, station):
    other_operator = make_user("op-jinjiang")
    make_station(org=tree.jinjiang_branch, name="锦江站", operators=[other_operator])
    with pytest.raises(NotFound):
        services.station_status_set(actor=other_operator, station=station, is_open=False, free_spaces=0)
    viewer = make_user("viewer-wuhou", org=tree.wuhou, role="viewer")
    with pytest.raises(Forbidden):
        services.station_status_set(actor=viewer, station=station, is_open=False, free_spaces=0)
    assert StatusReport.objects.count() == 0


def test_driver_full_confirmations_override_a_fresh_count_only_by_independent_agreement(station, operator):
    # Issue 10.3: one anonymous tap used to replace the operator's count for everyone.
    services.station_status_set(actor=operator, station=station, is_open=True, free_spaces=12, at=at(10, 0))
    station.refresh_from_db()
    services.station_status_confirm(
        actor=None, station=station, level=SpaceLevel.FULL, at=at(10, 30), visitor_key="device:a"
    )
    station.refresh_from_db()
    live = selectors.station_live_status(station, now=at(10, 40))
    assert (live.free_spaces, live.source, live.age_minutes) == (12, "站长", 40)
    # The same phone again, and a second phone: still below the agreement weight (3).
    for key, minute in (("device:a", 35), ("device:b", 36)):
        services.station_status_confirm(
            actor=None, station=station, level=SpaceLevel.FULL, at=at(10, minute), visitor_key=key
        )
    station.refresh_from_db()
    assert (station.live_free_spaces, station.live_source) == (12, "operator")
    verdict = selectors.station_trust(station.pk, now=at(10, 40))
    assert (verdict.source, verdict.drivers.line) == ("operator", "2 位司机 5 分钟内反馈：已满")  # type: ignore[union-attr]
    # A third phone agrees: the drivers take the headline, marked as theirs.
    services.station_status_confirm(
        actor=None, station=station, level=SpaceLevel.FULL, at=at(10, 37), visitor_key="device:c"
    )
    station.refresh_from_db()
    live = selectors.station_live_status(station, now=at(10, 40))
    assert (live.state, live.free_spaces, live.source, live.age_minutes) == ("full", 0, "司机反馈", 3)


def test_checkin_twice_within_minutes_counts_once_and_merges_services(station, operator):
    first, created = services.checkin_record(station=station, user=operator, services=["shower"], at=at(9, 0))
    again, created_again = services.checkin_record(station=station, user=operator, services=["laundry"], at=at(9, 5))
    _later, created_later = services.checkin_record(station=station, user=operator, services=["meal"], at=at(9, 30))
    assert (created, created_again, created_later) == (True, False, True)
    assert again.pk == first.pk
    assert CheckIn.objects.get(pk=first.pk).services == ["shower", "laundry"]
    assert CheckIn.objects.count() == 2


def test_anonymous_checkins_are_told_apart_by_device(station):
    services.checkin_record(station=station, user=None, device_id="phone-a", services=["parking"], at=at(9, 0))
    services.checkin_record(station=station, user=None, device_id="phone-b", services=["parking"], at=at(9, 1))
    with pytest.raises(ApplicationError):
        services.checkin_record(station=station, user=None, device_id="", services=["parking"], at=at(9, 2))
    assert CheckIn.objects.count() == 2


def test_checkin_refuses_unknown_services_and_closed_stations(station, operator):
    with pytest.raises(ValidationFailed):
        services.checkin_record(station=station, user=operator, services=["sauna"])
    Station.objects.filter(pk=station.pk).update(status=StationStatus.SUSPENDED)
    station.refresh_from_db()
    with pytest.raises(ApplicationError):
        services.checkin_record(station=station, user=operator, services=["shower"])
    assert CheckIn.objects.count() == 0


def test_free_services_cannot_be_priced(station, operator):
    with pytest.raises(ValidationFailed) as err:
        services.station_prices_set(actor=operator, station=station, prices={"shower": 500})
    assert err.value.code == "free_service_priced"
    services.station_prices_set(actor=operator, station=station, prices={"beds": 100, "shower": 0})
    prices = dict(StationPrice.objects.filter(station=station).values_list("service", "price_fen"))
    assert prices == {"beds": 100, "shower": 0}
    assert StationPrice.objects.get(station=station, service="shower").free_by_standard is True


def test_unknown_amenity_is_refused(tree):
    with pytest.raises(ValidationFailed) as err:
        make_station(org=tree.wuhou_branch, amenities=["helipad"])
    assert err.value.code == "unknown_amenity"
    assert Station.objects.count() == 0


def test_point_outside_china_is_refused(tree):
    with pytest.raises(ValidationFailed):
        make_station(org=tree.wuhou_branch, lon=2.35, lat=48.85)
    assert Station.objects.count() == 0


def test_feedback_unanswered_escalates_after_24h_and_reply_closes_the_loop(station, operator):
    feedback = services.feedback_create(
        station=station, user=None, rating=2, issues=["charged_free"], text="洗澡收了10元", at=at(8, 0)
    )
    assert services.feedback_escalate_overdue(now=at(8, 0, day=24) - dt.timedelta(minutes=1)) == 0
    assert services.feedback_escalate_overdue(now=at(8, 0, day=24)) == 1
    assert services.feedback_escalate_overdue(now=at(9, 0, day=24)) == 0  # idempotent
    feedback.refresh_from_db()
    assert feedback.status == FeedbackStatus.ESCALATED
    services.feedback_reply(actor=operator, feedback=feedback, reply="已退款并批评教育", at=at(10, 0, day=24))
    feedback.refresh_from_db()
    assert (feedback.status, feedback.reply) == (FeedbackStatus.ANSWERED, "已退款并批评教育")


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"rating": 0}, "rating_invalid"),
        ({"rating": 6}, "rating_invalid"),
        ({"rating": 3, "issues": ["aliens"]}, "unknown_issue"),
        ({"rating": 3, "issues": ["other"]}, "text_required"),
    ],
)
def test_bad_feedback_is_refused(station, kwargs, code):
    with pytest.raises(ValidationFailed) as err:
        services.feedback_create(station=station, user=None, **kwargs)
    assert err.value.code == code
    assert Feedback.objects.count() == 0


def test_subsidy_posts_balanced_ledger_once_and_report_gives_ratio(tree, station):
    month = dt.date(2026, 10, 1)
    services.cost_report_set(
        actor=tree.province_admin, station=station, month=month, amounts_fen={"staff": 600_000, "utilities": 200_000}
    )
    for source, amount in [("finance", 200_000), ("party_fees", 100_000), ("union", 50_000), ("road_fee", 30_000)]:
        services.subsidy_record(
            actor=tree.province_admin,
            station=station,
            month=month,
            source=source,
            amount_fen=amount,
            idempotency_key=f"{source}-10",
        )
    services.subsidy_record(
        actor=tree.province_admin,
        station=station,
        month=month,
        source="finance",
        amount_fen=200_000,
        idempotency_key="finance-10",
    )
    assert account_balance(f"station:{station.pk}") == 380_000
    assert account_balance("funding:finance") == -200_000
    report = selectors.funding_report(actor=tree.province_admin, start=month, end=dt.date(2026, 10, 31))
    row = next(r for r in report.stations if r.key == str(station.pk))
    assert (row.cost_fen, row.subsidy_fen, row.ratio, row.below_target) == (800_000, 380_000, 0.475, True)
    assert report.total.subsidy_fen == 380_000
    sibling = selectors.funding_report(actor=tree.jinjiang_admin, start=month, end=dt.date(2026, 10, 31))
    assert [r.key for r in sibling.stations] == []


def test_subsidy_needs_funding_rights(tree, station):
    with pytest.raises(Forbidden):
        services.subsidy_record(
            actor=tree.jinjiang_admin,
            station=station,
            month=dt.date(2026, 10, 1),
            source="finance",
            amount_fen=1,
            idempotency_key="x",
        )


def test_operator_cannot_move_or_reclassify_their_station_but_admin_can(tree, station, operator):
    with pytest.raises(Forbidden) as err:
        services.station_update(actor=operator, station=station, expected_version=station.version, lon=104.5)
    assert err.value.code == "operator_field_reserved"
    with pytest.raises(Forbidden):
        services.station_update(actor=operator, station=station, expected_version=station.version, status="planned")
    services.station_update(actor=operator, station=station, expected_version=station.version, beds=8)
    station.refresh_from_db()
    assert (station.lon, station.beds, station.status) == (104.0, 8, StationStatus.OPEN)
    services.station_update(actor=tree.wuhou_admin, station=station, expected_version=station.version, lon=104.5)
    station.refresh_from_db()
    assert station.lon == 104.5

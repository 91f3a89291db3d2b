"""Appeals' use cases: submit, route, the steps, escalation, and every refusal leaving nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest

from chelun.appeals import services
from chelun.appeals.choices import AppealAction, AppealStatus, RouteTarget
from chelun.appeals.models import Appeal, AppealEvent, AppealPhoto, RoutingRule
from chelun.appeals.sla import BEIJING
from chelun.appeals.tests.factories import category, driver_user, monday, png, submit
from chelun.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from chelun.core.models import Region
from chelun.orgs.choices import Role
from chelun.orgs.tests.factories import make_user
from chelun.stations.tests.factories import make_station


@pytest.fixture
def driver(tree):
    return driver_user("driver-1", org=tree.wuhou_branch)


def test_unpaid_freight_in_wuhou_lands_with_the_wuhou_committee_with_working_day_deadlines(tree, driver):
    appeal = submit(driver)
    assert appeal.owner == tree.wuhou
    assert appeal.owner_path == tree.wuhou.path
    assert appeal.status == AppealStatus.SUBMITTED
    # Mon 11-23: acknowledge by end of Tue 11-24, resolve (10 working days) by end of Mon 12-07.
    assert appeal.ack_due_at == dt.datetime(2026, 11, 25, 0, 0, tzinfo=BEIJING)
    assert appeal.resolve_due_at == dt.datetime(2026, 12, 8, 0, 0, tzinfo=BEIJING)
    event = appeal.events.get()
    assert (event.action, event.actor, event.to_status) == (AppealAction.SUBMIT, driver, AppealStatus.SUBMITTED)
    assert event.text == "司机所在地的县级行业党委"


def test_without_a_region_the_drivers_home_region_routes_it(tree, driver):
    appeal = submit(driver, region_code=None)
    assert appeal.region == Region.objects.get(code="510107")
    assert appeal.owner == tree.wuhou


def test_a_phone_position_routes_to_the_nearest_county(tree, driver):
    jinjiang = Region.objects.get(code="510104")
    appeal = submit(driver, code="enforcement", region_code=None, lon=jinjiang.lon, lat=jinjiang.lat)
    assert appeal.region == jinjiang
    assert appeal.owner == tree.jinjiang


def test_a_county_without_a_committee_goes_to_its_prefecture(tree, driver):
    appeal = submit(driver, region_code="510108")  # 成华区: no committee in the test tree
    assert appeal.owner == tree.chengdu


def test_a_station_complaint_goes_to_the_stations_operating_organisation(tree, driver):
    station = make_station(org=tree.fucheng_branch)
    appeal = submit(driver, code="station_complaint", station_id=station.pk, description="免费热水被收费")
    assert appeal.owner == tree.fucheng_branch
    assert appeal.events.get().text == "所涉暖心之家「测试暖心之家」的运营组织"


def test_a_fixed_rule_for_a_region_beats_the_default(tree, driver):
    RoutingRule.objects.create(
        category=category("legal"),
        region=Region.objects.get(code="510100"),
        target=RouteTarget.FIXED_ORG,
        organization=tree.chengdu,
        priority=50,
    )
    assert submit(driver, code="legal").owner == tree.chengdu
    assert submit(driver, code="hardship").owner == tree.wuhou


@pytest.mark.parametrize(
    ("kw", "field", "code"),
    [
        ({"code": "enforcement", "region_code": None}, "place", "place_required"),
        ({"code": "station_complaint"}, "station", "station_required"),
        ({"description": "   "}, "description", "description_required"),
        ({"lon": 104.0}, "place", "place_incomplete"),
        ({"photos": [png(size=5 * 1024 * 1024 + 1)]}, "photos", "photo_too_large"),
        ({"photos": [png(head=b"GIF89a" + b"\x00" * 10)]}, "photos", "photo_type_refused"),
        ({"photos": [png(), png(), png(), png()]}, "photos", "too_many_photos"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_written(tree, driver, kw, field, code):
    # A category that needs a place is refused without one even though the driver has a home region.
    with pytest.raises(ValidationFailed) as exc:
        submit(driver, **kw)
    assert exc.value.code == code
    assert list(exc.value.extra["fields"]) == [field]
    assert Appeal.objects.count() == 0
    assert AppealEvent.objects.count() == 0
    assert AppealPhoto.objects.count() == 0


def test_a_good_photo_is_stored_with_the_detected_extension(tree, driver, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    appeal = submit(driver, photos=[png()])
    photo = appeal.photos.get()
    assert photo.image.name.endswith(".png") and photo.size == 72


def test_the_whole_path_submit_accept_start_resolve_confirm_close(tree, driver):
    appeal = submit(driver)
    services.appeal_accept(actor=tree.wuhou_admin, appeal_id=appeal.pk, at=monday(11))
    services.appeal_start(actor=tree.wuhou_admin, appeal_id=appeal.pk, at=monday(12))
    services.appeal_resolve(
        actor=tree.wuhou_admin,
        appeal_id=appeal.pk,
        resolution="协调货主付清",
        money_recovered_fen=800_000,
        at=monday(15),
    )
    services.appeal_confirm(actor=driver, appeal_id=appeal.pk, rating=5, comment="谢谢", at=monday(16))
    services.appeal_close(actor=tree.wuhou_admin, appeal_id=appeal.pk, at=monday(17))
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.CLOSED
    assert (appeal.rating, appeal.money_recovered_fen, appeal.version) == (5, 800_000, 6)
    steps = list(appeal.events.values_list("action", "from_status", "to_status"))
    assert steps == [
        ("submit", "", "submitted"),
        ("accept", "submitted", "accepted"),
        ("start", "accepted", "in_progress"),
        ("resolve", "in_progress", "resolved"),
        ("confirm", "resolved", "confirmed"),
        ("close", "confirmed", "closed"),
    ]


def test_a_second_acceptance_is_a_409_and_leaves_one_accept_event(tree, driver):
    appeal = submit(driver)
    city_admin = make_user("chengdu-admin", org=tree.chengdu)
    services.appeal_accept(actor=tree.wuhou_admin, appeal_id=appeal.pk, at=monday(11))
    with pytest.raises(Conflict) as exc:
        services.appeal_accept(actor=city_admin, appeal_id=appeal.pk, at=monday(11))
    assert exc.value.status_code == 409
    assert appeal.events.filter(action=AppealAction.ACCEPT).count() == 1
    assert appeal.events.get(action=AppealAction.ACCEPT).actor == tree.wuhou_admin


def test_a_stale_write_loses_the_compare_and_set(tree, driver):
    # What SQLite's no-op row lock cannot stop: both read version 1; the second write must find 0 rows.
    appeal = submit(driver)
    stale = Appeal.objects.get(pk=appeal.pk)
    services.appeal_accept(actor=tree.wuhou_admin, appeal_id=appeal.pk, at=monday(11))
    with pytest.raises(Conflict) as exc:
        services._save(stale, stale.version, status=AppealStatus.ACCEPTED)
    assert exc.value.code == "stale_version"


def test_a_sibling_county_gets_404_and_nothing_changes(tree, driver):
    appeal = submit(driver)
    with pytest.raises(NotFound):
        services.appeal_accept(actor=tree.jinjiang_admin, appeal_id=appeal.pk)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.version, appeal.events.count()) == (AppealStatus.SUBMITTED, 1, 1)


def test_a_viewer_sees_but_may_not_act(tree, driver):
    viewer = make_user("wuhou-viewer", org=tree.wuhou, role=Role.VIEWER)
    appeal = submit(driver)
    with pytest.raises(Forbidden):
        services.appeal_accept(actor=viewer, appeal_id=appeal.pk)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.events.count()) == (AppealStatus.SUBMITTED, 1)


def test_only_the_driver_confirms(tree, driver):
    appeal = submit(driver)
    services.appeal_accept(actor=tree.wuhou_admin, appeal_id=appeal.pk)
    services.appeal_resolve(actor=tree.wuhou_admin, appeal_id=appeal.pk, resolution="已协调")
    other_driver = driver_user("driver-2", org=tree.wuhou_branch)
    for someone in (tree.wuhou_admin, tree.province_admin, other_driver):
        with pytest.raises(NotFound):
            services.appeal_confirm(actor=someone, appeal_id=appeal.pk, rating=5)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.rating, appeal.confirmed_at) == (AppealStatus.RESOLVED, None, None)
    assert appeal.events.filter(action=AppealAction.CONFIRM).count() == 0


def test_an_action_not_allowed_in_the_state_is_a_409_and_changes_nothing(tree, driver):
    appeal = submit(driver)
    with pytest.raises(Conflict) as exc:
        services.appeal_resolve(actor=tree.wuhou_admin, appeal_id=appeal.pk, resolution="直接办结")
    assert exc.value.code == "transition_not_allowed"
    with pytest.raises(Conflict):
        services.appeal_confirm(actor=driver, appeal_id=appeal.pk, rating=4)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.resolution, appeal.events.count()) == (AppealStatus.SUBMITTED, "", 1)


def test_a_rating_outside_1_to_5_is_refused(tree, driver):
    appeal = submit(driver)
    services.appeal_accept(actor=tree.wuhou_admin, appeal_id=appeal.pk)
    services.appeal_resolve(actor=tree.wuhou_admin, appeal_id=appeal.pk, resolution="已协调")
    with pytest.raises(ValidationFailed) as exc:
        services.appeal_confirm(actor=driver, appeal_id=appeal.pk, rating=6)
    assert exc.value.code == "rating_invalid"


def test_reopen_counts_and_restarts_the_resolve_clock(tree, driver):
    appeal = submit(driver)
    services.appeal_accept(actor=tree.wuhou_admin, appeal_id=appeal.pk, at=monday(11))
    services.appeal_resolve(actor=tree.wuhou_admin, appeal_id=appeal.pk, resolution="已协调", at=monday(12))
    reopened = services.appeal_reopen(actor=driver, appeal_id=appeal.pk, reason="钱还没到账", at=monday(10, day=30))
    assert reopened.status == AppealStatus.REOPENED
    assert reopened.reopen_count == 1
    # Mon 11-30 + 10 working days: end of Mon 12-14.
    assert reopened.resolve_due_at == dt.datetime(2026, 12, 15, 0, 0, tzinfo=BEIJING)
    assert reopened.next_escalation_at == reopened.resolve_due_at


def test_transfer_records_the_reason_and_the_previous_owner(tree, driver):
    appeal = submit(driver)
    moved = services.appeal_transfer(
        actor=tree.province_admin, appeal_id=appeal.pk, to_organization_id=tree.jinjiang.pk, reason="货主在锦江"
    )
    assert (moved.owner, moved.owner_path) == (tree.jinjiang, tree.jinjiang.path)
    event = moved.events.get(action=AppealAction.TRANSFER)
    assert (event.from_organization, event.organization, event.text) == (tree.wuhou, tree.jinjiang, "货主在锦江")
    # Wuhou no longer sees it.
    with pytest.raises(NotFound):
        services.appeal_accept(actor=tree.wuhou_admin, appeal_id=appeal.pk)


def test_a_county_cannot_transfer_sideways_to_its_sibling(tree, driver):
    appeal = submit(driver)
    with pytest.raises(ValidationFailed) as exc:
        services.appeal_transfer(
            actor=tree.wuhou_admin, appeal_id=appeal.pk, to_organization_id=tree.jinjiang.pk, reason="转锦江"
        )
    assert exc.value.code == "organization_unknown"
    appeal.refresh_from_db()
    assert appeal.owner == tree.wuhou


def test_merge_points_the_duplicate_at_the_original(tree, driver):
    first = submit(driver)
    second = submit(driver, description="同一个货主又拖欠运费")
    services.appeal_merge(actor=tree.wuhou_admin, appeal_id=second.pk, into_id=first.pk)
    second.refresh_from_db()
    assert (second.status, second.merged_into_id) == (AppealStatus.MERGED, first.pk)


def test_notes_are_internal(tree, driver):
    appeal = submit(driver)
    note = services.appeal_note(actor=tree.wuhou_admin, appeal_id=appeal.pk, text="已电话联系货主")
    assert note.internal is True


def test_escalation_goes_up_one_level_then_the_next_and_is_idempotent(tree, driver):
    appeal = submit(driver)  # ack due end of Tue 11-24
    assert services.appeal_escalate_overdue(at=monday(23, day=24)) == 0
    wed = dt.datetime(2026, 11, 25, 9, 0, tzinfo=BEIJING)
    assert services.appeal_escalate_overdue(at=wed) == 1
    assert services.appeal_escalate_overdue(at=wed) == 0  # idempotent
    appeal.refresh_from_db()
    assert (appeal.escalated_to, appeal.escalation_level, appeal.owner) == (tree.chengdu, 1, tree.wuhou)
    assert appeal.next_escalation_at == dt.datetime(2026, 11, 27, 0, 0, tzinfo=BEIJING)  # end of Thu 11-26
    fri = dt.datetime(2026, 11, 27, 9, 0, tzinfo=BEIJING)
    assert services.appeal_escalate_overdue(at=fri) == 1
    appeal.refresh_from_db()
    assert (appeal.escalated_to, appeal.escalation_level) == (tree.province, 2)
    # At the root it stays, and the clock stops.
    assert services.appeal_escalate_overdue(at=dt.datetime(2026, 12, 31, 9, 0, tzinfo=BEIJING)) == 0
    appeal.refresh_from_db()
    assert (appeal.escalation_level, appeal.next_escalation_at) == (2, None)
    texts = list(appeal.events.filter(action=AppealAction.ESCALATE).values_list("text", flat=True))
    assert texts == ["超过受理期限，升级至成都市交通运输行业党委", "超过受理期限，升级至四川省交通运输行业党委"]


def test_an_accepted_appeal_escalates_at_its_resolve_deadline_not_before(tree, driver):
    appeal = submit(driver)
    services.appeal_accept(actor=tree.wuhou_admin, appeal_id=appeal.pk, at=monday(11))
    assert services.appeal_escalate_overdue(at=dt.datetime(2026, 12, 7, 23, 0, tzinfo=BEIJING)) == 0
    assert services.appeal_escalate_overdue(at=dt.datetime(2026, 12, 8, 0, 0, tzinfo=BEIJING)) == 1
    assert appeal.events.get(action=AppealAction.ESCALATE).text == "超过办结期限，升级至成都市交通运输行业党委"


def test_supervision_is_the_provinces_with_its_own_deadline(tree, driver):
    appeal = submit(driver)
    with pytest.raises(Forbidden):
        services.appeal_supervise(actor=make_user("cd", org=tree.chengdu), appeal_id=appeal.pk, days=3, reason="x")
    supervised = services.appeal_supervise(
        actor=tree.province_admin, appeal_id=appeal.pk, days=3, reason="群众反映强烈", at=monday()
    )
    assert supervised.supervision_due_at == dt.datetime(2026, 11, 27, 0, 0, tzinfo=BEIJING)
    with pytest.raises(Conflict):
        services.appeal_supervise(actor=tree.province_admin, appeal_id=appeal.pk, days=3, reason="again")
    services.appeal_accept(actor=tree.wuhou_admin, appeal_id=appeal.pk, at=monday(11))
    late = dt.datetime(2026, 11, 27, 8, 0, tzinfo=BEIJING)
    assert services.appeal_escalate_overdue(at=late) == 1
    assert services.appeal_escalate_overdue(at=late) == 0
    appeal.refresh_from_db()
    assert appeal.supervision_overdue is True


def test_a_login_without_a_person_cannot_submit(tree):
    from chelun.core.models import Region

    with pytest.raises(Forbidden) as exc:
        services.appeal_submit(
            actor=tree.wuhou_admin,
            category=category("other"),
            description="测试",
            region=Region.objects.get(code="510107"),
        )
    assert exc.value.code == "not_a_person"
    assert Appeal.objects.count() == 0


def test_the_two_step_queue_page_gives_the_queues_rows_in_order(tree, driver):
    from chelun.appeals import selectors

    made = [submit(driver, at=monday(8 + i)) for i in range(7)]
    submit(driver_user("driver-x", org=tree.jinjiang_branch), region_code="510104")  # another county's
    full = list(selectors.appeal_queue(actor=tree.wuhou_admin))
    assert [a.pk for a in full] == [a.pk for a in reversed(made)]
    first, more = selectors.appeal_queue_page(actor=tree.wuhou_admin, number=1, per_page=3)
    last, no_more = selectors.appeal_queue_page(actor=tree.wuhou_admin, number=3, per_page=3)
    assert ([a.pk for a in first], more) == ([a.pk for a in full[:3]], True)
    assert ([a.pk for a in last], no_more) == ([full[6].pk], False)

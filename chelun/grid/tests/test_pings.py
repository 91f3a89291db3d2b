"""Consent, ping batches through the API, roll-up and retention."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from chelun.accounts.models import User
from chelun.grid import services
from chelun.grid.models import CellHourAggregate, DriverPosition, LocationPing, RollupRun
from chelun.grid.services.pings import MAX_BATCH, PingItem
from chelun.grid.tests.conftest import JINJIANG_CELL, WUHOU_CELL, Grid, disk, ping
from chelun.members.tests.factories import make_driver

URL = "/api/v1/grid/pings"


@pytest.fixture
def driver(grid: Grid) -> User:
    person = make_driver(org=grid.tree.wuhou_branch)
    return User.objects.create_user(username="driver-1", password="x-Pass-123", person=person)


@pytest.fixture
def covered(grid: Grid) -> None:
    services.coverage_set(branch=grid.wuhou_grid, cells=disk(WUHOU_CELL), actor=None)
    services.coverage_set(branch=grid.jinjiang_grid, cells=[JINJIANG_CELL], actor=None)


def _post(user: User, pings: list[dict[str, Any]], **extra: object) -> Any:
    client = Client()
    client.force_login(user)
    return client.post(URL, {"pings": pings, **extra}, content_type="application/json")


def test_no_consent_refuses_and_stores_nothing(driver: User, covered: None) -> None:
    now = timezone.now()
    response = _post(driver, [ping("a", now)])
    assert response.status_code == 403
    assert response.json()["code"] == "no_consent"
    assert LocationPing.objects.count() == 0


def test_batch_is_placed_in_cells_and_branches_and_resend_is_harmless(driver: User, grid: Grid, covered: None) -> None:
    services.consent_set(person=driver.person, given=True)
    now = timezone.now().replace(microsecond=0)
    batch = [ping("a", now - dt.timedelta(minutes=10)), ping("b", now, lat=30.600, lng=104.150)]
    response = _post(driver, batch)
    assert response.status_code == 200, response.json()
    assert response.json() == {"accepted": 2, "duplicates": 0}
    rows = list(LocationPing.objects.order_by("client_id").values_list("client_id", "cell", "branch_id"))
    assert rows == [("a", WUHOU_CELL, grid.wuhou_grid.pk), ("b", JINJIANG_CELL, grid.jinjiang_grid.pk)]
    assert LocationPing.objects.get(client_id="a").at == now - dt.timedelta(minutes=10)  # raw insert reads back
    position = DriverPosition.objects.get(person=driver.person)
    assert (position.at, position.cell, position.branch_id) == (now, JINJIANG_CELL, grid.jinjiang_grid.pk)
    again = _post(driver, batch)
    assert again.json() == {"accepted": 0, "duplicates": 2}
    assert LocationPing.objects.count() == 2


def test_bad_items_refuse_the_whole_batch_with_reasons(driver: User, covered: None) -> None:
    services.consent_set(person=driver.person, given=True)
    now = timezone.now()
    batch = [
        ping("ok", now - dt.timedelta(minutes=30)),
        ping("nan", now, lat=91.0),
        ping("beijing", now, lat=39.9, lng=116.4),
        ping("future", now + dt.timedelta(hours=1)),
        ping("old", now - dt.timedelta(days=31)),
        ping("jump", now - dt.timedelta(minutes=29), lat=31.5, lng=104.7),  # ~100 km in one minute
        ping("ok", now - dt.timedelta(minutes=5)),
    ]
    response = _post(driver, batch)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "batch_rejected"
    assert [(i["index"], i["reason"]) for i in body["extra"]["items"]] == [
        (1, "impossible_coordinates"),
        (2, "outside_sichuan"),
        (3, "future"),
        (4, "too_old"),
        (5, "too_fast"),
        (6, "duplicate_in_batch"),
    ]
    assert LocationPing.objects.count() == 0
    assert not DriverPosition.objects.exists()


def test_oversized_batch_is_refused(driver: User, covered: None) -> None:
    services.consent_set(person=driver.person, given=True)
    now = timezone.now()
    response = _post(driver, [ping(f"p{k}", now) for k in range(MAX_BATCH + 1)])
    assert response.status_code == 422
    assert response.json()["code"] == "batch_too_large"
    assert LocationPing.objects.count() == 0


def test_withdrawing_consent_purges_the_track_and_stops_pings(driver: User, covered: None) -> None:
    services.consent_set(person=driver.person, given=True)
    now = timezone.now()
    assert _post(driver, [ping("a", now)]).status_code == 200
    client = Client()
    client.force_login(driver)
    response = client.put("/api/v1/grid/consent", {"given": False}, content_type="application/json")
    assert response.json()["given"] is False
    assert LocationPing.objects.filter(person=driver.person).count() == 0
    assert not DriverPosition.objects.filter(person=driver.person).exists()
    assert _post(driver, [ping("b", now)]).status_code == 403


def test_roll_up_aggregates_hours_then_deletes_past_retention(driver: User, grid: Grid, covered: None) -> None:
    services.consent_set(person=driver.person, given=True, at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    t0 = dt.datetime(2026, 3, 1, 8, 10, tzinfo=dt.UTC)
    items = [PingItem(f"p{k}", t0 + dt.timedelta(minutes=20 * k), 30.642, 104.043) for k in range(4)]
    services.pings_record(person=driver.person, items=items, now=t0 + dt.timedelta(hours=1))
    services.pings_roll_up(now=t0 + dt.timedelta(hours=2))
    rows = list(CellHourAggregate.objects.order_by("hour").values_list("cell", "hour", "pings", "drivers"))
    hour8, hour9 = dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC), dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    assert rows == [(WUHOU_CELL, hour8, 3, 1), (WUHOU_CELL, hour9, 1, 1)]
    run = services.pings_roll_up(now=t0 + dt.timedelta(days=31))
    assert (run.hours, run.deleted) == (0, 4)
    assert LocationPing.objects.count() == 0
    assert CellHourAggregate.objects.count() == 2  # what remains after retention
    assert RollupRun.objects.count() == 2

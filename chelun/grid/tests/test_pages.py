"""Grid pages: committee map and gaps (with Excel), driver's page and consent switch, secretary's members."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from chelun.accounts.models import User
from chelun.grid import services
from chelun.grid.models import Attachment, CellHourAggregate, LocationConsent
from chelun.grid.tests.conftest import WUHOU_CELL, Grid, disk
from chelun.members.tests.factories import make_driver

GAP_CELL = disk(WUHOU_CELL, 3)[0]  # a cell three rings out: not covered


def _client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _activity(grid: Grid) -> None:
    services.coverage_set(branch=grid.wuhou_grid, cells=disk(WUHOU_CELL), actor=None)
    hour = timezone.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=2)
    CellHourAggregate.objects.create(cell=WUHOU_CELL, hour=hour, pings=30, drivers=4)
    CellHourAggregate.objects.create(cell=GAP_CELL, hour=hour, pings=10, drivers=2)


def test_coverage_page_shows_figures_and_the_ranked_gap(grid: Grid) -> None:
    _activity(grid)
    response = _client(grid.tree.province_admin).get("/grid/coverage/")
    assert response.status_code == 200
    summary = response.context["summary"]
    assert (summary.covered_cells, summary.pings, summary.pings_covered) == (7, 40, 30)
    gaps = response.context["gaps"]
    assert [(g.cell, g.pings, g.drivers, g.nearest_branch_name) for g in gaps] == [
        (GAP_CELL, 10, None, "武侯网格流动党员党支部")  # two drivers: suppressed
    ]
    assert gaps[0].county_name == "武侯区"
    assert "网格覆盖地图" in response.content.decode()


def test_sibling_county_sees_no_gap_or_cell_of_another(grid: Grid) -> None:
    _activity(grid)
    c = _client(grid.tree.jinjiang_admin)
    assert c.get("/grid/coverage/").context["gaps"] == []
    assert c.get("/grid/coverage/cells.geojson").json()["features"] == []


def test_gaps_export_is_an_excel_file(grid: Grid) -> None:
    _activity(grid)
    response = _client(grid.tree.province_admin).get("/grid/gaps/?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_driver_turns_consent_on_and_off_in_one_tap(grid: Grid) -> None:
    person = make_driver(org=grid.tree.wuhou_branch)
    user = User.objects.create_user(username="drv", password="x-Pass-123", person=person)
    c = _client(user)
    assert c.get("/grid/")["Location"] == "/grid/me/"
    assert "开启位置共享" in c.get("/grid/me/").content.decode()
    c.post("/grid/me/consent", {"given": "1"})
    assert LocationConsent.objects.get(person=person).given is True
    c.post("/grid/me/consent", {"given": "0"})
    assert LocationConsent.objects.get(person=person).given is False


def test_secretary_confirms_a_suggestion_a_sibling_gets_404(grid: Grid) -> None:
    person = make_driver(org=grid.tree.fucheng_branch)
    mobile = services.outflow_register(
        person=person,
        home_branch=grid.tree.fucheng_branch,
        destination="成都",
        reason="freight",
        certificate_number="LD-1",
        actor=None,
    )
    a = Attachment.objects.create(mobile=mobile, branch=grid.wuhou_grid, suggested_at=timezone.now(), share=0.8)
    url = f"/grid/attachments/{a.pk}/confirm"
    assert _client(grid.jinjiang_secretary).post(url).status_code == 404
    a.refresh_from_db()
    assert a.confirmed_at is None
    sec = _client(grid.wuhou_secretary)
    assert "待确认挂靠" in sec.get("/grid/members/").content.decode()
    assert sec.post(url).status_code == 302
    a.refresh_from_db()
    assert a.confirmed_by == grid.wuhou_secretary
    assert [m.pk for m in sec.get("/grid/members/").context["members"]] == [mobile.pk]

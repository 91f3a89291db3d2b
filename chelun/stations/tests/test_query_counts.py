"""Query-count baselines of the console's station list (with its Excel export) and the funding page: fixed,
whatever the number of stations in scope. A page that grows a query per row fails here."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chelun.core.testing.queries import get_query_count
from chelun.orgs.tests.factories import superuser
from chelun.stations import services
from chelun.stations.models import CostReport
from chelun.stations.tests.factories import make_station

# Measured on SQLite with the test settings; a change that adds a query must say why here.
# The console pages also ask which tabs have something in scope (2) and, on the station list, which regions the
# user's organisations cover (1); the role grants are read once per request whatever the actions asked.
CONSOLE_QUERIES = 10
CONSOLE_EXPORT_QUERIES = 4
FUNDING_QUERIES = 8  # the report reads its stations and sums as tuples; the tabs cost 2


def add_stations(tree, count: int, start: int = 0) -> None:
    """Stations in both counties, each with a live status report and this month's cost, so every column has data."""
    month = timezone.localdate().replace(day=1)
    for n in range(start, start + count):
        org = tree.wuhou_branch if n % 2 else tree.jinjiang_branch
        station = make_station(org=org, name=f"第{n}号暖心之家", lon=104.0 + n / 1000, lat=30.6)
        services.station_status_set(actor=superuser(), station=station, is_open=True, free_spaces=n % 40)
        CostReport.objects.create(station=station, month=month, category="staff", amount_fen=100_000 + n)
        services.subsidy_record(
            actor=superuser(),
            station=station,
            month=month,
            source="finance",
            amount_fen=60_000,
            idempotency_key=f"query-count-{n}",
        )


@pytest.fixture
def admin(tree) -> Client:
    client = Client()
    client.force_login(tree.province_admin)
    return client


@pytest.mark.parametrize(
    ("name", "query", "expected"),
    [
        ("stations:console", "", CONSOLE_QUERIES),
        ("stations:console", "?export=xlsx", CONSOLE_EXPORT_QUERIES),
        ("stations:funding", "", FUNDING_QUERIES),
    ],
)
def test_console_pages_cost_the_same_queries_with_four_or_forty_stations(tree, admin, name, query, expected):
    url = reverse(name) + query
    add_stations(tree, 4)
    few = get_query_count(admin, url)
    add_stations(tree, 36, start=4)
    many = get_query_count(admin, url)

    assert (few, many) == (expected, expected)


def test_the_funding_page_lists_the_stations_it_counted(tree, admin):
    """The baseline above is of a page that shows the rows: forty stations, each named once in the table."""
    add_stations(tree, 40)
    response = admin.get(reverse("stations:funding"))
    assert [n for n in range(40) if f"第{n}号暖心之家" in response.text] == list(range(40))

"""Query-count baselines of the organisation list and tree pages: the count is fixed, whatever the number of rows
(NetBox keeps such baselines for its list views). A page that grows a query per row fails here."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from chelun.core.testing.queries import get_query_count
from chelun.orgs.tests.factories import make_org

# Measured on SQLite with the test settings; a change that adds a query must say why here.
ORG_LIST_QUERIES = 6
TREE_QUERIES = 4
TREE_SEARCH_QUERIES = 6


def add_branches(tree, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        make_org(parent=tree.wuhou, name=f"武侯第{n}物流党支部", region_code="510107")


@pytest.fixture
def admin(tree) -> Client:
    client = Client()
    client.force_login(tree.province_admin)
    return client


@pytest.mark.parametrize(
    ("name", "query", "expected"),
    [
        ("orgs:list", "", ORG_LIST_QUERIES),
        ("orgs:tree", "", TREE_QUERIES),
        ("orgs:tree", "?q=物流", TREE_SEARCH_QUERIES),
    ],
)
def test_org_pages_cost_the_same_queries_with_three_or_thirty_more_rows(tree, admin, name, query, expected):
    url = reverse(name) + query
    add_branches(tree, 3)
    few = get_query_count(admin, url)
    add_branches(tree, 27, start=3)
    many = get_query_count(admin, url)

    assert (few, many) == (expected, expected)

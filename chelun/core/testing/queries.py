"""Query-count baselines for pages: how many SQL queries one GET costs (the tests compare few rows with many)."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def get_query_count(client: Client, url: str) -> int:
    """The number of queries a successful GET of `url` runs (fails unless it answers 200)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    return len(captured)

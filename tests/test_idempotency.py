"""Idempotency keys of money movements (station subsidies through core.ledger): scoped to the acting user, and a
replay, even a concurrent one, answers exactly as the first post did while the money is recorded once."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from chelun.core.ledger import account_balance, idempotency_key_for
from chelun.core.models import LedgerTransaction
from chelun.stations.models import Station, SubsidyContribution
from chelun.stations.tests.factories import make_station

BODY = {"month": "2026-10-15", "source": "finance", "amount_fen": 200_000, "idempotency_key": "finance-2026-10"}


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def subsidy(client: Client, station: Station, **overrides: Any) -> Any:
    body = json.dumps({**BODY, **overrides})
    return client.post(f"/api/v1/stations/{station.pk}/subsidies", body, content_type="application/json")


def test_two_counties_may_use_the_same_key(tree):
    wuhou = make_station(org=tree.wuhou_branch, name="武侯暖心之家", lon=104.04, lat=30.64)
    jinjiang = make_station(org=tree.jinjiang_branch, name="锦江暖心之家", lon=104.08, lat=30.65)
    first = subsidy(login(tree.wuhou_admin), wuhou)
    other = subsidy(login(tree.jinjiang_admin), jinjiang)
    assert (first.status_code, other.status_code) == (201, 201)
    assert sorted(SubsidyContribution.objects.values_list("station__name", "amount_fen")) == [
        ("武侯暖心之家", 200_000),
        ("锦江暖心之家", 200_000),
    ]
    # The same user replaying still records once and answers as the first time.
    replay = subsidy(login(tree.wuhou_admin), wuhou)
    assert (replay.status_code, replay.json()) == (201, first.json())
    assert LedgerTransaction.objects.count() == 2


def test_the_stored_key_names_purpose_and_user(tree):
    assert idempotency_key_for(purpose="subsidy", actor=tree.wuhou_admin, key="k-1") == (
        f"subsidy:u{tree.wuhou_admin.pk}:k-1"
    )
    long = idempotency_key_for(purpose="subsidy", actor=tree.wuhou_admin, key="k" * 200)
    assert (len(long) <= 128, long.startswith(f"subsidy:u{tree.wuhou_admin.pk}:sha256:")) == (True, True)


@pytest.mark.django_db(transaction=True)
def test_parallel_posts_with_one_key_record_once_and_answer_alike(tree):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises them; set DATABASE_URL)")
    station = make_station(org=tree.wuhou_branch, name="武侯暖心之家", lon=104.04, lat=30.64)
    clients = [login(tree.wuhou_admin) for _ in range(20)]
    barrier = threading.Barrier(len(clients))

    def post(client: Client) -> tuple[int, dict[str, Any]]:
        try:
            barrier.wait(timeout=30)
            response = subsidy(client, station)
            return response.status_code, response.json()
        finally:
            connection.close()  # each thread's own connection

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        answers = list(pool.map(post, clients))
    contribution = SubsidyContribution.objects.get()
    expected = {
        "id": contribution.pk,
        "station_id": station.pk,
        "month": "2026-10-01",
        "source": "finance",
        "source_label": "财政",
        "amount_fen": 200_000,
        "transaction_id": contribution.transaction_id,
    }
    assert answers == [(201, expected)] * 20
    assert (LedgerTransaction.objects.count(), account_balance(f"station:{station.pk}")) == (1, 200_000)

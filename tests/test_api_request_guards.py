"""The API's request-level guards (chelun.core.guards), which hold for every app's endpoints at once: bodies over the
limit answer 413, writes that are not JSON answer 415, text with NUL or a lone surrogate answers 422, each in the one
error shape and with nothing written; and the password-token endpoint cannot be probed past django-axes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client

from chelun.accounts.models import ApiToken
from chelun.members.models import Person
from chelun.orgs.models import Organization
from chelun.orgs.tests.factories import Tree
from chelun.stations.models import CheckIn, Feedback, Station, StatusReport
from chelun.stations.tests.factories import make_station

PASSWORD = "Pass-word-123"  # what orgs.tests.factories.make_user sets
LIMIT = 2_621_440


def written() -> tuple[int, ...]:
    """Everything the endpoints below could write."""
    return (
        ApiToken.objects.count(),
        Organization.objects.count(),
        Person.objects.count(),
        CheckIn.objects.count(),
        Feedback.objects.count(),
        StatusReport.objects.count(),
        Station.objects.count(),
    )


def _station(tree: Tree) -> Station:
    return make_station(org=tree.wuhou_branch, name="武侯暖心之家", lon=104.04, lat=30.64)


# (who, url, a valid body with one text field marked "TEXT") for a spread of apps and both public and staff writes.
Endpoint = tuple[str, Callable[[Tree, Station], str], dict[str, Any]]
ENDPOINTS: dict[str, Endpoint] = {
    "token": ("anonymous", lambda t, s: "/api/v1/accounts/token", {"username": "TEXT", "password": "x"}),
    "otp": ("anonymous", lambda t, s: "/api/v1/accounts/otp/request", {"phone": "TEXT"}),
    "org": (
        "admin",
        lambda t, s: "/api/v1/orgs/",
        {"parent_id": 0, "name": "TEXT", "kind": "branch", "region_code": "510107", "founded_on": "2020-01-01"},
    ),
    "person": (
        "admin",
        lambda t, s: "/api/v1/members/people",
        {"name": "TEXT", "id_number": "x", "org_id": 0, "region_code": "510107"},
    ),
    "checkin": ("anonymous", lambda t, s: f"/api/v1/stations/{s.pk}/checkins", {"services": ["TEXT"]}),
    "feedback": ("anonymous", lambda t, s: f"/api/v1/stations/{s.pk}/feedback", {"rating": 5, "text": "TEXT"}),
    "along_route": ("anonymous", lambda t, s: "/api/v1/stations/along-route", {"polyline": "TEXT"}),
    "station_patch": ("admin", lambda t, s: f"/api/v1/stations/console/stations/{s.pk}", {"name": "TEXT"}),
}


def client_for(tree: Tree, who: str) -> Client:
    client = Client()
    if who == "admin":
        client.force_login(tree.province_admin)
    return client


def send(client: Client, url: str, body: str | bytes, content_type: str, method: str = "post") -> Any:
    return getattr(client, method)(url, body, content_type=content_type)


def method_of(name: str) -> str:
    return "patch" if name == "station_patch" else "post"


def body_with(name: str, text: str) -> str:
    body = json.dumps(ENDPOINTS[name][2], ensure_ascii=True)
    return body.replace('"TEXT"', text)


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_body_over_the_limit_is_413_and_writes_nothing(tree, name):
    who, url, _ = ENDPOINTS[name]
    station = _station(tree)
    before = written()
    big = body_with(name, json.dumps("x" * (LIMIT + 1)))
    response = send(client_for(tree, who), url(tree, station), big, "application/json", method_of(name))
    assert (response.status_code, response.json()) == (
        413,
        {"message": "请求体过大，最多 2.5 MB", "code": "payload_too_large", "extra": {"max_bytes": LIMIT}},
    )
    assert written() == before


def test_along_route_with_200k_points_is_413(tree):
    points = [[104.0 + i * 1e-6, 30.6] for i in range(200_000)]
    body = json.dumps({"geojson": {"type": "LineString", "coordinates": points}})
    response = send(Client(), "/api/v1/stations/along-route", body, "application/json")
    assert (response.status_code, response.json()["code"]) == (413, "payload_too_large")


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
@pytest.mark.parametrize(
    "content_type", ["text/plain", "multipart/form-data", "application/x-www-form-urlencoded", "application/jsonx"]
)
def test_write_that_is_not_json_is_415_and_writes_nothing(tree, name, content_type):
    who, url, _ = ENDPOINTS[name]
    station = _station(tree)
    before = written()
    response = send(client_for(tree, who), url(tree, station), body_with(name, '"a"'), content_type, method_of(name))
    assert (response.status_code, response.json()) == (
        415,
        {
            "message": "请求体须为 JSON（Content-Type: application/json）",
            "code": "unsupported_media_type",
            "extra": {"content_type": content_type},
        },
    )
    assert written() == before


def test_json_with_a_charset_is_accepted(tree):
    body = json.dumps({"username": "wuhou-admin", "password": PASSWORD})
    response = send(Client(), "/api/v1/accounts/token", body, "application/json; charset=utf-8")
    assert response.status_code == 201


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
@pytest.mark.parametrize("text", ['"\\ud800"', '"ab\\udfffc"', '"a\\u0000b"'])
def test_nul_or_lone_surrogate_is_422_on_its_field_and_writes_nothing(tree, name, text):
    who, url, _ = ENDPOINTS[name]
    station = _station(tree)
    before = written()
    response = send(
        client_for(tree, who), url(tree, station), body_with(name, text), "application/json", method_of(name)
    )
    field = next(key for key, value in ENDPOINTS[name][2].items() if value in ("TEXT", ["TEXT"]))
    path = f"{field}.0" if name == "checkin" else field
    message = "包含无效字符（NUL 或不成对的代理字符）"
    assert (response.status_code, response.json()) == (
        422,
        {
            "message": f"请求参数有误：{path} {message}",
            "code": "validation_error",
            "extra": {"fields": {path: [message]}},
        },
    )
    assert written() == before


def test_a_surrogate_pair_is_ordinary_text(tree):
    # "\ud83d\ude9a" is 🚚 written as a UTF-16 pair: valid JSON for a valid character, so it passes the guard.
    client = client_for(tree, "admin")
    station = _station(tree)
    response = send(
        client, f"/api/v1/stations/{station.pk}/feedback", '{"rating": 5, "text": "\\ud83d\\ude9a"}', "application/json"
    )
    assert response.status_code == 201
    assert Feedback.objects.get().text == "🚚"


@pytest.mark.parametrize("query", ["q=%00", "q=a%00b", "%00=1"])
def test_nul_in_the_query_string_is_422(tree, query):
    response = client_for(tree, "admin").get(f"/api/v1/orgs/?{query}")
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_pages_are_not_guarded(tree):
    # The login page takes a form post: the guard is for the JSON API only.
    response = Client().post("/accounts/login/", {"tab": "staff", "username": "x", "password": "y"})
    assert response.status_code == 400


# --- the lock-out cannot be side-stepped -------------------------------------------------------------------------


def test_boundaryless_multipart_cannot_probe_passwords_past_the_lock(tree):
    client = Client()
    for i in range(15):
        wrong = json.dumps({"username": "wuhou-admin", "password": f"wrong-{i}"})
        assert send(client, "/api/v1/accounts/token", wrong, "multipart/form-data").status_code == 415
    right = json.dumps({"username": "wuhou-admin", "password": PASSWORD})
    # The right password in the same disguise learns nothing either: the view never ran.
    assert send(client, "/api/v1/accounts/token", right, "multipart/form-data").status_code == 415
    assert ApiToken.objects.count() == 0
    # As JSON, every wrong password counts and the fifth locks.
    statuses = [
        send(
            client,
            "/api/v1/accounts/token",
            json.dumps({"username": "wuhou-admin", "password": f"w{i}"}),
            "application/json",
        ).status_code
        for i in range(5)
    ]
    assert statuses == [401, 401, 401, 401, 429]
    assert AccessAttempt.objects.get().failures_since_start == 5
    assert send(client, "/api/v1/accounts/token", right, "application/json").status_code == 429
    assert ApiToken.objects.count() == 0

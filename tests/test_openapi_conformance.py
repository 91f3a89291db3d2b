"""Real answers of the API, for anonymous callers, a driver and the province admin, validated against the OpenAPI
document the API publishes (/api/v1/openapi.json): every status is documented for its operation and every body
matches the documented schema, formats included. A drift between schemas and answers (a `format: time` that
"08:00:00" fails, an undocumented 400) fails here."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client

from chelun.accounts.models import User
from chelun.members.tests.factories import make_driver
from chelun.orgs.tests.factories import Tree
from chelun.stations.tests.factories import make_station

# ---------------------------------------------------------------------------------------------------------------
# A small JSON Schema validator: the keywords django-ninja's documents use (no dependency for one test).
# ---------------------------------------------------------------------------------------------------------------

_FORMATS = {
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "date-time": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"),
    "time": re.compile(r"^\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"),  # RFC 3339 full-time: offset required
}
_TYPES: dict[str, Any] = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "array": list,
    "object": dict,
    "null": type(None),
}


def schema_errors(value: Any, schema: dict[str, Any], document: dict[str, Any], at: str = "$") -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return schema_errors(value, document["components"]["schemas"][name], document, at)
    errors: list[str] = []
    for key in ("anyOf", "oneOf"):
        if key in schema:
            branches = [schema_errors(value, branch, document, at) for branch in schema[key]]
            if all(branches):
                errors.append(f"{at}: matches none of {key}: {[b[0] for b in branches]}")
    for branch in schema.get("allOf", []):
        errors += schema_errors(value, branch, document, at)
    kind = schema.get("type")
    if kind is not None:
        python = _TYPES[kind]
        if not isinstance(value, python) or (kind in ("integer", "number") and isinstance(value, bool)):
            return [*errors, f"{at}: {value!r} is not {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{at}: {value!r} not in {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        errors.append(f"{at}: {value!r} != {schema['const']!r}")
    if isinstance(value, str):
        fmt = _FORMATS.get(schema.get("format", ""))
        if fmt is not None and not fmt.match(value):
            errors.append(f"{at}: {value!r} is not format {schema['format']}")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{at}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{at}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{at}: {value} > {schema['maximum']}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        errors += [f"{at}: missing {name}" for name in schema.get("required", []) if name not in value]
        extra = schema.get("additionalProperties", True)
        for name, item in value.items():
            if name in properties:
                errors += schema_errors(item, properties[name], document, f"{at}.{name}")
            elif isinstance(extra, dict):
                errors += schema_errors(item, extra, document, f"{at}.{name}")
            elif extra is False:
                errors.append(f"{at}: unexpected {name}")
    if isinstance(value, list):
        prefix = schema.get("prefixItems", [])
        for index, item in enumerate(value):
            item_schema = prefix[index] if index < len(prefix) else schema.get("items")
            if isinstance(item_schema, dict):
                errors += schema_errors(item, item_schema, document, f"{at}[{index}]")
    return errors


def test_the_validator_itself_refuses_what_it_should():
    document = {"components": {"schemas": {"T": {"type": "object", "required": ["t"], "properties": {"t": {}}}}}}
    assert schema_errors("08:00:00", {"type": "string", "format": "time"}, document) == [
        "$: '08:00:00' is not format time"
    ]
    assert schema_errors({}, {"$ref": "#/components/schemas/T"}, document) == ["$: missing t"]
    assert schema_errors(True, {"type": "integer"}, document) == ["$: True is not integer"]
    assert schema_errors(None, {"anyOf": [{"type": "string"}, {"type": "null"}]}, document) == []


# ---------------------------------------------------------------------------------------------------------------
# The answers
# ---------------------------------------------------------------------------------------------------------------


def operation_for(document: dict[str, Any], method: str, path: str) -> tuple[str, dict[str, Any]]:
    """The documented operation whose path template matches a concrete path."""
    for template, operations in document["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method in operations:
            return template, operations[method]
    raise AssertionError(f"{method.upper()} {path} is not documented")


class Checker:
    def __init__(self) -> None:
        self.document = Client().get("/api/v1/openapi.json").json()
        self.problems: list[str] = []
        self.seen: list[tuple[str, str, int]] = []

    def check(self, client: Client, method: str, url: str, body: Any = None, content_type: str = "") -> Any:
        path = url.split("?", 1)[0]
        if body is None:
            response = getattr(client, method)(url)
        else:
            data = body if isinstance(body, (str, bytes)) else json.dumps(body)
            response = getattr(client, method)(url, data, content_type=content_type or "application/json")
        template, operation = operation_for(self.document, method, path)
        status = response.status_code
        self.seen.append((method, template, status))
        documented = operation["responses"].get(str(status))
        if documented is None:
            self.problems.append(f"{method.upper()} {url}: {status} is not documented")
            return response
        schema = documented.get("content", {}).get("application/json", {}).get("schema")
        if schema is not None:
            for error in schema_errors(response.json(), schema, self.document):
                self.problems.append(f"{method.upper()} {url} {status}: {error}")
        return response


@pytest.fixture
def callers(tree: Tree) -> dict[str, Client]:
    driver_person = make_driver(org=tree.wuhou_branch, name="王师傅", phone="13700001111")
    driver = User.objects.create(username=f"driver-{driver_person.pk}", person=driver_person)
    clients = {"anonymous": Client(), "driver": Client(), "province_admin": Client()}
    clients["driver"].force_login(driver)
    clients["province_admin"].force_login(tree.province_admin)
    return clients


def test_real_answers_match_the_openapi_document(tree, callers):
    station = make_station(
        org=tree.wuhou_branch,
        name="武侯暖心之家",
        lon=104.04,
        lat=30.64,
        open_24h=False,
        opens_at=dt.time(8, 0),
        closes_at=dt.time(22, 0),
    )
    checker = Checker()
    admin = callers["province_admin"]
    org = tree.wuhou_branch
    person = admin.get("/api/v1/members/people").json()["items"][0]["id"]
    for who, client in callers.items():
        for url in [
            "/api/v1/accounts/me",
            "/api/v1/core/regions?level=county&parent=510100",
            "/api/v1/core/regions/510107?boundary=true",
            "/api/v1/core/audit",
            "/api/v1/orgs/",
            f"/api/v1/orgs/{org.pk}",
            f"/api/v1/orgs/{org.pk}/children",
            "/api/v1/orgs/rules",
            "/api/v1/orgs/99999999",
            "/api/v1/members/people",
            f"/api/v1/members/people/{person}",
            "/api/v1/stations/",
            "/api/v1/stations/near?lon=104.05&lat=30.64",
            "/api/v1/stations/corridors",
            f"/api/v1/stations/{station.pk}",
            "/api/v1/stations/console/stations",
            f"/api/v1/stations/console/stations/{station.pk}",
            "/api/v1/stations/console/feedback",
            "/api/v1/stations/console/checkins?start=2026-10-01&end=2026-10-31",
            "/api/v1/stations/console/funding?start=2026-10-01&end=2026-10-31",
            "/api/v1/stations/console/gaps",
            "/api/v1/orgs/?q=%00",
        ]:
            checker.check(client, "get", url)
        checker.check(client, "post", f"/api/v1/stations/{station.pk}/checkins", {"services": []})
        checker.check(client, "post", f"/api/v1/stations/{station.pk}/feedback", {"rating": 4, "text": who})
        checker.check(client, "post", "/api/v1/stations/along-route", {"polyline": "_p~iF~ps|U_ulLnnqC_mqNvxq`@"})
        checker.check(client, "post", "/api/v1/stations/along-route", '{"polyline": ', "application/json")
        checker.check(client, "post", "/api/v1/accounts/token", '{"username": ', "application/json")
        checker.check(client, "post", "/api/v1/accounts/token", {"username": "x", "password": "y"}, "text/plain")
        checker.check(client, "post", "/api/v1/accounts/token", {"username": "\ud800", "password": "y"})
        checker.check(client, "post", "/api/v1/orgs/", {"name": "x" * 3_000_000})
    checker.check(Client(), "post", "/api/v1/accounts/token", {"username": "province-admin", "password": "wrong"})
    assert checker.problems == []
    # The run covered what it claims: answers of every kind, for the station with its opening hours.
    statuses = {status for _, _, status in checker.seen}
    assert {200, 201, 400, 401, 404, 413, 415, 422} <= statuses

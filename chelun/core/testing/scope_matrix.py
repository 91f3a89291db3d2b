"""The scope matrix: every page and API operation of the project is declared once, with what it acts on, and the
same cases run against each (NetBox's `test_list_objects_with_constrained_permission` is the model).

An app's `tests/test_scope_matrix.py` (the platform's own pages: `tests/test_scope_matrix_project.py`) lists its
endpoints in `ENDPOINTS`; the project's completeness test
(`tests/test_scope_matrix_complete.py`) fails naming every URL pattern or API operation no app lists, so a new
endpoint cannot ship without its sibling and wrong-role cases.

The actors, over the tree of `chelun.orgs.tests.factories.build_tree` (the object always sits under 武侯区):

- anonymous: nobody signed in: a page sends them to the login page, the API answers 401;
- no role: a signed-in user holding no role anywhere;
- sibling: the admin of 锦江区, 武侯区's sibling county;
- parent: the admin of the province, two levels above;
- same node: the admin of 武侯区 itself;
- wrong role: a viewer of 武侯区 (writes only, unless an endpoint says otherwise): sees, may not change;
- driver self: the driver the object belongs to, where the endpoint names one;
- operator: a station's own operator (no role), where the endpoint declares what they get.

Lists and exports answer 200 to every signed-in actor and show the object (its `marker` text) only to those who
see it; details and writes answer 404 to whoever is out of scope, exactly as for a missing id, and a refused write
changes nothing (`state` before equals `state` after). An allowed write must change the state, so the denied
cases are known to send a write that would have worked.

This module imports no domain app: the actors and objects come from the registration files.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse

ANONYMOUS = "anonymous"
NO_ROLE = "no-role"
SIBLING = "sibling"
PARENT = "parent"
SAME_NODE = "same-node"
WRONG_ROLE = "wrong-role"
DRIVER_SELF = "driver-self"
OPERATOR = "operator"  # a station's own operator (站长), holding no role: for the stations' endpoints

BASE_ACTORS = (ANONYMOUS, NO_ROLE, SIBLING, PARENT, SAME_NODE)
SEEING = frozenset({PARENT, SAME_NODE})

LIST = "list"
DETAIL = "detail"
EXPORT = "export"
WRITE = "write"
PUBLIC = "public"
KINDS = (LIST, DETAIL, EXPORT, WRITE, PUBLIC)

_NOT_BUILT = object()


@dataclass(frozen=True)
class Target:
    """What one endpoint acts on, built afresh in each test case.

    args: URL keyword arguments (page) or path parameters (API); query: the query string; data: the form (page) or
    JSON body (API) of a write; marker: for lists and exports, a text shown exactly when the object is in scope;
    state: for writes, a reading of what the write changes; driver: the signed-in driver the object belongs to."""

    args: Mapping[str, Any] = field(default_factory=dict)
    query: Mapping[str, Any] = field(default_factory=dict)
    data: Any = None
    marker: str = ""
    state: Callable[[], Any] | None = None
    driver: Any = None


@dataclass(frozen=True)
class World:
    """The actors of one test case, by name (anonymous is None), and the tree they sit in."""

    actors: Mapping[str, Any]
    tree: Any


@dataclass(frozen=True)
class Endpoint:
    """One page (`route` is its URL name, e.g. "orgs:detail") or API operation (`route` is "METHOD /path", with the
    path as in the OpenAPI schema, e.g. "GET /api/v1/orgs/{organization_id}").

    kind: list | detail | export | write | public; build: makes the target from the world; method: the page's
    HTTP method (API routes carry theirs); ok: the status of an allowed request; denied: the status of an
    out-of-scope one; sees: the actors in scope; expect: per-actor status overrides (e.g. wrong role 403);
    driver_self: run the driver-self case; xfail: actor -> reason for a known leak or error (strict);
    reason: why a public endpoint has no scope; changes: whether an allowed write changes `state`."""

    route: str
    kind: str
    build: Callable[[World], Target] | None = None
    method: str = "GET"
    ok: int = 200
    denied: int = 404
    sees: frozenset[str] = SEEING
    expect: Mapping[str, int] = field(default_factory=dict)
    driver_self: bool = False
    xfail: Mapping[str, str] = field(default_factory=dict)
    reason: str = ""
    changes: bool = True

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.route}: unknown kind {self.kind!r}")
        if self.kind == PUBLIC and not self.reason:
            raise ValueError(f"{self.route}: a public endpoint says why it has no scope")
        if self.kind != PUBLIC and self.build is None:
            raise ValueError(f"{self.route}: a scoped endpoint needs a build")

    @property
    def is_api(self) -> bool:
        return " " in self.route

    @property
    def http_method(self) -> str:
        return self.route.split(" ", 1)[0] if self.is_api else self.method

    def actors(self) -> tuple[str, ...]:
        if self.kind == PUBLIC:
            return (ANONYMOUS,) if self.build is not None else ()
        names = list(BASE_ACTORS)
        if self.kind == WRITE or WRONG_ROLE in self.expect:
            names.append(WRONG_ROLE)
        if self.driver_self:
            names.append(DRIVER_SELF)
        if OPERATOR in self.sees or OPERATOR in self.expect:
            names.append(OPERATOR)
        return tuple(names)

    def expected_status(self, actor: str) -> int:
        if actor in self.expect:
            return self.expect[actor]
        if self.kind == PUBLIC:
            return self.ok
        if actor == ANONYMOUS:
            return 401 if self.is_api else 302
        if self.kind in (LIST, EXPORT):
            return self.ok
        if actor == WRONG_ROLE and self.kind == WRITE:
            return 403
        return self.ok if actor in self.sees else self.denied


def cases(endpoints: Iterable[Endpoint]) -> Any:
    """pytest parametrization over (endpoint, actor), with ids such as "orgs:detail-detail-sibling"."""
    params = []
    for endpoint in endpoints:
        for actor in endpoint.actors():
            marks = []
            if actor in endpoint.xfail:
                marks.append(pytest.mark.xfail(strict=True, reason=endpoint.xfail[actor]))
            params.append(pytest.param(endpoint, actor, id=f"{endpoint.route}-{endpoint.kind}-{actor}", marks=marks))
    return pytest.mark.parametrize(("endpoint", "actor"), params)


def _url(endpoint: Endpoint, target: Target) -> str:
    if endpoint.is_api:
        url = endpoint.route.split(" ", 1)[1].format(**target.args)
    else:
        url = reverse(endpoint.route, kwargs=dict(target.args) or None)
    query = dict(target.query)
    if endpoint.kind == EXPORT and not endpoint.is_api:
        query.setdefault("export", "xlsx")
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


def request(endpoint: Endpoint, target: Target, user: Any) -> Any:
    """Send the endpoint's request as `user` (None: anonymous) and return the response."""
    client = Client()
    if user is not None:
        client.force_login(user)
    url = _url(endpoint, target)
    method = endpoint.http_method.lower()
    if method == "get":
        return client.get(url)
    if endpoint.is_api:
        body = json.dumps(target.data if target.data is not None else {})
        return getattr(client, method)(url, body, content_type="application/json")
    return client.post(url, target.data or {})


def response_text(endpoint: Endpoint, response: Any) -> str:
    """The text a reader sees: the page or JSON, or for an export every cell of every sheet."""
    if endpoint.kind == EXPORT and response.get("Content-Type", "").startswith("application/vnd.openxml"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.content), read_only=True)
        cells = [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v]
        return "\n".join(cells)
    return response.content.decode("utf-8", errors="replace")


def check(endpoint: Endpoint, actor: str, world: World) -> None:
    """Run one case of the matrix: the status, what a list shows, and that a refused write changed nothing."""
    assert endpoint.build is not None
    target = endpoint.build(world)
    if actor == DRIVER_SELF:
        assert target.driver is not None, f"{endpoint.route}: driver_self needs target.driver"
        user = target.driver
    else:
        user = world.actors[actor]
    before = target.state() if target.state is not None else _NOT_BUILT
    response = request(endpoint, target, user)
    expected = endpoint.expected_status(actor)
    assert response.status_code == expected, (
        f"{endpoint.http_method} {_url(endpoint, target)} as {actor}: {response.status_code}, expected {expected}: "
        f"{response.content.decode('utf-8', errors='replace')[:300]}"
    )
    if expected == 302 and actor == ANONYMOUS and not endpoint.is_api and endpoint.kind != PUBLIC:
        # a scoped page sends a visitor to the login; a public one may redirect anywhere (e.g. `/` to the finder)
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL)), response["Location"]
    sees = actor in endpoint.sees
    if endpoint.kind in (LIST, EXPORT) and actor != ANONYMOUS and expected == endpoint.ok:
        assert target.marker, f"{endpoint.route}: a list declares the marker of its object"
        shown = target.marker in response_text(endpoint, response)
        assert shown == sees, f"{endpoint.route} as {actor}: marker {target.marker!r} shown={shown}, expected {sees}"
    if target.state is not None:
        after = target.state()
        if expected == endpoint.ok and sees and endpoint.changes and endpoint.kind == WRITE:
            assert after != before, f"{endpoint.route} as {actor}: an allowed write changed nothing"
        elif expected != endpoint.ok or not sees:
            assert after == before, f"{endpoint.route} as {actor}: a refused request changed {before!r} -> {after!r}"


# --------------------------------------------------------------------------------------------------------------
# Enumerating the project's endpoints (for the completeness test)
# --------------------------------------------------------------------------------------------------------------


def page_routes(patterns: Sequence[URLPattern | URLResolver], *, skip_namespaces: Iterable[str] = ()) -> list[str]:
    """Every URL pattern as its namespaced name ("orgs:detail"), or its path when unnamed; API operations (the
    views django-ninja makes for its operations) are left to `api_routes`."""
    skip = set(skip_namespaces)
    found: list[str] = []

    def walk(items: Sequence[URLPattern | URLResolver], namespace: str, prefix: str) -> None:
        for item in items:
            if isinstance(item, URLResolver):
                inner = ":".join(p for p in (namespace, item.namespace or "") if p)
                if item.namespace in skip:
                    continue
                walk(item.url_patterns, inner, prefix + str(item.pattern))
            elif getattr(item.callback, "__module__", "") == "ninja.operation":
                continue
            elif item.name:
                found.append(f"{namespace}:{item.name}" if namespace else item.name)
            else:  # unnamed: its path, under its namespace (Django's admin has a few redirects so)
                found.append(f"{namespace}:{prefix}{item.pattern}" if namespace else prefix + str(item.pattern))

    walk(patterns, "", "")
    return sorted(set(found))


def api_routes(schema: Mapping[str, Any]) -> list[str]:
    """Every operation of an OpenAPI schema as "METHOD /path"."""
    return sorted(f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops)


def unregistered(routes: Iterable[str], endpoints: Iterable[Endpoint]) -> list[str]:
    """The routes no endpoint names; a registration route ending in "*" covers every route it prefixes."""
    named = {e.route for e in endpoints}
    prefixes = tuple(r[:-1] for r in named if r.endswith("*"))
    return [r for r in routes if r not in named and not (prefixes and r.startswith(prefixes))]

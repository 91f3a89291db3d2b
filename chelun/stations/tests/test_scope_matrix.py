"""Scope matrix of the stations pages and API (chelun.core.testing.scope_matrix). The object is 武侯's station, run
by 武侯's company branch, with its own operator (站长, no role). The directory and the driver pages are public;
operating a station is for its operators and the admins above it; the console follows the organisation scope;
funding figures follow funding.view and entering them funding.change."""

from __future__ import annotations

import io
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from chelun.core.models import Region
from chelun.core.testing.scope_matrix import (
    DETAIL,
    DRIVER_SELF,
    EXPORT,
    LIST,
    NO_ROLE,
    OPERATOR,
    PARENT,
    PUBLIC,
    SAME_NODE,
    SEEING,
    SIBLING,
    WRITE,
    WRONG_ROLE,
    Endpoint,
    Target,
    World,
    cases,
    check,
)
from chelun.orgs.tests.factories import make_user, superuser
from chelun.orgs.tests.scope_world import scope_world
from chelun.stations import services
from chelun.stations.choices import Amenity
from chelun.stations.models import (
    CostReport,
    Feedback,
    Station,
    StationPhoto,
    StationPrice,
    StatusReport,
    SubsidyContribution,
)
from chelun.stations.tests.factories import make_station

STATION = "武侯物流园暖心之家"
FEEDBACK = "淋浴没有热水"
RUNS = SEEING | {OPERATOR}  # who runs the station: its operator and the admins above it
SIGNED_IN = frozenset({NO_ROLE, SIBLING, PARENT, SAME_NODE})
API = "/api/v1/stations"


def _png() -> bytes:
    """A valid 1×1 PNG (the upload check reads the bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )


def with_operator(world: World) -> World:
    return World(actors={**world.actors, OPERATOR: make_user("scope-operator")}, tree=world.tree)


def _station(world: World) -> Station:
    return make_station(
        org=world.tree.wuhou_branch,
        name=STATION,
        lon=104.04,
        lat=30.64,
        operators=[world.actors[OPERATOR]],
        amenities=[Amenity.TRUCK_PARKING, Amenity.SHOWER, Amenity.HOT_WATER, Amenity.TOILET, Amenity.BEDS],
    )


def _feedback(station: Station) -> Feedback:
    return services.feedback_create(station=station, user=None, rating=2, issues=["dirty"], text=FEEDBACK)


def _station_state(pk: int) -> tuple:
    s = Station.objects.get(pk=pk)
    return (s.name, s.beds, s.truck_spaces, s.version, StatusReport.objects.filter(station_id=pk).count())


def _prices(pk: int) -> list:
    return sorted(StationPrice.objects.filter(station_id=pk).values_list("service", "price_fen", "unit"))


def _photos(pk: int) -> int:
    return StationPhoto.objects.filter(station_id=pk).count()


def _reply(pk: int) -> str:
    return Feedback.objects.get(pk=pk).reply


def _status(pk: int) -> str:
    return Feedback.objects.get(pk=pk).status


def _funding(pk: int) -> tuple:
    costs = sorted(CostReport.objects.filter(station_id=pk).values_list("month", "category", "amount_fen"))
    subsidies = sorted(SubsidyContribution.objects.filter(station_id=pk).values_list("source", "amount_fen"))
    return (costs, subsidies)


def _stations_of(org_id: int) -> list:
    return sorted(Station.objects.filter(organization_id=org_id).values_list("name", flat=True))


# --- builders ---------------------------------------------------------------------------------------------------


def listed(world: World) -> Target:
    _station(world)
    return Target(marker=STATION)


def one(world: World, key: str = "pk", **kw) -> Target:
    return Target(args={key: _station(world).pk}, **kw)


def status_page(world: World) -> Target:
    s = _station(world)
    return Target(args={"pk": s.pk}, data={"is_open": "1", "free_spaces": "3"}, state=lambda: _station_state(s.pk))


def prices_page(world: World) -> Target:
    s = _station(world)
    return Target(args={"pk": s.pk}, data={"price_beds": "30", "unit_beds": "晚"}, state=lambda: _prices(s.pk))


def info_page(world: World) -> Target:
    s = _station(world)
    s.refresh_from_db()
    data = {
        "version": s.version,
        "name": "武侯物流园暖心之家（新）",
        "kind": s.kind,
        "station_class": s.station_class,
        "status": s.status,
        "address": s.address,
        "carriageway": s.carriageway,
        "contact_name": s.contact_name,
        "contact_phone": s.contact_phone,
        "truck_spaces": s.truck_spaces,
        "beds": s.beds,
        "amenities": list(s.amenities.values_list("amenity", flat=True)),
        "open_24h": "on",
    }
    return Target(args={"pk": s.pk}, data=data, state=lambda: _station_state(s.pk))


def photo_add(world: World) -> Target:
    s = _station(world)
    upload = SimpleUploadedFile("a.png", _png(), content_type="image/png")
    return Target(args={"pk": s.pk}, data={"image": upload, "caption": "门口"}, state=lambda: _photos(s.pk))


def photo_remove(world: World) -> Target:
    s = _station(world)
    photo = services.station_photo_add(actor=superuser(), station=s, upload=io.BytesIO(_png()), caption="门口")
    return Target(args={"pk": s.pk, "photo_id": photo.pk}, state=lambda: _photos(s.pk))


def reply_page(world: World) -> Target:
    item = _feedback(_station(world))
    return Target(args={"pk": item.pk}, data={f"f{item.pk}-reply": "已修好热水器"}, state=lambda: _reply(item.pk))


def spam_page(world: World) -> Target:
    item = _feedback(_station(world))
    return Target(args={"pk": item.pk}, state=lambda: _status(item.pk))


def create_page(world: World) -> Target:
    org = world.tree.wuhou_branch
    data = {
        "name": "双流物流园暖心之家",
        "organization": org.pk,
        "region": Region.objects.get(code="510116").pk,
        "coord": "wgs84",
        "lon": "103.93",
        "lat": "30.57",
        "kind": "logistics_yard",
        "station_class": "A",
        "status": "open",
        "truck_spaces": "80",
        "beds": "12",
        "open_24h": "on",
        "amenities": [Amenity.TRUCK_PARKING, Amenity.SHOWER],
    }
    return Target(data=data, state=lambda: _stations_of(org.pk))


def funding_listed(world: World) -> Target:
    s = _station(world)
    month = timezone.localdate().replace(day=1)
    CostReport.objects.create(station=s, month=month, category="staff", amount_fen=600_000)
    return Target(marker=STATION)


def costs_page(world: World) -> Target:
    s = _station(world)
    return Target(args={"pk": s.pk}, data={"month": "2026-10", "cost_staff": "6000"}, state=lambda: _funding(s.pk))


def subsidy_page(world: World) -> Target:
    s = _station(world)
    data = {"month": "2026-10", "source": "finance", "amount": "1234.56", "idempotency_key": "scope-matrix-key-1"}
    return Target(args={"pk": s.pk}, data=data, state=lambda: _funding(s.pk))


def api_create(world: World) -> Target:
    org = world.tree.wuhou_branch
    data = {
        "name": "双流物流园暖心之家",
        "kind": "logistics_yard",
        "organization_id": org.pk,
        "region": "510116",
        "lon": 103.93,
        "lat": 30.57,
        "truck_spaces": 80,
        "amenities": ["shower", "truck_parking"],
    }
    return Target(data=data, state=lambda: _stations_of(org.pk))


def api_patch(world: World) -> Target:
    s = _station(world)
    s.refresh_from_db()
    return Target(args={"station_id": s.pk}, data={"version": s.version, "beds": 9}, state=lambda: _station_state(s.pk))


def api_feedback_list(world: World) -> Target:
    _feedback(_station(world))
    return Target(marker=FEEDBACK)


def api_checkins(world: World) -> Target:
    s = _station(world)
    services.checkin_record(station=s, user=None, device_id="scope-device", services=["shower"])
    today = timezone.localdate().isoformat()
    return Target(query={"start": today, "end": today}, marker=STATION)


def api_funding(world: World) -> Target:
    funding_listed(world)
    today = timezone.localdate()
    return Target(query={"start": today.replace(day=1).isoformat(), "end": today.isoformat()}, marker=STATION)


def api_reply(world: World) -> Target:
    item = _feedback(_station(world))
    return Target(args={"feedback_id": item.pk}, data={"reply": "已修好热水器"}, state=lambda: _reply(item.pk))


def api_spam(world: World) -> Target:
    item = _feedback(_station(world))
    return Target(args={"feedback_id": item.pk}, state=lambda: _status(item.pk))


def api_status(world: World) -> Target:
    s = _station(world)
    data = {"is_open": True, "free_spaces": 3}
    return Target(args={"station_id": s.pk}, data=data, state=lambda: _station_state(s.pk))


def api_costs(world: World) -> Target:
    s = _station(world)
    data = {"month": "2026-10-15", "amounts_fen": {"staff": 600_000}}
    return Target(args={"station_id": s.pk}, data=data, state=lambda: _funding(s.pk))


def api_subsidy(world: World) -> Target:
    s = _station(world)
    data = {"month": "2026-10-15", "source": "finance", "amount_fen": 200_000, "idempotency_key": "scope-matrix-1"}
    return Target(args={"station_id": s.pk}, data=data, state=lambda: _funding(s.pk))


MY_FEEDBACK = "王师傅：停车场没有灯"


def _my_feedback(world: World) -> tuple[Feedback, object]:
    """A driver's own feedback at 武侯's station (a user with no role, signed in by phone)."""
    driver = make_user("scope-driver")
    item = services.feedback_create(station=_station(world), user=driver, rating=3, text=MY_FEEDBACK)
    return item, driver


def my_records(world: World) -> Target:
    _item, driver = _my_feedback(world)
    return Target(marker=MY_FEEDBACK, driver=driver)


def my_feedback_delete(world: World) -> Target:
    item, driver = _my_feedback(world)
    return Target(args={"pk": item.pk}, state=lambda: Feedback.objects.filter(pk=item.pk).exists(), driver=driver)


def public_station(world: World) -> Target:
    return Target(args={"pk": _station(world).pk})


def public(route: str, reason: str, build=None) -> Endpoint:
    return Endpoint(route, PUBLIC, build, reason=reason)


# The operate pages hide a station the user may see but not run: a viewer's or an operator's refusal there is a
# 404 like a missing id. A station or organisation named in a form or body the caller cannot see is a 422.
RUN_BY_OTHERS = {WRONG_ROLE: 404}
NAMED_IN_BODY = {SIBLING: 422, NO_ROLE: 422}
DIRECTORY = "the public directory: open and suspended stations for every driver, signed in or not"

ENDPOINTS = [
    # Drivers (public)
    public("stations:home", DIRECTORY, lambda w: Target()),
    public("stations:basemap", "the offline base map of Sichuan: reference geometry", lambda w: Target()),
    public("stations:sw", "the service worker script: a static asset", lambda w: Target()),
    public("stations:route", DIRECTORY, lambda w: Target()),
    public("stations:detail", DIRECTORY, public_station),
    public("stations:share", DIRECTORY, public_station),
    public("stations:qr", DIRECTORY, public_station),
    public("stations:checkin", "any driver checks in at a public station (rate-limited by device)"),
    public("stations:confirm", "any driver confirms free spaces at a public station (rate-limited by device)"),
    public("stations:feedback", "any driver gives feedback on a public station"),
    public("station-feed", "the public directory as a JSON feed for other apps", lambda w: Target()),
    public(f"GET {API}/", DIRECTORY, lambda w: Target()),
    public(f"GET {API}/near", DIRECTORY),
    public(f"POST {API}/along-route", DIRECTORY),
    public(f"GET {API}/corridors", "named corridors and towns: reference data", lambda w: Target()),
    public(f"GET {API}/{{station_id}}", DIRECTORY, lambda w: Target(args={"station_id": _station(w).pk})),
    public(f"POST {API}/{{station_id}}/confirm", "any driver confirms free spaces at a public station"),
    public(f"POST {API}/{{station_id}}/checkins", "any driver checks in at a public station"),
    public(f"POST {API}/{{station_id}}/feedback", "any driver gives feedback on a public station"),
    # 我的记录: a driver's own rows, shown to and withdrawn by that driver alone (an operator or admin above the
    # station included: they answer feedback on the operate pages, they do not delete it).
    Endpoint("stations:my_records", LIST, my_records, sees=frozenset({DRIVER_SELF}), driver_self=True),
    Endpoint(
        "stations:my_feedback_delete",
        WRITE,
        my_feedback_delete,
        method="POST",
        ok=302,
        sees=frozenset({DRIVER_SELF}),
        driver_self=True,
        expect={WRONG_ROLE: 404, OPERATOR: 404},
    ),
    # Operators (their own stations)
    Endpoint("stations:operate_list", LIST, listed, sees=RUNS),
    Endpoint("stations:operate", DETAIL, one, sees=RUNS, expect=RUN_BY_OTHERS),
    Endpoint("stations:operate_status", WRITE, status_page, method="POST", ok=302, sees=RUNS, expect=RUN_BY_OTHERS),
    Endpoint("stations:operate_prices", WRITE, prices_page, method="POST", ok=302, sees=RUNS, expect=RUN_BY_OTHERS),
    Endpoint("stations:operate_info", DETAIL, one, sees=RUNS, expect=RUN_BY_OTHERS),
    Endpoint("stations:operate_info", WRITE, info_page, method="POST", ok=302, sees=RUNS, expect=RUN_BY_OTHERS),
    Endpoint("stations:operate_photo_add", WRITE, photo_add, method="POST", ok=302, sees=RUNS, expect=RUN_BY_OTHERS),
    Endpoint(
        "stations:operate_photo_remove", WRITE, photo_remove, method="POST", ok=302, sees=RUNS, expect=RUN_BY_OTHERS
    ),
    Endpoint("stations:feedback_reply", WRITE, reply_page, method="POST", ok=302, sees=RUNS, expect=RUN_BY_OTHERS),
    Endpoint("stations:feedback_spam", WRITE, spam_page, method="POST", ok=302, sees=RUNS, expect=RUN_BY_OTHERS),
    # Province console (organisation scope)
    Endpoint("stations:console", LIST, listed, sees=RUNS),
    Endpoint("stations:console", EXPORT, listed, sees=RUNS),
    # Without station.change anywhere the page does not exist.
    Endpoint("stations:create", DETAIL, lambda w: Target(), sees=frozenset({SIBLING, PARENT, SAME_NODE})),
    Endpoint(
        "stations:create",
        WRITE,
        create_page,
        method="POST",
        ok=302,
        # Without station.change anywhere the page does not exist; the sibling may register, but not for 武侯.
        expect={NO_ROLE: 404, WRONG_ROLE: 404, SIBLING: 422, OPERATOR: 404},
    ),
    # The gaps follow from the public directory: the same for every console user.
    Endpoint("stations:gaps", DETAIL, lambda w: Target(), sees=SIGNED_IN),
    Endpoint("stations:gaps", EXPORT, lambda w: Target(marker="最长无站路段（公里）"), sees=SIGNED_IN | {OPERATOR}),
    Endpoint("stations:funding", LIST, funding_listed),
    Endpoint("stations:funding", EXPORT, funding_listed),
    Endpoint("stations:funding_station", DETAIL, one),
    Endpoint("stations:funding_costs", WRITE, costs_page, method="POST", ok=302, expect={WRONG_ROLE: 404}),
    Endpoint("stations:funding_subsidy", WRITE, subsidy_page, method="POST", ok=302, expect={WRONG_ROLE: 404}),
    Endpoint(f"GET {API}/console/stations", LIST, listed, sees=RUNS),
    Endpoint(f"POST {API}/console/stations", WRITE, api_create, ok=201, expect={**NAMED_IN_BODY, OPERATOR: 422}),
    Endpoint(f"GET {API}/console/stations/{{station_id}}", DETAIL, lambda w: one(w, "station_id"), sees=RUNS),
    Endpoint(f"PATCH {API}/console/stations/{{station_id}}", WRITE, api_patch, sees=RUNS),
    Endpoint(f"GET {API}/console/feedback", LIST, api_feedback_list, sees=RUNS),
    Endpoint(f"GET {API}/console/checkins", LIST, api_checkins, sees=RUNS),
    Endpoint(f"GET {API}/console/funding", LIST, api_funding),
    Endpoint(f"GET {API}/console/gaps", DETAIL, lambda w: Target(), sees=SIGNED_IN),
    Endpoint(f"POST {API}/feedback/{{feedback_id}}/reply", WRITE, api_reply, sees=RUNS, expect=RUN_BY_OTHERS),
    Endpoint(f"POST {API}/feedback/{{feedback_id}}/spam", WRITE, api_spam, sees=RUNS, expect=RUN_BY_OTHERS),
    Endpoint(f"POST {API}/{{station_id}}/status", WRITE, api_status, sees=RUNS),
    Endpoint(
        f"POST {API}/{{station_id}}/costs",
        WRITE,
        api_costs,
        expect={OPERATOR: 403},
    ),
    Endpoint(f"POST {API}/{{station_id}}/subsidies", WRITE, api_subsidy, ok=201, expect={OPERATOR: 403}),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}


@cases(ENDPOINTS)
def test_scope(endpoint, actor, tree):
    check(endpoint, actor, with_operator(scope_world(tree)))

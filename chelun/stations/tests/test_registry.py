"""暖心之家 registry upkeep: the operator edits their own station and its photos, admins register new stations, and
the province console takes costs and subsidies (pages and the console API)."""

from __future__ import annotations

import datetime as dt
import re
import struct
import zlib
from typing import Any

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from chelun.core.errors import ValidationFailed
from chelun.core.geo import gcj02_to_wgs84
from chelun.core.ledger import account_balance
from chelun.orgs.choices import Role
from chelun.orgs.tests.factories import make_user
from chelun.stations import selectors, services
from chelun.stations.choices import Amenity, SecurityGrade, StationKind, StationStatus
from chelun.stations.forms.fields import parse_yuan
from chelun.stations.models import CostReport, Station, StationPhoto, SubsidyContribution
from chelun.stations.tests.factories import make_station

API = "/api/v1/stations"
STALE = "该记录已被他人修改，请刷新后重试"


def png_1x1() -> bytes:
    """A valid 1×1 RGB PNG, written by hand: signature, IHDR, one IDAT row, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # width, height, depth 8, colour type 2 (RGB)
    row = b"\x00\xc8\x10\x2e"  # filter byte 0, one red pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row)) + chunk(b"IEND", b"")


PNG = png_1x1()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    selectors.search_catalog.clear()
    yield
    selectors.search_catalog.clear()


@pytest.fixture
def operator(tree):
    return make_user("wuhou-op", first_name="王站长")


@pytest.fixture
def other_operator(tree):
    return make_user("jinjiang-op")


@pytest.fixture
def wuhou(tree, operator):
    return make_station(
        org=tree.wuhou_branch,
        name="武侯暖心之家",
        lon=104.04,
        lat=30.64,
        operators=[operator],
        truck_spaces=40,
        beds=6,
        lighting=True,
        contact_phone="028-12345678",
        amenities=[Amenity.TRUCK_PARKING, Amenity.SHOWER, Amenity.TOILET],
    )


@pytest.fixture
def jinjiang(tree, other_operator):
    return make_station(
        org=tree.jinjiang_branch, name="锦江暖心之家", lon=104.08, lat=30.65, operators=[other_operator]
    )


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def state(station: Station) -> tuple[Any, ...]:
    """Everything an edit could touch, to assert that a refused one touched nothing."""
    s = Station.objects.get(pk=station.pk)
    amenities = sorted(s.amenities.values_list("amenity", flat=True))
    fields = (s.name, s.kind, s.status, s.open_24h, s.opens_at, s.closes_at, s.truck_spaces, s.beds, s.lon, s.lat)
    return (*fields, s.cctv, s.guards, s.lighting, s.fence, s.security_grade, s.version, amenities)


def info_data(station: Station, **changes: Any) -> dict[str, Any]:
    """The info form as the page would post it for `station`, with `changes`."""
    s = Station.objects.get(pk=station.pk)
    data: dict[str, Any] = {
        "version": s.version,
        "name": s.name,
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
    }
    for flag in ("open_24h", "cctv", "guards", "lighting", "fence"):
        if getattr(s, flag):
            data[flag] = "on"
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)  # an unticked box is not posted
        else:
            data[key] = value
    return data


def media_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


# ---------------------------------------------------------------------------------------------------------------
# The operator edits their own station
# ---------------------------------------------------------------------------------------------------------------


def test_operate_page_links_to_the_info_page(operator, wuhou):
    page = login(operator).get(reverse("stations:operate", args=[wuhou.pk]))

    assert reverse("stations:operate_info", args=[wuhou.pk]) in page.text


def test_operator_edits_own_station_amenities_replaced_and_grade_recomputed(operator, wuhou):
    client = login(operator)
    page = client.get(reverse("stations:operate_info", args=[wuhou.pk]))
    assert page.status_code == 200
    assert page.context["form"]["version"].value() == 1
    assert 'name="amenities" value="shower" checked' in page.text

    response = client.post(
        reverse("stations:operate_info", args=[wuhou.pk]),
        info_data(
            wuhou,
            name="武侯暖心之家（二期）",
            kind=StationKind.TRUNK_ROAD,
            status=StationStatus.SUSPENDED,
            open_24h=None,
            opens_at="07:00",
            closes_at="23:30",
            truck_spaces="55",
            beds="8",
            carriageway="往双流方向",
            cctv="on",
            fence="on",
            amenities=[Amenity.SHOWER, Amenity.LAUNDRY, Amenity.WIFI],
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("stations:operate_info", args=[wuhou.pk])
    s = Station.objects.get(pk=wuhou.pk)
    # The kind is shown to operators but locked: the posted change is ignored, the rest is saved.
    assert (s.name, s.kind, s.status) == ("武侯暖心之家（二期）", StationKind.LOGISTICS_YARD, "suspended")
    assert page.context["form"].fields["kind"].disabled
    assert s.carriageway == "往双流方向"
    assert (s.open_24h, s.opens_at, s.closes_at) == (False, dt.time(7, 0), dt.time(23, 30))
    assert (s.truck_spaces, s.beds, s.version) == (55, 8, 2)
    assert (s.cctv, s.guards, s.lighting, s.fence) == (True, False, True, True)
    assert s.security_grade == SecurityGrade.GOLD  # three measures
    assert sorted(s.amenities.values_list("amenity", flat=True)) == ["laundry", "shower", "wifi"]


def test_htmx_save_answers_with_hx_redirect(operator, wuhou):
    response = login(operator).post(
        reverse("stations:operate_info", args=[wuhou.pk]), info_data(wuhou, beds="9"), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("stations:operate_info", args=[wuhou.pk])
    assert Station.objects.get(pk=wuhou.pk).beds == 9


@pytest.mark.parametrize("who", ["other_operator", "jinjiang_admin"])
def test_another_operator_or_sibling_admin_gets_404_and_nothing_changes(request, tree, wuhou, who):
    user = request.getfixturevalue(who) if who == "other_operator" else tree.jinjiang_admin
    request.getfixturevalue("jinjiang")
    before = state(wuhou)
    client = login(user)

    assert client.get(reverse("stations:operate_info", args=[wuhou.pk])).status_code == 404
    posted = client.post(reverse("stations:operate_info", args=[wuhou.pk]), info_data(wuhou, name="被改了"))
    photo = client.post(reverse("stations:operate_photo_add", args=[wuhou.pk]), {"image": upload("a.png", PNG)})

    assert (posted.status_code, photo.status_code) == (404, 404)
    assert state(wuhou) == before
    assert StationPhoto.objects.count() == 0


def test_stale_version_is_refused_with_the_conflict_message_and_nothing_changes(tree, operator, wuhou):
    client = login(operator)
    seen = info_data(wuhou)  # the operator opened the form at version 1 ...
    services.station_update(actor=tree.province_admin, station=wuhou, expected_version=1, beds=10)  # ... then this
    before = state(wuhou)

    response = client.post(reverse("stations:operate_info", args=[wuhou.pk]), {**seen, "name": "晚到的修改"})

    assert response.status_code == 409
    assert response.context["form"].non_field_errors() == [STALE]
    assert STALE in response.text
    assert state(wuhou) == before
    assert Station.objects.get(pk=wuhou.pk).beds == 10


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"open_24h": None, "opens_at": "07:00"}, "closes_at", "开门时间和关门时间需同时填写（或勾选 24 小时开放）"),
        ({"status": StationStatus.PLANNED}, "status", "站长只能将站点设为运营中或暂停服务"),
        ({"truck_spaces": "-1"}, "truck_spaces", "车位数不能为负数"),
        ({"amenities": ["sauna"]}, "amenities", "请选择列出的设施"),
    ],
)
def test_refused_info_edit_changes_nothing(operator, wuhou, changes, field, message):
    before = state(wuhou)

    response = login(operator).post(reverse("stations:operate_info", args=[wuhou.pk]), info_data(wuhou, **changes))

    assert response.status_code == 422
    assert response.context["form"].errors[field] == [message]
    assert state(wuhou) == before


# ---------------------------------------------------------------------------------------------------------------
# Admins register a station
# ---------------------------------------------------------------------------------------------------------------


def create_data(tree: Any, **changes: Any) -> dict[str, Any]:
    from chelun.core.models import Region

    data: dict[str, Any] = {
        "name": "双流物流园暖心之家",
        "organization": tree.wuhou_branch.pk,
        "region": Region.objects.get(code="510116").pk,  # 双流区
        "coord": "wgs84",
        "lon": "103.93",
        "lat": "30.57",
        "corridor_ref": "G5",
        "kind": StationKind.LOGISTICS_YARD,
        "station_class": "A",
        "status": StationStatus.OPEN,
        "truck_spaces": "80",
        "beds": "12",
        "open_24h": "on",
        "cctv": "on",
        "guards": "on",
        "amenities": [Amenity.TRUCK_PARKING, Amenity.SHOWER, Amenity.LAUNDRY],
    }
    data.update(changes)
    return data


def test_province_admin_creates_a_station_from_gcj02_and_wgs84_is_stored(tree):
    client = login(tree.province_admin)
    page = client.get(reverse("stations:console"))
    assert reverse("stations:create") in page.text
    form = client.get(reverse("stations:create"))
    assert form.status_code == 200
    assert f'value="{tree.jinjiang_branch.pk}"' in form.text

    response = client.post(reverse("stations:create"), create_data(tree, coord="gcj02", lon="103.9361", lat="30.5674"))

    station = Station.objects.get(name="双流物流园暖心之家")
    assert response.status_code == 302
    assert response["Location"] == reverse("stations:operate", args=[station.pk])
    assert (station.lon, station.lat) == gcj02_to_wgs84(103.9361, 30.5674)
    assert (station.organization, station.region.code, station.corridor_ref) == (tree.wuhou_branch, "510116", "G5")
    assert (station.station_class, station.truck_spaces, station.beds, station.open_24h) == ("A", 80, 12, True)
    assert station.security_grade == SecurityGrade.SILVER
    assert sorted(station.amenities.values_list("amenity", flat=True)) == ["laundry", "shower", "truck_parking"]


def test_wgs84_input_is_stored_as_typed(tree):
    login(tree.province_admin).post(reverse("stations:create"), create_data(tree))

    station = Station.objects.get(name="双流物流园暖心之家")
    assert (station.lon, station.lat) == (103.93, 30.57)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"lon": "30.57", "lat": "103.93"}, "lon", "坐标（经度 30.57，纬度 103.93）不在中国境内，请检查经纬度是否填反"),
        ({"amenities": ["sauna"]}, "amenities", "请选择列出的设施"),
        ({"region": "999999"}, "region", "请选择有效的区县"),
    ],
)
def test_refused_creation_writes_nothing(tree, changes, field, message):
    response = login(tree.province_admin).post(reverse("stations:create"), create_data(tree, **changes))

    assert response.status_code == 422
    assert response.context["form"].errors[field] == [message]
    assert Station.objects.count() == 0


def test_county_admin_registers_only_for_their_own_subtree(tree):
    client = login(tree.wuhou_admin)
    form = client.get(reverse("stations:create"))
    assert f'value="{tree.wuhou_branch.pk}"' in form.text
    assert f'value="{tree.jinjiang_branch.pk}"' not in form.text

    response = client.post(reverse("stations:create"), create_data(tree, organization=tree.jinjiang_branch.pk))

    assert response.status_code == 422
    assert response.context["form"].errors["organization"] == ["请选择有效的运营组织"]
    assert Station.objects.count() == 0


def test_operator_without_station_change_has_no_create_page(operator, wuhou):
    client = login(operator)

    assert client.get(reverse("stations:create")).status_code == 404
    assert client.post(reverse("stations:create"), {"name": "x"}).status_code == 404
    assert Station.objects.count() == 1


# ---------------------------------------------------------------------------------------------------------------
# Photos
# ---------------------------------------------------------------------------------------------------------------


def test_photo_upload_shows_in_the_public_gallery(settings, client, operator, wuhou):
    op = login(operator)

    response = op.post(
        reverse("stations:operate_photo_add", args=[wuhou.pk]),
        {"image": upload("停车场.png", PNG), "caption": "停车场"},
    )

    photo = StationPhoto.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("stations:operate_info", args=[wuhou.pk]) + "#photos"
    assert re.fullmatch(rf"stations/{wuhou.pk}/[0-9a-f]{{32}}\.png", photo.image.name)
    assert (photo.station, photo.caption) == (wuhou, "停车场")
    assert (settings.MEDIA_ROOT / photo.image.name).read_bytes() == PNG
    card = client.get(reverse("stations:detail", args=[wuhou.pk]))
    assert f'<img src="/media/{photo.image.name}" alt="停车场" loading="lazy" decoding="async">' in card.text


def test_htmx_upload_answers_with_the_photos_card(operator, wuhou):
    response = login(operator).post(
        reverse("stations:operate_photo_add", args=[wuhou.pk]),
        {"image": upload("a.jpg", JPEG, "image/jpeg")},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert response.text.startswith('<section class="card" id="photos">')
    assert "照片已上传" in response.text
    assert "1 / 12 张" in response.text


@pytest.mark.parametrize(("content", "extension"), [(PNG, "png"), (JPEG, "jpg"), (WEBP, "webp")])
def test_photo_type_comes_from_the_bytes_not_the_name(operator, wuhou, content, extension):
    photo = services.station_photo_add(actor=operator, station=wuhou, upload=upload("photo.gif", content), caption="")

    assert photo.image.name.endswith(f".{extension}")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is text, not a picture\n", "只能上传 JPEG、PNG 或 WebP 格式的照片（按文件内容识别）"),
        (b"GIF89a\x01\x00\x01\x00", "只能上传 JPEG、PNG 或 WebP 格式的照片（按文件内容识别）"),
        (PNG[:8] + bytes(5 * 1024 * 1024), "照片不能超过 5 MB（这张约 5.0 MB）"),
    ],
)
def test_refused_upload_stores_nothing(settings, operator, wuhou, content, message):
    response = login(operator).post(
        reverse("stations:operate_photo_add", args=[wuhou.pk]), {"image": upload("fake.png", content, "image/png")}
    )

    assert response.status_code == 422
    assert response.context["photo_form"].errors["image"] == [message]
    assert StationPhoto.objects.count() == 0
    assert media_files(settings) == []


def test_at_most_twelve_photos(settings, operator, wuhou):
    for n in range(12):
        services.station_photo_add(actor=operator, station=wuhou, upload=upload(f"{n}.png", PNG), caption=str(n))

    with pytest.raises(ValidationFailed) as refused:
        services.station_photo_add(actor=operator, station=wuhou, upload=upload("13.png", PNG), caption="")

    assert refused.value.message == "每个站点最多 12 张照片，请先删除不用的照片"
    assert StationPhoto.objects.count() == 12
    assert len(media_files(settings)) == 12


def test_operator_removes_a_photo_and_its_file(settings, operator, wuhou, django_capture_on_commit_callbacks):
    photo = services.station_photo_add(actor=operator, station=wuhou, upload=upload("a.png", PNG), caption="")

    with django_capture_on_commit_callbacks(execute=True):
        response = login(operator).post(reverse("stations:operate_photo_remove", args=[wuhou.pk, photo.pk]))

    assert response.status_code == 302
    assert StationPhoto.objects.count() == 0
    assert media_files(settings) == []


def test_another_operator_cannot_remove_a_photo(settings, operator, other_operator, wuhou, jinjiang):
    photo = services.station_photo_add(actor=operator, station=wuhou, upload=upload("a.png", PNG), caption="")
    client = login(other_operator)

    own_station_wrong_photo = client.post(reverse("stations:operate_photo_remove", args=[jinjiang.pk, photo.pk]))
    other_station = client.post(reverse("stations:operate_photo_remove", args=[wuhou.pk, photo.pk]))

    assert (own_station_wrong_photo.status_code, other_station.status_code) == (404, 404)
    assert list(StationPhoto.objects.values_list("pk", flat=True)) == [photo.pk]
    assert media_files(settings) == [photo.image.name]


# ---------------------------------------------------------------------------------------------------------------
# Funding entry
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fen"),
    [("12.34", 1234), ("12", 1200), ("12.3", 1230), (" 0.05 ", 5), ("0", 0), ("99999999.99", 9_999_999_999)],
)
def test_yuan_is_parsed_exactly_to_fen(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1.234", "金额最多精确到分（两位小数）"),
        ("-1", "金额不能为负数"),
        ("abc", "请输入金额（元），如 12.34"),
        ("1e3", "请输入金额（元），如 12.34"),
        ("NaN", "请输入金额（元），如 12.34"),
        ("1,000", "请输入金额（元），如 12.34"),
        ("100000000", "金额过大，请检查单位（元）"),
    ],
)
def test_bad_yuan_is_refused(text, message):
    with pytest.raises(forms.ValidationError) as refused:
        parse_yuan(text)

    assert refused.value.messages == [message]


def test_admin_enters_a_months_costs_in_yuan(tree, wuhou):
    client = login(tree.province_admin)
    funding = client.get(reverse("stations:funding"))
    assert reverse("stations:funding_station", args=[wuhou.pk]) in funding.text

    response = client.post(
        reverse("stations:funding_costs", args=[wuhou.pk]),
        {"month": "2026-10", "cost_staff": "6000", "cost_utilities": "12.34", "cost_other": ""},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("stations:funding_station", args=[wuhou.pk]) + "?month=2026-10#costs"
    assert sorted(CostReport.objects.values_list("month", "category", "amount_fen")) == [
        (dt.date(2026, 10, 1), "staff", 600_000),
        (dt.date(2026, 10, 1), "utilities", 1234),
    ]
    page = client.get(response["Location"])
    assert page.context["cost_form"]["cost_utilities"].value() == "12.34"
    assert page.context["cost_rows"][0][2] == "6,012.34"


@pytest.mark.parametrize(
    ("amount", "message"),
    [("1.234", "金额最多精确到分（两位小数）"), ("-1", "金额不能为负数"), ("abc", "请输入金额（元），如 12.34")],
)
def test_refused_cost_writes_nothing(tree, wuhou, amount, message):
    CostReport.objects.create(station=wuhou, month=dt.date(2026, 10, 1), category="staff", amount_fen=500)

    response = login(tree.province_admin).post(
        reverse("stations:funding_costs", args=[wuhou.pk]), {"month": "2026-10", "cost_utilities": amount}
    )

    assert response.status_code == 422
    assert response.context["cost_form"].errors["cost_utilities"] == [message]
    assert list(CostReport.objects.values_list("category", "amount_fen")) == [("staff", 500)]


def hidden_key(html: str) -> str:
    found = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_subsidy_double_submit_records_once(tree, wuhou):
    client = login(tree.province_admin)
    page = client.get(reverse("stations:funding_station", args=[wuhou.pk]))
    key = hidden_key(page.text)
    assert hidden_key(client.get(reverse("stations:funding_station", args=[wuhou.pk])).text) != key
    data = {"month": "2026-10", "source": "finance", "amount": "1234.56", "idempotency_key": key}
    url = reverse("stations:funding_subsidy", args=[wuhou.pk])

    first = client.post(url, data, headers={"HX-Request": "true"})
    second = client.post(url, data, headers={"HX-Request": "true"})

    assert (first.status_code, second.status_code) == (200, 200)
    assert "已登记补贴：2026年10月 财政 1234.56 元" in first.text
    assert "这笔补贴已登记过（2026年10月 财政 1234.56 元），未重复记账" in second.text
    assert hidden_key(first.text) != key  # the next entry gets a fresh key
    assert list(SubsidyContribution.objects.values_list("source", "amount_fen")) == [("finance", 123_456)]
    assert account_balance(f"station:{wuhou.pk}") == 123_456
    assert account_balance("funding:finance") == -123_456


def test_sibling_admin_cannot_see_or_post_funding_for_another_countys_station(tree, wuhou, jinjiang):
    client = login(tree.jinjiang_admin)
    own = client.get(reverse("stations:funding_station", args=[jinjiang.pk]))
    assert own.status_code == 200
    assert own.context["cost_form"] is not None
    key = hidden_key(own.text)

    page = client.get(reverse("stations:funding_station", args=[wuhou.pk]))
    costs = client.post(reverse("stations:funding_costs", args=[wuhou.pk]), {"month": "2026-10", "cost_staff": "1"})
    subsidy = client.post(
        reverse("stations:funding_subsidy", args=[wuhou.pk]),
        {"month": "2026-10", "source": "finance", "amount": "1", "idempotency_key": key},
    )

    assert (page.status_code, costs.status_code, subsidy.status_code) == (404, 404, 404)
    assert CostReport.objects.count() == 0
    assert SubsidyContribution.objects.count() == 0
    assert account_balance(f"station:{wuhou.pk}") == 0


def test_viewer_reads_funding_without_forms_and_cannot_post(tree, wuhou):
    viewer = make_user("province-viewer", org=tree.province, role=Role.VIEWER)
    CostReport.objects.create(station=wuhou, month=dt.date(2026, 10, 1), category="staff", amount_fen=600_000)
    client = login(viewer)

    page = client.get(reverse("stations:funding_station", args=[wuhou.pk]))
    posted = client.post(reverse("stations:funding_costs", args=[wuhou.pk]), {"month": "2026-10", "cost_staff": "1"})

    assert page.status_code == 200
    assert (page.context["cost_form"], page.context["subsidy_form"]) == (None, None)
    assert 'name="idempotency_key"' not in page.text
    assert page.context["cost_rows"][0][0] == dt.date(2026, 10, 1)
    assert posted.status_code == 404
    assert list(CostReport.objects.values_list("amount_fen", flat=True)) == [600_000]


# ---------------------------------------------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------------------------------------------


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, body, content_type="application/json")


def patch(client: Client, url: str, body: Any) -> Any:
    return client.patch(url, body, content_type="application/json")


def create_body(tree: Any, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "双流物流园暖心之家",
        "kind": "logistics_yard",
        "organization_id": tree.wuhou_branch.pk,
        "region": "510116",
        "lon": 103.9361,
        "lat": 30.5674,
        "coord_system": "gcj02",
        "truck_spaces": 80,
        "lighting": True,
        "amenities": ["shower", "truck_parking"],
    }
    body.update(changes)
    return body


def test_api_creates_a_station_from_gcj02(tree):
    response = post(login(tree.province_admin), f"{API}/console/stations", create_body(tree))

    assert response.status_code == 201
    body = response.json()
    station = Station.objects.get()
    assert body["id"] == station.pk
    assert (body["lon"], body["lat"]) == gcj02_to_wgs84(103.9361, 30.5674) == (station.lon, station.lat)
    assert (body["organization"]["id"], body["region_code"], body["version"]) == (tree.wuhou_branch.pk, "510116", 1)
    assert (body["security_grade"], body["can_manage"]) == ("bronze", True)
    assert [a["code"] for a in body["amenities"]] == ["shower", "truck_parking"]


@pytest.mark.parametrize(
    ("changes", "status", "code", "message"),
    [
        ({"amenities": ["sauna"]}, 422, "unknown_amenity", "未知设施：sauna"),
        (
            {"lon": 2.35, "lat": 48.85, "coord_system": "wgs84"},
            422,
            "outside_china",
            "坐标（经度 2.35，纬度 48.85）不在中国境内，请检查经纬度是否填反",
        ),
        ({"region": "999999"}, 422, "unknown_region", "未知的行政区划代码：999999"),
        ({"region": "510100"}, 422, "region_not_county", "请填写区县的行政区划代码（510100 是成都市）"),
    ],
)
def test_api_refused_creation_writes_nothing(tree, changes, status, code, message):
    response = post(login(tree.province_admin), f"{API}/console/stations", create_body(tree, **changes))

    assert response.status_code == status
    assert (response.json()["code"], response.json()["message"]) == (code, message)
    assert Station.objects.count() == 0


def test_api_sibling_admin_cannot_create_for_another_county(tree):
    response = post(login(tree.jinjiang_admin), f"{API}/console/stations", create_body(tree))

    assert response.status_code == 422
    assert response.json() == {
        "message": "组织不存在",
        "code": "unknown_organization",
        "extra": {"fields": {"organization_id": ["组织不存在"]}},
    }
    assert Station.objects.count() == 0


def test_api_operator_updates_own_station(operator, wuhou):
    response = patch(
        login(operator),
        f"{API}/console/stations/{wuhou.pk}",
        {"version": 1, "beds": 9, "cctv": True, "fence": True, "amenities": ["laundry", "wifi"]},
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["beds"], body["security_grade"]) == (2, 9, "gold")
    assert [a["code"] for a in body["amenities"]] == ["laundry", "wifi"]
    s = Station.objects.get(pk=wuhou.pk)
    assert (s.version, s.beds, s.name, s.truck_spaces) == (2, 9, "武侯暖心之家", 40)


def test_api_update_converts_gcj02(tree, operator, wuhou):
    as_operator = patch(
        login(operator), f"{API}/console/stations/{wuhou.pk}", {"version": 1, "lon": 104.05, "lat": 30.64}
    )
    assert as_operator.status_code == 403  # moving a station is the department's call, not the operator's
    assert as_operator.json()["code"] == "operator_field_reserved"

    response = patch(
        login(tree.wuhou_admin),
        f"{API}/console/stations/{wuhou.pk}",
        {"version": 1, "lon": 104.0461, "lat": 30.6378, "coord_system": "gcj02"},
    )

    assert response.status_code == 200
    assert (Station.objects.get(pk=wuhou.pk).lon, Station.objects.get(pk=wuhou.pk).lat) == gcj02_to_wgs84(
        104.0461, 30.6378
    )


def test_api_stale_update_is_409_and_changes_nothing(tree, operator, wuhou):
    services.station_update(actor=tree.province_admin, station=wuhou, expected_version=1, beds=10)
    before = state(wuhou)

    response = patch(login(operator), f"{API}/console/stations/{wuhou.pk}", {"version": 1, "beds": 3})

    assert response.status_code == 409
    assert response.json() == {"message": STALE, "code": "stale_version", "extra": {"current_version": 2}}
    assert state(wuhou) == before


@pytest.mark.parametrize("who", ["other_operator", "jinjiang_admin"])
def test_api_update_out_of_scope_is_404_and_changes_nothing(request, tree, wuhou, jinjiang, who):
    user = request.getfixturevalue(who) if who == "other_operator" else tree.jinjiang_admin
    before = state(wuhou)

    response = patch(login(user), f"{API}/console/stations/{wuhou.pk}", {"version": 1, "name": "被改了"})

    assert response.status_code == 404
    assert response.json() == {"message": "站点不存在", "code": "not_found", "extra": {}}
    assert state(wuhou) == before


def test_api_update_needs_both_coordinates(operator, wuhou):
    before = state(wuhou)

    response = patch(login(operator), f"{API}/console/stations/{wuhou.pk}", {"version": 1, "lon": 104.1})

    assert response.status_code == 422
    assert response.json()["message"] == "经度和纬度需同时提供"
    assert state(wuhou) == before


def test_api_writes_need_login(tree, wuhou):
    client = Client()
    before = state(wuhou)

    created = post(client, f"{API}/console/stations", create_body(tree))
    changed = patch(client, f"{API}/console/stations/{wuhou.pk}", {"version": 1, "name": "被改了", "beds": 9})

    assert (created.status_code, changed.status_code) == (401, 401)
    assert created.json() == changed.json() == {"message": "请先登录", "code": "not_authenticated", "extra": {}}
    assert list(Station.objects.values_list("name", flat=True)) == ["武侯暖心之家"]
    assert state(wuhou) == before

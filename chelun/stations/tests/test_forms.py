"""The operator's price list: which services it shows (services.station_priceable_services) and how a typed price
becomes 分 (PricesForm, through core.money)."""

from __future__ import annotations

import pytest

from chelun.stations import services
from chelun.stations.choices import FREE_BY_STANDARD, Amenity
from chelun.stations.forms.operate import PricesForm
from chelun.stations.tests.factories import make_station

BEDS = [(Amenity.BEDS.value, Amenity.BEDS.label, False)]


def prices_form(data: dict[str, str] | None = None, current: dict[str, tuple[int, str]] | None = None) -> PricesForm:
    return PricesForm(data, services=BEDS, initial_prices=current or {})


@pytest.mark.parametrize(
    ("typed", "fen"),
    [("1.5", 150), ("12", 1200), ("0", 0), ("0.01", 1), (" 35.50 ", 3550), ("9999999.99", 999_999_999)],
)
def test_a_typed_price_becomes_exact_fen(typed: str, fen: int) -> None:
    form = prices_form({"price_beds": typed, "unit_beds": " 晚 "})

    assert form.is_valid(), form.errors
    assert form.prices() == ({"beds": fen}, {"beds": "晚"})


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("10000000", "金额过大，请检查单位（元）"),  # 1,000 万元 does not fit the price column
        ("1.234", "金额最多精确到分（两位小数）"),
        ("-5", "金额不能为负数"),
        ("1e3", "请输入金额（元），如 12.34"),
    ],
)
def test_a_price_that_is_not_an_amount_is_refused_on_its_field(typed: str, message: str) -> None:
    form = prices_form({"price_beds": typed})

    assert not form.is_valid()
    assert form.errors == {"price_beds": [message]}


def test_a_blank_price_leaves_the_service_out_and_the_current_price_shows_in_yuan() -> None:
    blank = prices_form({"price_beds": ""})
    assert blank.is_valid()
    assert blank.prices() == ({}, {})

    shown = prices_form(current={"beds": (3550, "晚")})
    assert shown["price_beds"].value() == "35.50"
    assert shown["unit_beds"].value() == "晚"


@pytest.mark.django_db
def test_the_price_list_shows_priceable_services_offered_and_anything_already_priced(tree) -> None:
    station = make_station(
        org=tree.wuhou_branch,
        # WiFi is offered but never charged for; a price was once put on repair, which is no longer offered.
        amenities=[Amenity.WIFI, Amenity.BEDS, Amenity.SHOWER, Amenity.HOT_MEAL],
        prices={Amenity.REPAIR: 5000},
    )

    listed = services.station_priceable_services(station)

    assert listed == [Amenity.HOT_MEAL, Amenity.SHOWER, Amenity.BEDS, Amenity.REPAIR]
    assert [code in FREE_BY_STANDARD for code in listed] == [False, True, False, False]

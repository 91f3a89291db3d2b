"""The console offers a user only what is in their scope: region dropdowns list the regions their organisations
cover, and tabs with nothing in scope are not shown."""

import re

import pytest
from django.urls import reverse

from chelun.core.models import Region
from chelun.orgs.choices import Role
from chelun.orgs.tests.factories import make_user
from chelun.stations.console_scope import console_tabs, limit_region_choices, scope_region_ids
from chelun.stations.models import Station
from chelun.stations.tests.factories import make_station


def region_options(html, name="region"):
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r"<option value=\"[^\"]*\"[^>]*>([^<]*)</option>", select)


def test_a_county_admin_filters_the_console_by_their_county_only(client, tree):
    client.force_login(tree.wuhou_admin)

    page = client.get(reverse("stations:console"))

    assert page.status_code == 200
    assert region_options(page.text) == ["全部地区", "武侯区"]
    assert '<optgroup label="成都市">' in page.text


def test_a_city_admin_gets_the_city_and_its_counties(tree):
    chengdu_admin = make_user("chengdu-scope", org=tree.chengdu)
    chengdu = Region.objects.get(code="510100")

    allowed = scope_region_ids(chengdu_admin)

    assert allowed == {chengdu.pk, *Region.objects.filter(parent=chengdu).values_list("pk", flat=True)}


def test_the_province_admin_keeps_every_prefecture_and_county(client, tree):
    client.force_login(tree.province_admin)

    page = client.get(reverse("stations:console"))

    assert len(region_options(page.text)) == 1 + Region.objects.filter(level__in=("prefecture", "county")).count()


def test_the_create_form_lists_the_counties_of_the_admin_only(client, tree):
    client.force_login(tree.wuhou_admin)

    page = client.get(reverse("stations:create"))

    assert region_options(page.text) == ["请选择区县", "武侯区"]


def test_limit_region_choices_drops_empty_groups_and_keeps_the_blank():
    choices = [("", "全部地区"), ("成都市", [("1", "成都市（全市）"), ("2", "武侯区")]), ("绵阳市", [("3", "涪城区")])]

    assert limit_region_choices(choices, {2}) == [("", "全部地区"), ("成都市", [("2", "武侯区")])]
    assert limit_region_choices(choices, None) == choices


def test_tabs_with_nothing_in_scope_are_not_shown(client, tree):
    # Given a county admin with no station in their subtree, and a secretary who may not see funding
    secretary = make_user("sec-scope", org=tree.wuhou, role=Role.SECRETARY)
    client.force_login(tree.wuhou_admin)

    page = client.get(reverse("stations:console"))

    assert console_tabs(tree.wuhou_admin) == ["console", "gaps"]
    assert "经费保障" not in page.text and f'href="{reverse("stations:operate_list")}"' not in page.text
    # When a station opens in 武侯, the admin funds and runs it; the secretary still sees no funding
    make_station(org=tree.wuhou_branch, name="武侯暖心之家")
    assert console_tabs(tree.wuhou_admin) == ["console", "gaps", "funding", "operate"]
    assert console_tabs(secretary) == ["console", "gaps"]


@pytest.mark.parametrize("tab", ["funding", "operate"])
def test_a_synthetic_station_does_not_make_a_tab(tree, tab):
    station = make_station(org=tree.wuhou_branch, name="合成测试站")
    Station.objects.filter(pk=station.pk).update(is_demo_synthetic=True)

    assert tab not in console_tabs(tree.wuhou_admin)

"""Where `/` sends each kind of user (accounts.landing), and the menu each one sees."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from chelun.accounts.landing import Kind, landing_url, main_menu, user_kind
from chelun.accounts.models import User
from chelun.members.tests.factories import make_driver, make_person
from chelun.orgs.choices import Role
from chelun.orgs.tests.factories import make_user
from chelun.stations.tests.factories import make_station


@pytest.fixture
def operator(tree):
    user = User.objects.create_user(username="op-landing", password="Pass-word-123")
    make_station(org=tree.wuhou, operators=[user])
    return user


@pytest.fixture
def driver(tree):
    return User.objects.create_user(username="driver-landing", person=make_driver(org=tree.wuhou_branch))


def labels(user):
    return [item.label for item in main_menu(user)]


def test_an_anonymous_visitor_lands_on_the_station_finder_not_a_login(client, db):
    response = client.get("/")

    assert user_kind(AnonymousUser()) is Kind.VISITOR
    assert response.status_code == 302
    assert response["Location"] == reverse("stations:home")


def test_a_driver_lands_on_the_station_finder_with_their_record_in_the_menu(client, driver):
    client.force_login(driver)

    assert client.get("/")["Location"] == reverse("stations:home")
    assert labels(driver) == ["我的信息"]


def test_an_operator_lands_on_their_stations_and_sees_only_what_they_run(client, operator):
    client.force_login(operator)

    response = client.get("/", follow=True)

    assert response.redirect_chain == [(reverse("stations:operate_list"), 302)]
    assert "测试暖心之家" in response.text
    assert labels(operator) == ["我的站点"]
    assert "组织体系" not in response.text and "审计日志" not in response.text


def test_an_operator_login_lands_on_their_stations(client, operator):
    response = client.post(
        reverse("accounts:login"), {"tab": "staff", "username": "op-landing", "password": "Pass-word-123"}, follow=True
    )

    assert response.redirect_chain == [(reverse("home"), 302), (reverse("stations:operate_list"), 302)]


def test_a_county_admin_lands_on_the_console_with_the_station_console_in_the_menu(client, tree):
    client.force_login(tree.wuhou_admin)

    assert client.get("/")["Location"] == reverse("orgs:tree")
    assert labels(tree.wuhou_admin) == ["组织体系", "人员", "制度", "暖心之家管理", "审计日志"]


def test_a_role_holder_who_also_runs_a_station_is_an_official_with_their_record(tree):
    secretary = make_user(
        "sec-landing", org=tree.wuhou_branch, role=Role.SECRETARY, person=make_person(org=tree.wuhou_branch)
    )
    make_station(org=tree.wuhou, operators=[secretary])

    assert user_kind(secretary) is Kind.OFFICIAL
    assert landing_url(secretary) == reverse("orgs:tree")
    assert labels(secretary) == ["组织体系", "人员", "制度", "暖心之家管理", "审计日志", "我的信息"]


def test_the_current_page_is_marked_in_the_menu(client, operator, tree):
    client.force_login(operator)
    station = operator.operated_stations.get()

    page = client.get(reverse("stations:operate", args=[station.pk]))

    assert f'<a href="{reverse("stations:operate_list")}" aria-current="page">我的站点</a>' in page.text


def test_the_public_station_link_is_current_on_driver_pages_only(client, tree):
    client.force_login(tree.wuhou_admin)
    current = 'class="nav-stations" href="/stations/" aria-current="page"'

    assert current in client.get(reverse("stations:home")).text
    console = client.get(reverse("stations:console")).text
    assert current not in console
    assert f'<a href="{reverse("stations:console")}" aria-current="page">暖心之家管理</a>' in console

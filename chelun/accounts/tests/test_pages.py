import re

import pytest
from django.urls import reverse

from chelun.accounts.models import User
from chelun.accounts.sms import ConsoleSmsBackend
from chelun.members.tests.factories import make_driver

PASSWORD = "Pass-word-123"


@pytest.fixture
def outbox():
    ConsoleSmsBackend.outbox.clear()
    yield ConsoleSmsBackend.outbox
    ConsoleSmsBackend.outbox.clear()


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_login_page_shows_staff_tab_by_default_and_driver_tab_on_request(client, db):
    staff = client.get(reverse("accounts:login"))
    driver = client.get(reverse("accounts:login"), {"tab": "driver"})

    assert staff.status_code == 200
    assert 'name="password"' in staff.text and 'name="code"' not in staff.text
    assert driver.status_code == 200
    assert 'name="code"' in driver.text and "获取验证码" in driver.text and 'name="password"' not in driver.text


def test_staff_login_redirects_to_the_org_tree(client, tree):
    response = client.post(
        reverse("accounts:login"), {"tab": "staff", "username": "wuhou-admin", "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain == [(reverse("home"), 302), (reverse("orgs:tree"), 302)]
    assert logged_in_user_id(client) == str(tree.wuhou_admin.pk)


def test_login_keeps_a_local_next_url_and_ignores_a_foreign_one(client, tree):
    local = client.post(
        reverse("accounts:login") + "?next=/people/",
        {"tab": "staff", "username": "wuhou-admin", "password": PASSWORD, "next": "/people/"},
    )
    client.post(reverse("accounts:logout"))
    foreign = client.post(
        reverse("accounts:login"),
        {"tab": "staff", "username": "wuhou-admin", "password": PASSWORD, "next": "https://evil.example/"},
    )

    assert local["Location"] == "/people/"
    assert foreign["Location"] == reverse("home")


def test_wrong_password_shows_a_chinese_error_and_logs_nobody_in(client, tree):
    response = client.post(reverse("accounts:login"), {"tab": "staff", "username": "wuhou-admin", "password": "x"})

    assert response.status_code == 400
    assert "用户名或密码错误" in response.text
    assert logged_in_user_id(client) is None


def test_axes_locks_a_username_after_five_bad_passwords(client, tree):
    url = reverse("accounts:login")
    statuses = [
        client.post(url, {"tab": "staff", "username": "wuhou-admin", "password": f"wrong-{i}"}).status_code
        for i in range(5)
    ]

    locked = client.post(url, {"tab": "staff", "username": "wuhou-admin", "password": PASSWORD})
    other = client.post(url, {"tab": "staff", "username": "jinjiang-admin", "password": PASSWORD})

    assert statuses == [400, 400, 400, 400, 429]
    assert locked.status_code == 429
    assert "账号已暂时锁定" in locked.text
    assert other.status_code == 302  # the lock is per username, not per office network
    assert logged_in_user_id(client) == str(tree.jinjiang_admin.pk)


def test_driver_logs_in_with_the_code_sent_by_sms(client, tree, outbox, django_capture_on_commit_callbacks):
    person = make_driver(org=tree.wuhou_branch, name="李四", phone="13800001111")

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(reverse("accounts:otp_request"), {"phone": "138 0000 1111"})
    code = re.search(r"验证码是 (\d{6})", outbox[-1][1]).group(1)
    response = client.post(
        reverse("accounts:login"), {"tab": "driver", "phone": "13800001111", "code": code}, follow=True
    )

    assert sent.status_code == 200
    assert "验证码已通过短信发送" in sent.text
    assert [phone for phone, _ in outbox] == ["13800001111"]
    # A driver has no staff session: they land on the driver's pages, their record one tap away (我的信息).
    assert response.redirect_chain == [(reverse("home"), 302), (reverse("stations:home"), 302)]
    user = User.objects.get(pk=logged_in_user_id(client))
    assert user.person_id == person.pk
    me = client.get(reverse("members:me"))
    assert "李四" in me.text and "138****1111" in me.text


def test_otp_request_over_htmx_returns_only_the_driver_form(client, tree, outbox, django_capture_on_commit_callbacks):
    make_driver(org=tree.wuhou_branch, phone="13800002222")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:otp_request"), {"phone": "13800002222"}, headers={"HX-Request": "true"}
        )

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<form method="post" action="/accounts/login/"')
    assert "<html" not in response.text
    assert 'value="13800002222"' in response.text


def test_wrong_code_is_refused_with_the_service_message(client, tree, outbox, django_capture_on_commit_callbacks):
    make_driver(org=tree.wuhou_branch, phone="13800003333")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:otp_request"), {"phone": "13800003333"})
    code = re.search(r"验证码是 (\d{6})", outbox[-1][1]).group(1)
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    response = client.post(reverse("accounts:login"), {"tab": "driver", "phone": "13800003333", "code": wrong})

    assert response.status_code == 400
    assert "验证码错误或已过期" in response.text
    assert logged_in_user_id(client) is None


def test_otp_request_with_a_bad_phone_shows_the_phone_error(client, db, outbox):
    response = client.post(reverse("accounts:otp_request"), {"phone": "12345"})

    assert response.status_code == 400
    assert "手机号应为 11 位数字" in response.text
    assert outbox == []


def test_a_second_code_within_a_minute_is_refused(client, tree, outbox, django_capture_on_commit_callbacks):
    make_driver(org=tree.wuhou_branch, phone="13800004444")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:otp_request"), {"phone": "13800004444"})
        again = client.post(reverse("accounts:otp_request"), {"phone": "13800004444"})

    assert again.status_code == 400
    assert "验证码发送过于频繁" in again.text
    assert len(outbox) == 1


def test_logout_is_post_only_and_ends_the_session(client, tree):
    client.force_login(tree.wuhou_admin)

    refused = client.get(reverse("accounts:logout"))
    response = client.post(reverse("accounts:logout"))
    after = client.get(reverse("orgs:tree"))

    assert refused.status_code == 405
    assert response["Location"] == reverse("accounts:login")
    assert logged_in_user_id(client) is None
    assert after.status_code == 302 and after["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", ["members:me", "core:audit", "orgs:tree", "orgs:list", "orgs:rules", "members:list"])
def test_console_pages_require_login(client, db, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={reverse(name)}"


def test_an_htmx_request_without_a_session_is_sent_to_login_as_a_whole_page(client, db):
    response = client.get(
        reverse("members:list"), headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/people/?q=x"}
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('accounts:login')}?next=/people/%3Fq%3Dx"

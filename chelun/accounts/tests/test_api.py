"""Signing in through the API: password tokens with django-axes lock-out, driver one-time codes, and /me."""

import re

import pytest
from django.test import Client

from chelun.accounts.models import ApiToken, OneTimeCode
from chelun.accounts.sms import ConsoleSmsBackend
from chelun.members.tests.factories import make_driver
from chelun.orgs.tests.factories import make_user

PASSWORD = "Pass-word-123"  # what orgs.tests.factories.make_user sets
INVALID_CREDENTIALS = {"message": "用户名或密码错误", "code": "invalid_credentials", "extra": {}}
LOCKED_OUT = {"message": "登录失败次数过多，账号已暂时锁定，请稍后再试", "code": "locked_out", "extra": {}}


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def request_token(username, password):
    return post(Client(), "/api/v1/accounts/token", {"username": username, "password": password})


# --- password tokens ---------------------------------------------------------------------------------------------


def test_token_is_issued_for_good_credentials_and_authenticates(tree):
    response = request_token("wuhou-admin", PASSWORD)
    assert response.status_code == 201
    body = response.json()
    assert (body["token_type"], body["name"]) == ("Bearer", "api")
    token = ApiToken.objects.get()
    assert (token.user, token.prefix) == (tree.wuhou_admin, body["token"][:8])
    me = Client().get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert (me.status_code, me.json()["username"]) == (200, "wuhou-admin")


def test_wrong_password_is_401_and_issues_nothing(tree):
    response = request_token("wuhou-admin", "wrong-password")
    assert (response.status_code, response.json()) == (401, INVALID_CREDENTIALS)
    assert request_token("no-such-user", PASSWORD).json() == INVALID_CREDENTIALS
    assert ApiToken.objects.count() == 0


def test_token_endpoint_locks_a_username_after_five_failures(tree):
    statuses = [request_token("wuhou-admin", f"wrong-{i}").status_code for i in range(5)]
    # The fifth failure reaches the limit and is itself answered with the lock-out.
    assert statuses == [401, 401, 401, 401, 429]
    locked = request_token("wuhou-admin", PASSWORD)
    assert (locked.status_code, locked.json()) == (429, LOCKED_OUT)
    assert locked["Content-Type"] == "application/json; charset=utf-8"
    assert ApiToken.objects.count() == 0
    # The lock is per username: a colleague in the same office still signs in.
    assert request_token("jinjiang-admin", PASSWORD).status_code == 201
    assert list(ApiToken.objects.values_list("user__username", flat=True)) == ["jinjiang-admin"]


@pytest.mark.parametrize(
    ("body", "field"),
    [({"username": "wuhou-admin"}, "password"), ({"username": "", "password": "x"}, "username")],
)
def test_token_request_validation_is_422(tree, body, field):
    response = post(Client(), "/api/v1/accounts/token", body)
    assert (response.status_code, response.json()["code"], list(response.json()["extra"]["fields"])) == (
        422,
        "validation_error",
        [field],
    )
    assert ApiToken.objects.count() == 0


# --- driver one-time codes ---------------------------------------------------------------------------------------

OTP_SENT = {"message": "如果该手机号已登记，验证码已发送，5 分钟内有效"}


@pytest.fixture
def outbox():
    ConsoleSmsBackend.outbox.clear()
    yield ConsoleSmsBackend.outbox
    ConsoleSmsBackend.outbox.clear()


def test_driver_signs_in_with_a_code_and_sees_only_their_own_record(tree, outbox, django_capture_on_commit_callbacks):
    driver = make_driver(org=tree.wuhou_branch, name="王师傅", phone="13700001111")
    make_driver(org=tree.wuhou_branch, name="另一位司机", phone="13700002222")
    with django_capture_on_commit_callbacks(execute=True):
        sent = post(Client(), "/api/v1/accounts/otp/request", {"phone": "+86 137-0000-1111"})
    assert (sent.status_code, sent.json()) == (202, OTP_SENT)
    assert [phone for phone, _ in outbox] == ["13700001111"]
    code = re.search(r"\d{6}", outbox[0][1]).group(0)

    verified = post(Client(), "/api/v1/accounts/otp/verify", {"phone": "13700001111", "code": code})
    assert verified.status_code == 201
    auth = {"Authorization": f"Bearer {verified.json()['token']}"}
    me = Client().get("/api/v1/accounts/me", headers=auth).json()
    assert (me["person_id"], me["grants"], me["is_superuser"]) == (driver.pk, [], False)
    people = Client().get("/api/v1/members/people", headers=auth).json()
    assert [p["id"] for p in people["items"]] == [driver.pk]
    # The code works once.
    again = post(Client(), "/api/v1/accounts/otp/verify", {"phone": "13700001111", "code": code})
    assert (again.status_code, again.json()["code"]) == (400, "otp_invalid")
    assert ApiToken.objects.count() == 1


def test_wrong_code_is_refused_and_issues_nothing(tree, outbox, django_capture_on_commit_callbacks):
    make_driver(org=tree.wuhou_branch, phone="13700001111")
    with django_capture_on_commit_callbacks(execute=True):
        post(Client(), "/api/v1/accounts/otp/request", {"phone": "13700001111"})
    code = re.search(r"\d{6}", outbox[0][1]).group(0)
    wrong = "000000" if code != "000000" else "111111"
    response = post(Client(), "/api/v1/accounts/otp/verify", {"phone": "13700001111", "code": wrong})
    assert (response.status_code, response.json()) == (
        400,
        {"message": "验证码错误或已过期", "code": "otp_invalid", "extra": {}},
    )
    assert ApiToken.objects.count() == 0
    assert OneTimeCode.objects.get().attempts == 1


def test_unregistered_phone_gets_the_same_answer_and_no_code(tree, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(Client(), "/api/v1/accounts/otp/request", {"phone": "13799998888"})
    assert (response.status_code, response.json()) == (202, OTP_SENT)
    assert (outbox, OneTimeCode.objects.count()) == ([], 0)


@pytest.mark.parametrize("url", ["/api/v1/accounts/otp/request", "/api/v1/accounts/otp/verify"])
def test_bad_phone_is_422_on_the_phone_field(tree, outbox, url):
    response = post(Client(), url, {"phone": "12345", "code": "123456"})
    assert (response.status_code, response.json()) == (
        422,
        {
            "message": "手机号应为 11 位数字",
            "code": "phone_format",
            "extra": {"fields": {"phone": ["手机号应为 11 位数字"]}},
        },
    )
    assert OneTimeCode.objects.count() == 0


# --- /me ---------------------------------------------------------------------------------------------------------


def test_me_lists_the_users_role_grants(tree):
    client = Client()
    client.force_login(tree.wuhou_admin)
    response = client.get("/api/v1/accounts/me")
    assert response.status_code == 200
    assert response.json() == {
        "id": tree.wuhou_admin.pk,
        "username": "wuhou-admin",
        "name": "wuhou-admin",
        "is_superuser": False,
        "person_id": None,
        "grants": [
            {
                "organization_id": tree.wuhou.pk,
                "organization_name": "武侯区交通运输行业党委",
                "role": "admin",
                "role_label": "管理员",
            }
        ],
    }


def test_me_leaves_out_grants_on_dissolved_organisations(tree):
    user = make_user("dissolved-viewer", org=tree.fucheng_branch, role="viewer")
    tree.fucheng_branch.__class__.objects.filter(pk=tree.fucheng_branch.pk).update(status="dissolved")
    client = Client()
    client.force_login(user)
    assert client.get("/api/v1/accounts/me").json()["grants"] == []


def test_me_is_401_for_anonymous(db):
    response = Client().get("/api/v1/accounts/me")
    assert (response.status_code, response.json()) == (
        401,
        {"message": "请先登录", "code": "not_authenticated", "extra": {}},
    )

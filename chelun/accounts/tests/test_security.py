"""Sign-in hardening: the lock-out is per username and address (five anonymous tries no longer lock the province
admin out everywhere), an admin can lift it, one-time code requests answer alike for registered and unregistered
phones, and the console SMS backend does not hold every message."""

import json

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from chelun.accounts.models import ApiToken, OneTimeCode
from chelun.accounts.sms import ConsoleSmsBackend
from chelun.members.tests.factories import make_driver
from chelun.orgs.tests.factories import superuser

PASSWORD = "Pass-word-123"  # what orgs.tests.factories.make_user sets
OTP_SENT = {"message": "如果该手机号已登记，验证码已发送，5 分钟内有效"}
TOO_FREQUENT = {"message": "验证码发送过于频繁，请稍后再试", "code": "otp_too_frequent", "extra": {}}


def token(username: str, password: str, address: str) -> int:
    body = json.dumps({"username": username, "password": password})
    return Client(REMOTE_ADDR=address).post("/api/v1/accounts/token", body, content_type="application/json").status_code


def test_wrong_passwords_from_one_address_do_not_lock_the_user_out_elsewhere(tree):
    assert [token("province-admin", f"wrong-{i}", "203.0.113.9") for i in range(5)] == [401, 401, 401, 401, 429]
    # The attacker's address stays locked, even with the right password ...
    assert token("province-admin", PASSWORD, "203.0.113.9") == 429
    # ... while the admin, at the office, signs in.
    assert token("province-admin", PASSWORD, "10.51.0.7") == 201
    assert list(ApiToken.objects.values_list("user__username", flat=True)) == ["province-admin"]


def test_an_admin_unlocks_a_locked_user_from_the_user_admin(tree):
    assert [token("wuhou-admin", f"wrong-{i}", "203.0.113.9") for i in range(5)] == [401, 401, 401, 401, 429]
    assert AccessAttempt.objects.filter(username="wuhou-admin").count() == 1
    admin = Client()
    admin.force_login(superuser())
    response = admin.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock_logins", "_selected_action": [tree.wuhou_admin.pk]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["已解除 1 个账号的登录锁定（清除 1 条失败记录）"]
    assert AccessAttempt.objects.count() == 0
    assert token("wuhou-admin", PASSWORD, "203.0.113.9") == 201


@pytest.fixture
def outbox():
    ConsoleSmsBackend.outbox.clear()
    yield ConsoleSmsBackend.outbox
    ConsoleSmsBackend.outbox.clear()


def otp(phone: str) -> tuple[int, dict]:
    response = Client().post("/api/v1/accounts/otp/request", {"phone": phone}, content_type="application/json")
    return response.status_code, response.json()


def test_a_second_code_request_answers_alike_for_registered_and_unregistered_phones(
    tree, outbox, django_capture_on_commit_callbacks
):
    make_driver(org=tree.wuhou_branch, phone="13700001111")
    with django_capture_on_commit_callbacks(execute=True):
        firsts = [otp("13700001111"), otp("13799998888")]
        seconds = [otp("13700001111"), otp("13799998888")]
    assert firsts == [(202, OTP_SENT), (202, OTP_SENT)]
    assert seconds == [(400, TOO_FREQUENT), (400, TOO_FREQUENT)]
    # Only the driver got a code, once.
    assert ([phone for phone, _ in outbox], OneTimeCode.objects.count()) == (["13700001111"], 1)


def test_the_console_backend_keeps_only_the_last_messages(outbox):
    backend = ConsoleSmsBackend()
    for i in range(ConsoleSmsBackend.OUTBOX_LIMIT + 5):
        backend.send("13700001111", f"message {i}")
    assert len(outbox) == ConsoleSmsBackend.OUTBOX_LIMIT
    assert (outbox[0][1], outbox[-1][1]) == ("message 5", f"message {ConsoleSmsBackend.OUTBOX_LIMIT + 4}")

"""The OTP login finds its driver through the members selector (person_by_phone_hash), not members' models."""

import re

from django.test import Client

from chelun.accounts.models import ApiToken
from chelun.accounts.tests.test_api import outbox, post  # noqa: F401 (fixture)
from chelun.core.crypto import pii_cipher
from chelun.members.models import Person
from chelun.members.selectors import person_by_phone_hash
from chelun.members.tests.factories import make_driver


def test_person_by_phone_hash_finds_the_phone_and_nothing_else(tree):
    driver = make_driver(org=tree.wuhou_branch, phone="13700001111")
    make_driver(org=tree.wuhou_branch, phone="13700002222")
    assert person_by_phone_hash(phone_hash=pii_cipher().lookup_hash("13700001111")) == driver
    assert person_by_phone_hash(phone_hash=pii_cipher().lookup_hash("13700003333")) is None


def test_a_code_for_a_person_deleted_since_is_refused_not_a_500(tree, outbox, django_capture_on_commit_callbacks):  # noqa: F811
    driver = make_driver(org=tree.wuhou_branch, phone="13700001111")
    with django_capture_on_commit_callbacks(execute=True):
        post(Client(), "/api/v1/accounts/otp/request", {"phone": "13700001111"})
    code = re.search(r"\d{6}", outbox[0][1]).group(0)
    Person.objects.filter(pk=driver.pk).delete()
    response = post(Client(), "/api/v1/accounts/otp/verify", {"phone": "13700001111", "code": code})
    assert (response.status_code, response.json()["code"]) == (400, "otp_invalid")
    assert ApiToken.objects.count() == 0

"""With DEBUG off the settings refuse, at start-up and with a message naming the setting, what used to pass and fail
later: the console SMS backend (it prints phones and codes), malformed PII keys, a too short hash key."""

import pytest
from cryptography.fernet import Fernet

from chelun.core.tests.test_settings import _run

GOOD = {
    "DEBUG": "0",
    "SECRET_KEY": "k3y-" + "a1B2c3D4e5F6g7H8i9J0" * 3,
    "PII_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "PII_HASH_KEY": "h" * 32,
    "ALLOWED_HOSTS": "chelun.example.gov.cn",
    "SMS_HTTP_URL": "https://sms-adapter.internal/send",
}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"SMS_BACKEND": "console"},
            'SMS_BACKEND must be "http" when DEBUG is off (the console backend prints codes).',
        ),
        (
            {"SMS_HTTP_URL": ""},
            "SMS_HTTP_URL must be the https:// address of the SMS adapter when SMS_BACKEND is http and DEBUG is off.",
        ),
        (
            {"SMS_HTTP_URL": "http://sms-adapter.internal/send"},
            "SMS_HTTP_URL must be the https:// address of the SMS adapter when SMS_BACKEND is http and DEBUG is off.",
        ),
        ({"SMS_BACKEND": "carrier-pigeon"}, 'SMS_BACKEND must be "console" or "http", not \'carrier-pigeon\'.'),
        (
            {"PII_ENCRYPTION_KEYS": f"{Fernet.generate_key().decode()},not-a-key"},
            "PII_ENCRYPTION_KEYS: key 2 of 2 is not a Fernet key",
        ),
        ({"PII_HASH_KEY": "x"}, "PII_HASH_KEY is unusable: hash_key must be at least 16 bytes."),
    ],
)
def test_production_refuses_to_start_with_unusable_settings(overrides, message):
    result = _run({**GOOD, **overrides}, "check")
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {message}" in result.stderr


def test_production_with_good_settings_starts():
    result = _run(GOOD, "check")
    assert result.returncode == 0, result.stderr

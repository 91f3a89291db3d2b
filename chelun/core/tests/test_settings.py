"""Production settings refuse to start without real keys, and pass Django's deployment checks with them."""

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[3]


def _run(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    dropped = {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env_overrides})
    return subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_secret_key():
    result = _run({"DEBUG": "0"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_pii_keys():
    result = _run({"DEBUG": "0", "SECRET_KEY": "x" * 60}, "check")
    assert result.returncode != 0
    assert "PII_ENCRYPTION_KEYS and PII_HASH_KEY must be set" in result.stderr


def test_check_deploy_passes_with_production_settings():
    result = _run(
        {
            "DEBUG": "0",
            "SECRET_KEY": "k3y-" + "a1B2c3D4e5F6g7H8i9J0" * 3,
            "PII_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "PII_HASH_KEY": "h" * 32,
            "ALLOWED_HOSTS": "chelun.example.gov.cn",
            # Production sends codes through the SMS adapter; the console backend is refused (test_production.py).
            "SMS_HTTP_URL": "https://sms-adapter.internal/send",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_cache_is_shared_through_redis_when_redis_url_is_set():
    show = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    with_redis = _run({"DEBUG": "1", "REDIS_URL": "redis://127.0.0.1:6379/15"}, "shell", "-c", show)
    without = _run({"DEBUG": "1", "REDIS_URL": ""}, "shell", "-c", show)
    # The shell prints a line about its automatic imports first: the answer is the last line.
    assert with_redis.stdout.splitlines()[-1] == "django.core.cache.backends.redis.RedisCache", with_redis.stderr
    assert without.stdout.splitlines()[-1] == "django.core.cache.backends.locmem.LocMemCache", without.stderr

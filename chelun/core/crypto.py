"""The platform's PII cipher, built once from settings (keys come from the environment)."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from chelun.core.pii import PiiCipher


@lru_cache(maxsize=1)
def pii_cipher() -> PiiCipher:
    return PiiCipher(list(settings.PII_ENCRYPTION_KEYS), settings.PII_HASH_KEY)

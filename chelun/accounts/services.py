"""Login use cases: driver one-time codes and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from chelun.accounts.models import ApiToken, OneTimeCode, User
from chelun.accounts.sms import get_sms_backend
from chelun.core.crypto import pii_cipher
from chelun.core.errors import ApplicationError
from chelun.core.pii import clean_phone
from chelun.members.selectors import person_by_phone_hash


def _code_hash(phone_hash: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone_hash}:{code}".encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def otp_request(*, phone: str, now: dt.datetime | None = None) -> None:
    """Send a 6-digit code to `phone`. Answers the same whether or not the phone is registered, so the form cannot
    be used to find out who is a driver: a second request for the same phone within OTP_RESEND_SECONDS is refused
    (ApplicationError otp_too_frequent) for a registered and an unregistered phone alike. The limit is kept in the
    cache (atomic `add`, shared by every worker through Redis), never in the codes, which exist only for drivers."""
    now = now or timezone.now()
    phone = clean_phone(phone)
    phone_hash = pii_cipher().lookup_hash(phone)
    if not cache.add(f"accounts:otp-request:{phone_hash}", now.timestamp(), timeout=settings.OTP_RESEND_SECONDS):
        raise ApplicationError("验证码发送过于频繁，请稍后再试", "otp_too_frequent")
    if person_by_phone_hash(phone_hash=phone_hash) is None:
        return
    code = f"{secrets.randbelow(10**6):06d}"
    OneTimeCode.objects.create(
        phone_hash=phone_hash,
        code_hash=_code_hash(phone_hash, code),
        expires_at=now + dt.timedelta(seconds=settings.OTP_TTL_SECONDS),
    )
    transaction.on_commit(lambda: get_sms_backend().send(phone, f"【车轮党建】您的登录验证码是 {code}，5 分钟内有效。"))


def otp_verify(*, phone: str, code: str, now: dt.datetime | None = None) -> User:
    """Check the code and return the driver's user (created on first login). Each code works once, expires, and
    allows OTP_MAX_ATTEMPTS wrong tries (a wrong try is counted even though the call fails)."""
    now = now or timezone.now()
    phone = clean_phone(phone)
    phone_hash = pii_cipher().lookup_hash(phone)
    error = ApplicationError("验证码错误或已过期", "otp_invalid")
    with transaction.atomic():
        otp = (
            OneTimeCode.objects.select_for_update()
            .filter(phone_hash=phone_hash, consumed_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if otp is None or otp.attempts >= settings.OTP_MAX_ATTEMPTS:
            raise error
        matches = hmac.compare_digest(otp.code_hash, _code_hash(phone_hash, (code or "").strip()))
        if matches:
            OneTimeCode.objects.filter(pk=otp.pk).update(consumed_at=now)
            person = person_by_phone_hash(phone_hash=phone_hash)
            if person is None:  # the person was deleted after the code was sent
                raise error
            user = User.objects.filter(person=person).first()
            if user is None:
                user = User(username=f"driver-{person.pk}", person=person, first_name=person.name)
                user.set_unusable_password()
                user.save()
            return user
        OneTimeCode.objects.filter(pk=otp.pk).update(attempts=F("attempts") + 1)
    raise error


def api_token_create(*, user: User, name: str, ttl_days: int | None = 90) -> tuple[ApiToken, str]:
    """Issue a bearer token; the clear key is returned once and never stored."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=hashlib.sha256(key.encode()).hexdigest(),
        prefix=key[:8],
        expires_at=timezone.now() + dt.timedelta(days=ttl_days) if ttl_days else None,
    )
    return token, key


def api_token_authenticate(key: str) -> Any:
    """The active user behind a bearer key, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hashlib.sha256(key.encode()).hexdigest(), user__is_active=True)
        .first()
    )
    if token is None or (token.expires_at and token.expires_at <= timezone.now()):
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def otp_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete codes past their expiry (they are useless, and even hashes of phones should not pile up)."""
    deleted, _ = OneTimeCode.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted

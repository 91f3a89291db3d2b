"""SMS gateway interface. `console` prints (development); `http` posts JSON to a provider adapter URL."""

from __future__ import annotations

import json
import logging
import urllib.request
from typing import Protocol

from django.conf import settings

from chelun.core.errors import ApplicationError

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleSmsBackend:
    """Development only (the settings refuse it when DEBUG is off): prints each message, and keeps the last
    OUTBOX_LIMIT for tests and the dev console, so a long-running dev server does not hold every message."""

    OUTBOX_LIMIT = 100
    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.outbox.append((phone, text))
        del self.outbox[: -self.OUTBOX_LIMIT]
        print(f"[SMS to {phone}] {text}", flush=True)


class HttpSmsBackend:
    def __init__(self, url: str, token: str, timeout: float = 5.0) -> None:
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, phone: str, text: str) -> None:
        body = json.dumps({"phone": phone, "text": text}).encode()
        if not self.url.startswith(("https://", "http://")):
            raise ApplicationError("短信网关地址配置有误", "sms_misconfigured")
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                if response.status >= 300:
                    raise ApplicationError("短信发送失败，请稍后再试", "sms_failed")
        except OSError as exc:
            logger.warning("SMS gateway error: %s", exc)
            raise ApplicationError("短信发送失败，请稍后再试", "sms_failed") from exc


def get_sms_backend() -> SmsBackend:
    if settings.SMS_BACKEND == "http":
        return HttpSmsBackend(settings.SMS_HTTP_URL, settings.SMS_HTTP_TOKEN)
    return ConsoleSmsBackend()

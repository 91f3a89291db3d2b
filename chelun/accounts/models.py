from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A login. Staff log in with username and password; drivers with phone and a one-time code, and are then
    linked to their `person` record (a driver sees only their own records)."""

    person = models.OneToOneField(
        "members.Person", verbose_name="人员", on_delete=models.SET_NULL, null=True, blank=True, related_name="user"
    )

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]
        verbose_name = "用户"
        verbose_name_plural = "用户"


class ApiToken(models.Model):
    """A bearer token for app clients. Only a hash is stored; the token is shown once when issued."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("名称", max_length=64)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class OneTimeCode(models.Model):
    """A login code sent by SMS to a driver's phone. Only hashes are stored."""

    phone_hash = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "验证码"
        verbose_name_plural = "验证码"

    def __str__(self) -> str:
        return f"验证码 {self.created_at:%Y-%m-%d %H:%M}"

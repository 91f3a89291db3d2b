"""Test builders for appeals."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from chelun.accounts.models import User
from chelun.appeals import services
from chelun.appeals.models import Appeal, Category
from chelun.appeals.sla import BEIJING
from chelun.core.models import Region
from chelun.members.tests.factories import make_driver
from chelun.orgs.models import Organization

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def monday(hour: int = 10, day: int = 23) -> dt.datetime:
    """Mon 2026-11-23 (an ordinary working week), Beijing time."""
    return dt.datetime(2026, 11, day, hour, 0, tzinfo=BEIJING)


def driver_user(username: str, *, org: Organization, name: str = "张三") -> User:
    person = make_driver(org=org, name=name)
    return User.objects.create_user(username=username, password="Pass-word-123", person=person)


def category(code: str) -> Category:
    ensure_defaults()
    return Category.objects.get(code=code)


def ensure_defaults() -> None:
    """A transactional (browser) test flushes the migration's seeded rows: put them back."""
    from chelun.appeals.defaults import seed_articles, seed_defaults
    from chelun.appeals.models import Article, ArticleToken, RoutingRule

    if not Category.objects.exists():
        seed_defaults(Category, RoutingRule)
        seed_articles(Article, ArticleToken, Category)


def submit(driver: User, *, code: str = "unpaid_freight", region_code: str | None = "510107", **kw: Any) -> Appeal:
    kw.setdefault("description", "货主拖欠运费 8000 元，已逾期两个月")
    kw.setdefault("at", monday())
    region = Region.objects.get(code=region_code) if region_code else None
    return services.appeal_submit(actor=driver, category=category(code), region=region, **kw)


def png(size: int = 72, head: bytes = PNG) -> io.BytesIO:
    data = head[:size] + b"\x00" * max(0, size - len(head))
    upload = io.BytesIO(data)
    upload.name = "x.png"
    return upload

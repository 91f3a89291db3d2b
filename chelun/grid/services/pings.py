"""Location consent, ping batches, the hourly roll-up and retention.

A batch is accepted or refused as a whole: every item is checked first and the refusal lists each bad item with its
reason (PingRejection), so the phone can drop or fix them and resend; nothing of a refused batch is stored.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncHour
from django.utils import timezone

from chelun.core.errors import Forbidden, ValidationFailed
from chelun.core.geo import EARTH_RADIUS_KM
from chelun.grid.choices import PingRejection
from chelun.grid.engine import NO_BRANCH
from chelun.grid.index import SICHUAN_BBOX, grid_engine
from chelun.grid.models import CellHourAggregate, DriverPosition, LocationConsent, LocationPing, RollupRun

MAX_BATCH = 1_000  # ~8 hours at one ping every 30 s: what a phone collects on a long dead stretch
MAX_TRUCK_KMH = 150.0  # a loaded truck's limit is 100 km/h; GPS noise and an empty downhill stay under 150
FUTURE_SKEW = dt.timedelta(minutes=5)  # phones' clocks run a little ahead
JUMP_MIN_KM = 1.0  # below this, a "jump" is GPS noise, whatever the time between fixes


def retention_days() -> int:
    return int(getattr(settings, "GRID_PING_RETENTION_DAYS", 30))


@dataclass(frozen=True)
class PingItem:
    client_id: str
    at: dt.datetime
    lat: float
    lng: float


@dataclass(frozen=True)
class BatchResult:
    accepted: int
    duplicates: int


def consent_given(person: Any) -> bool:
    return LocationConsent.objects.filter(person=person, given=True).exists()


@transaction.atomic
def consent_set(*, person: Any, given: bool, at: dt.datetime | None = None) -> LocationConsent:
    """Record the person's consent (the audit log keeps every change). Withdrawing stops pings at once (the next
    batch is refused) and purges the raw track and the latest position; hourly aggregates hold no person."""
    now = at or timezone.now()
    consent, _ = LocationConsent.objects.select_for_update().get_or_create(
        person=person, defaults={"given": given, "changed_at": now}
    )
    if consent.given != given:
        consent.given = given
        consent.changed_at = now
        consent.save(update_fields=["given", "changed_at"])
    if not given:
        LocationPing.objects.filter(person=person).delete()
        DriverPosition.objects.filter(person=person).delete()
    return consent


def _pairwise_km(lat1: np.ndarray, lng1: np.ndarray, lat2: np.ndarray, lng2: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, a)))


def _check(
    items: Sequence[PingItem], last: DriverPosition | None, now: dt.datetime, stored: set[str]
) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []

    def flag(k: int, reason: PingRejection) -> None:
        problems.append({"index": k, "client_id": items[k].client_id, "reason": reason.value, "message": reason.label})

    west, south, east, north = SICHUAN_BBOX
    oldest = now - dt.timedelta(days=retention_days())
    seen: set[str] = set()
    good: list[int] = []
    for k, p in enumerate(items):
        if not (math.isfinite(p.lat) and math.isfinite(p.lng) and -90 <= p.lat <= 90 and -180 <= p.lng <= 180):
            flag(k, PingRejection.IMPOSSIBLE)
        elif not (south <= p.lat <= north and west <= p.lng <= east):
            flag(k, PingRejection.OUTSIDE)
        elif p.at > now + FUTURE_SKEW:
            flag(k, PingRejection.FUTURE)
        elif p.at < oldest:
            flag(k, PingRejection.TOO_OLD)
        elif p.client_id in seen:
            flag(k, PingRejection.DUPLICATE_IN_BATCH)
        else:
            good.append(k)
        seen.add(p.client_id)
    # Speed between consecutive fixes in time order, the last stored position among them (a phone's offline
    # backlog can be older than it). Pings already stored (a resend) were checked when they came.
    chain = [(items[k].at.timestamp(), items[k].lat, items[k].lng, k) for k in good if items[k].client_id not in stored]
    if last is not None:
        chain.append((last.at.timestamp(), last.lat, last.lng, -1))
    chain.sort()
    if len(chain) > 1:
        secs = np.array([c[0] for c in chain])
        lat = np.array([c[1] for c in chain])
        lng = np.array([c[2] for c in chain])
        km = _pairwise_km(lat[:-1], lng[:-1], lat[1:], lng[1:])
        hours = np.diff(secs) / 3600.0
        with np.errstate(divide="ignore", invalid="ignore"):
            too_fast = (km > JUMP_MIN_KM) & ((hours <= 0) | (km / np.where(hours <= 0, 1, hours) > MAX_TRUCK_KMH))
        for pos in np.flatnonzero(too_fast):
            later, earlier = chain[pos + 1][3], chain[pos][3]
            flag(later if later >= 0 else earlier, PingRejection.TOO_FAST)
    return sorted(problems, key=lambda p: p["index"])


def _sqlite_datetime(value: dt.datetime) -> str:
    """What Django's SQLite backend stores for an aware datetime with USE_TZ (naive UTC, ISO with a space), without
    its per-value checks: the values here are aware already."""
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")


_PING_COLUMNS = ("person_id", "client_id", "at", "lat", "lng", "cell", "branch_id", "received_at")


def _insert_pings(rows: list[tuple[Any, ...]]) -> None:
    """One multi-row INSERT per chunk, ON CONFLICT DO NOTHING (a copy of the batch racing this one stores it once).
    Plain SQL rather than bulk_create: building and adapting a model instance per ping was three quarters of a
    batch's time. Datetimes go through the backend's own adaptation, so rows read back exactly as the ORM's."""
    table = connection.ops.quote_name(LocationPing._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _PING_COLUMNS)
    adapt = _sqlite_datetime if connection.vendor == "sqlite" else connection.ops.adapt_datetimefield_value
    chunk = 100  # 8 parameters a row: within SQLite's 999-parameter limit on old builds
    with connection.cursor() as cursor:
        for s in range(0, len(rows), chunk):
            part = rows[s : s + chunk]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(part))
            params: list[Any] = []
            for pid, cid, at, lat, lng, cell, branch_id, received in part:
                params += [pid, cid, adapt(at), lat, lng, cell, branch_id, adapt(received)]
            sql = f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT DO NOTHING"  # noqa: S608 (names only)
            cursor.execute(sql, params)


def pings_record(*, person: Any, items: Sequence[PingItem], now: dt.datetime | None = None) -> BatchResult:
    """Store a batch of the person's pings, each with its cell and responsible branch; update their position.

    Refuses (nothing stored): no consent (403 no_consent), an empty or oversized batch (422), any bad item
    (422 batch_rejected, extra.items = [{index, client_id, reason, message}]). Pings whose client id was already
    stored for this person are skipped and counted as duplicates, so a resent batch is harmless.
    """
    now = now or timezone.now()
    if not consent_given(person):
        raise Forbidden("未授权位置信息，不能上传位置", "no_consent")
    if not items:
        raise ValidationFailed("批次为空", "empty_batch")
    if len(items) > MAX_BATCH:
        raise ValidationFailed(f"每批最多 {MAX_BATCH} 个位置点", "batch_too_large", {"max": MAX_BATCH})
    last = DriverPosition.objects.filter(person=person).first()
    existing = set(
        LocationPing.objects.filter(person=person, client_id__in=[p.client_id for p in items]).values_list(
            "client_id", flat=True
        )
    )
    problems = _check(items, last, now, existing)
    if problems:
        raise ValidationFailed(f"批次被拒绝：{len(problems)} 个位置点有误", "batch_rejected", {"items": problems})
    fresh = [p for p in items if p.client_id not in existing]
    if fresh:
        cells, branches = grid_engine.get().assign(np.array([p.lat for p in fresh]), np.array([p.lng for p in fresh]))
        rows = [
            (person.pk, p.client_id, p.at, p.lat, p.lng, int(c), None if b == NO_BRANCH else int(b), now)
            for p, c, b in zip(fresh, cells.tolist(), branches.tolist(), strict=True)
        ]
        with transaction.atomic():
            if not LocationConsent.objects.select_for_update().filter(person=person, given=True).exists():
                raise Forbidden("未授权位置信息，不能上传位置", "no_consent")  # withdrawn while we checked
            _insert_pings(rows)
            _, _, at, lat, lng, cell, branch_id, _ = max(rows, key=lambda r: r[2])
            if last is None or at >= last.at:
                DriverPosition.objects.update_or_create(
                    person_id=person.pk,
                    defaults={"at": at, "lat": lat, "lng": lng, "cell": cell, "branch_id": branch_id},
                )
    return BatchResult(accepted=len(fresh), duplicates=len(items) - len(fresh))


@transaction.atomic
def pings_roll_up(*, now: dt.datetime | None = None) -> RollupRun:
    """Re-aggregate every hour that received pings since the previous run into CellHourAggregate, then delete raw
    pings older than the retention (on SQLite row by row; on PostgreSQL the design drops the day's partition).
    Idempotent: running twice gives the same aggregates."""
    now = now or timezone.now()
    previous = RollupRun.objects.order_by("-started_at").first()
    fresh = (
        LocationPing.objects.all()
        if previous is None
        else LocationPing.objects.filter(received_at__gte=previous.started_at)
    )
    hours = sorted(set(fresh.annotate(h=TruncHour("at")).values_list("h", flat=True).distinct()))
    for hour in hours:
        in_hour = LocationPing.objects.filter(at__gte=hour, at__lt=hour + dt.timedelta(hours=1))
        rows = in_hour.values("cell").annotate(
            n=Count("id"),
            d=Count("person", distinct=True),
            pd=Count("person", distinct=True, filter=Q(person__party_profile__isnull=False)),
        )
        CellHourAggregate.objects.filter(hour=hour).delete()
        CellHourAggregate.objects.bulk_create(
            CellHourAggregate(cell=r["cell"], hour=hour, pings=r["n"], drivers=r["d"], party_drivers=r["pd"])
            for r in rows
        )
    deleted, _ = LocationPing.objects.filter(at__lt=now - dt.timedelta(days=retention_days())).delete()
    return RollupRun.objects.create(started_at=now, hours=len(hours), deleted=deleted)

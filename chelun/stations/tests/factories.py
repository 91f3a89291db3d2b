"""Test builders for stations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chelun.core.models import Region
from chelun.orgs.models import Organization
from chelun.orgs.tests.factories import superuser
from chelun.stations import services
from chelun.stations.choices import Amenity, StationKind

DEFAULT_AMENITIES = (Amenity.TRUCK_PARKING, Amenity.SHOWER, Amenity.HOT_WATER, Amenity.TOILET)


def make_station(
    *, org: Organization, name: str = "测试暖心之家", lon: float = 104.0, lat: float = 30.6, **fields: Any
) -> Any:
    fields.setdefault("kind", StationKind.LOGISTICS_YARD)
    fields.setdefault("truck_spaces", 40)
    fields.setdefault("open_24h", True)
    amenities = fields.pop("amenities", DEFAULT_AMENITIES)
    operators = fields.pop("operators", ())
    region = fields.pop("region", None) or Region.objects.get(pk=org.region_id)
    return services.station_create(
        actor=superuser(),
        organization=org,
        region=region,
        name=name,
        lon=lon,
        lat=lat,
        amenities=amenities,
        operators=operators,
        **fields,
    )


def at(hour: int, minute: int = 0, day: int = 23) -> dt.datetime:
    """A fixed, timezone-aware moment in Nov 2026 (the 23rd is a Monday), Beijing time."""
    from zoneinfo import ZoneInfo

    return dt.datetime(2026, 11, day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai"))

"""Sichuan's bounding box, for refusing coordinates that cannot be a place in the province (a station "registered"
at 39.9, 116.4 is in Beijing). Pure module. The box is the shipped outline's extent (../shared/data/sichuan/
sichuan_outline.geojson: 97.347-108.539 E, 26.048-34.312 N) widened by under 0.1 degree, which also absorbs the few
hundred metres GCJ-02 shifts a point; exact containment is the region boundaries' job, not this guard's."""

from __future__ import annotations

from typing import NamedTuple


class Box(NamedTuple):
    west: float
    south: float
    east: float
    north: float


SICHUAN_BOX = Box(west=97.3, south=26.0, east=108.6, north=34.4)


def within_sichuan(*, lon: float, lat: float) -> bool:
    """True when (lon, lat), WGS-84 or GCJ-02 degrees, lies inside Sichuan's bounding box."""
    return SICHUAN_BOX.west <= lon <= SICHUAN_BOX.east and SICHUAN_BOX.south <= lat <= SICHUAN_BOX.north

"""What a station offers, decided once for the search filters, the feed and the station card (pure: no queries).

Two facts could disagree: the operator's amenity ticks (``StationAmenity`` rows) and the figures on the
station itself (``beds``). 今晚住宿 once listed a station whose card said 床位 无 (the filter also took
secure truck parking for a bed), and the card offered a 洗衣烘干 check-in at a station marked ✗ 烘干.
So every reader goes through these functions: beds are offered exactly when the station has a bed
count, whatever the ticks say; a check-in button names only what the station ticked.
"""

from __future__ import annotations

from collections.abc import Iterable

from chelun.stations.choices import Amenity, CheckInService

AMENITY_ORDER = {code: i for i, code in enumerate(Amenity.values)}

# Check-in services that need an amenity; the others (parking, meal, hot water, consultation, party) are
# what every 暖心之家 does and are always offered as buttons.
_SERVICE_NEEDS = {
    CheckInService.SHOWER: Amenity.SHOWER,
    CheckInService.LAUNDRY: Amenity.LAUNDRY,
    CheckInService.BED: Amenity.BEDS,
}


def offered_amenities(ticked: Iterable[str], *, beds: int) -> tuple[str, ...]:
    """The amenities a station offers, in Amenity order: its ticks, with 住宿床位 set by its bed count."""
    codes = {code for code in ticked if code in AMENITY_ORDER and code != Amenity.BEDS}
    if beds > 0:
        codes.add(Amenity.BEDS)
    return tuple(sorted(codes, key=AMENITY_ORDER.__getitem__))


def has_beds(offered: Iterable[str]) -> bool:
    """今晚住宿: the station has beds (the card's 床位). A secure truck park is not a bed."""
    return Amenity.BEDS in set(offered)


def checkin_buttons(offered: Iterable[str], services: Iterable[str]) -> list[tuple[str, str]]:
    """(service, label) check-in buttons for a station offering ``offered``, in the order of ``services``.

    Laundry says 洗衣烘干 only where there is a dryer, 洗衣 otherwise; shower, laundry and bed buttons
    appear only where the station offers them.
    """
    have = set(offered)
    labels = dict(CheckInService.choices)
    buttons = []
    for code in services:
        need = _SERVICE_NEEDS.get(CheckInService(code))
        if need is not None and need not in have:
            continue
        label = labels[code]
        if code == CheckInService.LAUNDRY and Amenity.DRYING not in have:
            label = Amenity.LAUNDRY.label
        buttons.append((code, label))
    return buttons

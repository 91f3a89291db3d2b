"""The people list as a background export (core.export_jobs): a province's 630,000 people in one file, written by
a worker rather than in the request. Registered from MembersConfig.ready()."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from chelun.core.export_jobs import ExportKind, ScopePaths, export_kind_register
from chelun.core.models import Region
from chelun.members.choices import Gender, PartyStatus, ProfileType
from chelun.members.models import Person
from chelun.members.selectors import PersonFilter, PersonQuerySet, person_list_within
from chelun.orgs.access import scope_paths
from chelun.orgs.models import Organization

# The people export's columns, for the page's own export and the background job alike.
EXPORT_HEADERS = ("姓名", "性别", "身份证号（脱敏）", "手机号（脱敏）", "所属组织", "常住地", "人员类型", "党籍状态")

KIND = "people"


def person_export_filters(filters: PersonFilter) -> tuple[dict[str, Any], str]:
    """What a job stores of the list's filters (ids, not objects) and the Chinese line that describes them."""
    stored = {
        "q": filters.q,
        "region": filters.region.pk if filters.region else None,
        "org": filters.organization.pk if filters.organization else None,
        "profile_type": filters.profile_type,
        "party_status": filters.party_status,
    }
    parts = []
    if filters.q:
        parts.append(f"姓名含“{filters.q}”")
    if filters.region:
        parts.append(f"常住地：{filters.region.name}")
    if filters.organization:
        parts.append(f"组织：{filters.organization.name}及下级")
    if filters.profile_type:
        parts.append(f"类型：{ProfileType(filters.profile_type).label}")
    if filters.party_status:
        parts.append(f"党籍：{PartyStatus(filters.party_status).label}")
    return stored, "；".join(parts) or "全部人员"


def _people(stored: dict[str, Any], paths: ScopePaths) -> PersonQuerySet:
    region = organization = None
    if stored.get("region"):
        region = Region.objects.filter(pk=stored["region"]).first()
    if stored.get("org"):
        organization = Organization.objects.filter(pk=stored["org"]).first()
    if (stored.get("region") and region is None) or (stored.get("org") and organization is None):
        # A filter whose region or organisation has gone since: nothing, rather than everyone.
        return PersonQuerySet(Person).none()
    filters = PersonFilter(
        q=stored.get("q") or "",
        region=region,
        organization=organization,
        profile_type=stored.get("profile_type") or "",
        party_status=stored.get("party_status") or "",
    )
    return person_list_within(paths=paths, filters=filters)


def _count(stored: dict[str, Any], paths: ScopePaths) -> int:
    return _people(stored, paths).for_count().count()


# The columns the rows are built from: plain values, not model objects with five joined relations each, which cost
# most of a province's export (165 µs a row against 7). The layout is the page export's (members.views._export_row);
# tests compare the two files cell by cell.
_COLUMNS = (
    "name",
    "gender",
    "id_number_masked",
    "phone_masked",
    "org__name",
    "region__name",
    "driver_profile__id",
    "party_profile__id",
    "shipper_profile__id",
    "operator_profile__id",
    "party_profile__status",
)
_PROFILE_ORDER = (ProfileType.DRIVER, ProfileType.PARTY_MEMBER, ProfileType.SHIPPER, ProfileType.STATION_OPERATOR)


def _rows(stored: dict[str, Any], paths: ScopePaths) -> Iterator[Sequence[Any]]:
    genders = dict(Gender.choices)
    statuses = dict(PartyStatus.choices)
    values = _people(stored, paths).values_list(*_COLUMNS)
    for name, gender, id_masked, phone_masked, org, region, *profiles, status in values.iterator(chunk_size=2000):
        types = "、".join(str(t.label) for t, pk in zip(_PROFILE_ORDER, profiles, strict=True) if pk is not None)
        party = str(statuses.get(status, status)) if profiles[1] is not None else ""
        yield (name, str(genders.get(gender, gender)), id_masked, phone_masked, org, region, types, party)


def register() -> None:

    export_kind_register(
        ExportKind(
            name=KIND,
            label="人员",
            headers=EXPORT_HEADERS,
            scope=lambda actor: scope_paths(actor, "person.view"),
            count=_count,
            rows=_rows,
        )
    )

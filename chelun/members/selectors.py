"""Reads on people, always scoped to the actor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import F, Func, Q, QuerySet
from django.db.models.sql.where import WhereNode

from chelun.core.models import Region
from chelun.members.access import person_scope_q
from chelun.members.choices import ProfileType
from chelun.members.models import OrganizationSecretary, Person
from chelun.orgs.models import Organization

_PROFILE_RELATION = {
    ProfileType.DRIVER: "driver_profile",
    ProfileType.PARTY_MEMBER: "party_profile",
    ProfileType.SHIPPER: "shipper_profile",
    ProfileType.STATION_OPERATOR: "operator_profile",
}


@dataclass(frozen=True)
class PersonFilter:
    q: str = ""
    region: Region | None = None
    organization: Organization | None = None
    profile_type: str = ""
    party_status: str = ""


# Past this many people in a region filter, a page reads the table in id order and keeps the region's rows, rather
# than fetching all of the region's rows through its index and sorting them (see _filter_region).
_REGION_SCAN_FROM = 5_000


class PersonQuerySet(QuerySet[Person]):
    """People. `for_count()` is the same rows with any index-steering of the page's plan taken out (see
    _filter_region): a count has no order to keep, so the region index is its cheapest way."""

    def for_count(self) -> QuerySet[Person]:
        clone = self.all()
        clone.query.where = _index_usable(clone.query.where)
        return clone


def _index_usable(node: WhereNode) -> WhereNode:
    children: list[Any] = []
    child: Any
    for child in node.children:
        if isinstance(child, WhereNode):
            children.append(_index_usable(child))
        elif isinstance(getattr(child, "lhs", None), _NotIndexed):
            children.append(type(child)(child.lhs.get_source_expressions()[0], child.rhs))
        else:
            children.append(child)
    return WhereNode(children, connector=node.connector, negated=node.negated)


class _NotIndexed(Func):
    """`+column`: the same value, but SQLite's planner will not pick the column's index for it (its documented way
    of steering a plan); harmless elsewhere."""

    template = "+%(expressions)s"


def region_subtree_ids(region: Region) -> list[int]:
    """The region and every division below it (province > prefecture > county): one query on ~200 rows."""
    below = Region.objects.filter(Q(parent=region) | Q(parent__parent=region)).values_list("pk", flat=True)
    return [region.pk, *below]


def _filter_region(qs: PersonQuerySet, region: Region) -> PersonQuerySet:
    """People living in `region` or below, by region id (the old OR over three levels of joins scanned the table).

    A page is `ORDER BY id LIMIT 50`. For a county, the (region, id) index walks its people already in id order. For
    several regions SQLite would fetch every matching row through the region index and sort them (a prefecture's
    150,000 rows: 1.2 s), so where the region has many people the page scans in id order instead, keeping a region's
    rows: a page then reads about 50 / share rows. A count has no order to keep, so it still uses the index."""
    ids = region_subtree_ids(region)
    by_index = Q(region_id__in=ids)
    many = len(ids) > 1 and Person.objects.filter(by_index).order_by()[:_REGION_SCAN_FROM].count() == _REGION_SCAN_FROM
    if not many:
        return qs.filter(by_index)
    return qs.alias(_region_scan=_NotIndexed(F("region_id"))).filter(_region_scan__in=ids)


def person_list(*, actor: Any, filters: PersonFilter | None = None) -> PersonQuerySet:
    return _person_list(person_scope_q(actor), filters or PersonFilter())


def person_list_within(*, paths: list[str] | None, filters: PersonFilter | None = None) -> PersonQuerySet:
    """person_list for a scope captured earlier (a background export): people whose organisation lies under one of
    `paths` (None: everywhere), with every profile joined for the export's rows."""
    if paths is None:
        scope = Q()
    else:
        scope = Q(pk__in=[])
        for path in paths:
            scope |= Q(org__path__startswith=path)
    return _person_list(scope, filters or PersonFilter()).select_related("shipper_profile", "operator_profile")


def _person_list(scope: Q, f: PersonFilter) -> PersonQuerySet:
    qs = PersonQuerySet(Person).filter(scope)
    qs = qs.select_related("org", "region", "driver_profile", "party_profile")
    if f.q:
        qs = qs.filter(name__icontains=f.q)
    if f.organization is not None:
        qs = qs.filter(org__path__startswith=f.organization.path)
    if f.profile_type:
        qs = qs.filter(**{f"{_PROFILE_RELATION[ProfileType(f.profile_type)]}__isnull": False})
    if f.party_status:
        qs = qs.filter(party_profile__status=f.party_status)
    if f.region is not None:
        qs = _filter_region(qs, f.region)
    return qs.order_by("id")


def person_profile_types(person: Person) -> list[str]:
    """Which profiles a person has, in a fixed order (uses already-selected relations where present)."""
    return [t.value for t, relation in _PROFILE_RELATION.items() if _has_relation(person, relation)]


def _has_relation(person: Person, relation: str) -> bool:
    try:
        getattr(person, relation)
    except ObjectDoesNotExist:
        return False
    return True


def person_list_with_profiles(*, actor: Any, filters: PersonFilter | None = None) -> PersonQuerySet:
    """person_list with every profile joined, so showing profile badges for a page (or streaming an export)
    costs no query per row."""
    return person_list(actor=actor, filters=filters).select_related("shipper_profile", "operator_profile")


def organization_secretary(*, organization: Organization) -> Person | None:
    """The organisation's secretary (书记), or None. Shown to anyone who sees the organisation, as its name is part of
    the organisation's own record."""
    post = OrganizationSecretary.objects.select_related("person__org").filter(organization=organization).first()
    return post.person if post is not None else None


def secretary_candidates(*, actor: Any, organization: Organization) -> QuerySet[Person]:
    """Who may be made secretary: the party members of the organisation's subtree that the actor may see."""
    filters = PersonFilter(organization=organization, profile_type=ProfileType.PARTY_MEMBER)
    return person_list(actor=actor, filters=filters).order_by("name", "id")


def person_by_phone_hash(*, phone_hash: str) -> Person | None:
    """The person whose phone has this lookup hash (PiiCipher.lookup_hash), or None: the driver OTP login's
    lookup (chelun.accounts.services), which runs before anyone is signed in, so it is not scoped."""
    return Person.objects.filter(phone_hash=phone_hash).first()

"""Reads on people, always scoped to the actor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet

from chelun.core.models import Region
from chelun.members.access import person_scope_q
from chelun.members.choices import ProfileType
from chelun.members.models import OrganizationSecretary, Person
from chelun.orgs.models import Organization
from chelun.orgs.selectors import region_filter_q

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


def person_list(*, actor: Any, filters: PersonFilter | None = None) -> QuerySet[Person]:
    f = filters or PersonFilter()
    qs = Person.objects.filter(person_scope_q(actor)).select_related("org", "region", "driver_profile", "party_profile")
    if f.q:
        qs = qs.filter(name__icontains=f.q)
    if f.region is not None:
        qs = qs.filter(region_filter_q(f.region))
    if f.organization is not None:
        qs = qs.filter(org__path__startswith=f.organization.path)
    if f.profile_type:
        qs = qs.filter(**{f"{_PROFILE_RELATION[ProfileType(f.profile_type)]}__isnull": False})
    if f.party_status:
        qs = qs.filter(party_profile__status=f.party_status)
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


def person_list_with_profiles(*, actor: Any, filters: PersonFilter | None = None) -> QuerySet[Person]:
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

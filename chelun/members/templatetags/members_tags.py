"""What the organisation page shows of people: its secretary and the first people of its subtree.

The organisation page (orgs) includes these with `{% load members_tags %}`; orgs' code never imports members, so
the tree stays unaware of what hangs on it.
"""

from __future__ import annotations

from typing import Any

from django import template

from chelun.members.selectors import PersonFilter, organization_secretary, person_list_with_profiles
from chelun.orgs.access import can
from chelun.orgs.models import Organization

register = template.Library()

ORG_PAGE_PEOPLE = 50  # the page lists this many; the link leads to the whole list


@register.inclusion_tag("members/partials/_org_secretary.html", takes_context=True)
def org_secretary(context: dict[str, Any], org: Organization) -> dict[str, Any]:
    user = context["request"].user
    return {
        "org": org,
        "secretary": organization_secretary(organization=org),
        "can_change": can(user, "org.change", org),
    }


@register.inclusion_tag("members/partials/_org_people.html", takes_context=True)
def org_people(context: dict[str, Any], org: Organization) -> dict[str, Any]:
    """People of the organisation's subtree the user may see (person.view), masked."""
    actor = context["request"].user
    people = list(person_list_with_profiles(actor=actor, filters=PersonFilter(organization=org))[: ORG_PAGE_PEOPLE + 1])
    return {
        "org": org,
        "people": people[:ORG_PAGE_PEOPLE],
        "more_people": len(people) > ORG_PAGE_PEOPLE,
        "shown": ORG_PAGE_PEOPLE,
    }

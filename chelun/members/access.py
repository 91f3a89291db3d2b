"""Scope for people: a person is in scope when the organisation responsible for their record is; a driver
logged in with their phone sees their own record and nothing else."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from chelun.core.errors import NotFound
from chelun.members.models import Person
from chelun.orgs.access import path_scope_q, require


def person_scope_q(actor: Any, action: str = "person.view") -> Q:
    q = path_scope_q(actor, action, "org__path")
    own_person_id = getattr(actor, "person_id", None)
    if own_person_id and action == "person.view":
        q |= Q(pk=own_person_id)
    return q


def access_person_by_id(*, actor: Any, person_id: int, action: str = "person.view") -> Person:
    person = (
        Person.objects.select_related("org", "region")
        .filter(person_scope_q(actor, "person.view"), pk=person_id)
        .first()
    )
    if person is None:
        raise NotFound("人员不存在")
    if action != "person.view":
        require(actor, action, person.org)
    return person

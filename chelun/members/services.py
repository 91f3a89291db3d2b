"""Writes on people and their profiles. Each use case is one transaction; PII is encrypted here and nowhere else."""

from __future__ import annotations

import datetime as dt
from typing import Any

from auditlog.models import LogEntry
from django.db import IntegrityError, transaction
from django.db.models import F

from chelun.core.crypto import pii_cipher
from chelun.core.errors import ApplicationError, Conflict, field_error
from chelun.core.idcard import IdNumberError, birth_date_from_id, gender_from_id, validate_id_number
from chelun.core.models import Region
from chelun.core.pii import clean_phone, mask_id_number, mask_phone
from chelun.core.services import check_version, full_clean_or_raise
from chelun.members.access import access_person_by_id
from chelun.members.choices import PartyStatus, SensitiveField
from chelun.members.models import DriverProfile, OrganizationSecretary, PartyMemberProfile, Person
from chelun.orgs.access import require
from chelun.orgs.choices import OrgKind
from chelun.orgs.models import Organization

BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.JOINT_BRANCH, OrgKind.GRID_BRANCH, OrgKind.TEMPORARY_BRANCH)


def clean_id_number(raw: str) -> str:
    try:
        return validate_id_number(raw)
    except IdNumberError as exc:
        raise field_error("id_number", str(exc.args[0]) if exc.args else "身份证号无效", exc.code) from exc


def _set_id_number(person: Person, id_number: str) -> None:
    cipher = pii_cipher()
    person.id_number_cipher = cipher.encrypt(id_number)
    person.id_number_hash = cipher.lookup_hash(id_number)
    person.id_number_masked = mask_id_number(id_number)


def _set_phone(person: Person, phone: str) -> None:
    cipher = pii_cipher()
    if phone:
        person.phone_cipher = cipher.encrypt(phone)
        person.phone_hash = cipher.lookup_hash(phone)
        person.phone_masked = mask_phone(phone)
    else:
        person.phone_cipher = person.phone_hash = person.phone_masked = ""


def _check_unique(person: Person) -> None:
    others = Person.objects.exclude(pk=person.pk)
    if others.filter(id_number_hash=person.id_number_hash).exists():
        raise Conflict("该身份证号已登记", "duplicate_id_number", {"fields": {"id_number": ["该身份证号已登记"]}})
    if person.phone_hash and others.filter(phone_hash=person.phone_hash).exists():
        raise Conflict(
            "该手机号已被其他人员使用", "duplicate_phone", {"fields": {"phone": ["该手机号已被其他人员使用"]}}
        )


def _save_person(person: Person, *, bump_version: bool = False) -> None:
    _check_unique(person)  # first, so a duplicate is a Conflict with our message, not a generic unique error
    full_clean_or_raise(person, exclude=["org", "region"])
    if bump_version:
        person.version = F("version") + 1  # type: ignore[assignment]
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:  # a concurrent insert of the same number won the race
        raise Conflict("身份证号或手机号已被登记", "duplicate_person") from exc


@transaction.atomic
def person_create(
    *,
    actor: Any,
    name: str,
    id_number: str,
    phone: str,
    org: Organization,
    region: Region,
    birth_date: dt.date | None = None,
    gender: str | None = None,
) -> Person:
    """Register a person under `org`. Birth date and gender default to what the ID number says, and must agree
    with it when given. Raises ValidationFailed (bad ID, phone, name) or Conflict (number already registered)."""
    require(actor, "person.change", org)
    name = (name or "").strip()
    if not name:
        raise field_error("name", "请填写姓名", "name_required")
    id_number = clean_id_number(id_number)
    phone = clean_phone(phone) if phone else ""
    id_birth, id_gender = birth_date_from_id(id_number), str(gender_from_id(id_number))
    if birth_date is not None and birth_date != id_birth:
        raise field_error("birth_date", "出生日期与身份证号不一致", "birth_date_mismatch")
    if gender and gender != id_gender:
        raise field_error("gender", "性别与身份证号不一致", "gender_mismatch")
    person = Person(name=name, gender=id_gender, birth_date=id_birth, org=org, region=region)
    _set_id_number(person, id_number)
    _set_phone(person, phone)
    _save_person(person)
    return person


@transaction.atomic
def person_update(
    *,
    actor: Any,
    person: Person,
    expected_version: int | None,
    name: str | None = None,
    phone: str | None = None,
    org: Organization | None = None,
    region: Region | None = None,
) -> Person:
    """Change a person's name, phone, responsible organisation or home region. Moving the record to another
    organisation needs person.change on both sides."""
    locked = Person.objects.select_for_update().select_related("org").get(pk=person.pk)
    require(actor, "person.change", locked.org)
    check_version(locked, expected_version)
    if name is not None:
        if not name.strip():
            raise field_error("name", "请填写姓名", "name_required")
        locked.name = name.strip()
    if phone is not None:
        _set_phone(locked, clean_phone(phone) if phone else "")
    if org is not None and org.pk != locked.org_id:
        require(actor, "person.change", org)
        locked.org = org
    if region is not None:
        locked.region = region
    _save_person(locked, bump_version=True)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def driver_profile_set(
    *,
    actor: Any,
    person: Person,
    licence_class: str,
    vehicle_type: str,
    plates: str = "",
    employer: Organization | None = None,
    employer_name: str = "",
) -> DriverProfile:
    """Create or replace the driver profile of `person`."""
    require(actor, "person.change", person.org)
    profile = DriverProfile.objects.filter(person=person).first() or DriverProfile(person=person)
    profile.licence_class = licence_class
    profile.vehicle_type = vehicle_type
    profile.plates = ",".join(p.strip().upper() for p in plates.split(",") if p.strip())
    profile.employer = employer
    profile.employer_name = employer_name or (employer.name if employer else "")
    full_clean_or_raise(profile, exclude=["person"])
    profile.save()
    return profile


@transaction.atomic
def party_member_profile_set(
    *, actor: Any, person: Person, branch: Organization, joined_on: dt.date, status: str = PartyStatus.FULL
) -> PartyMemberProfile:
    """Create or replace the party-member profile of `person`; the record then belongs to `branch`."""
    require(actor, "person.change", person.org)
    require(actor, "person.change", branch)
    if branch.kind not in BRANCH_KINDS:
        raise field_error("branch", "组织关系只能落在党支部", "branch_kind")
    if joined_on < person.birth_date + dt.timedelta(days=18 * 365):
        raise field_error("joined_on", "入党日期应在年满十八周岁之后", "joined_too_young")
    profile = PartyMemberProfile.objects.filter(person=person).first() or PartyMemberProfile(person=person)
    profile.branch, profile.joined_on, profile.status = branch, joined_on, status
    full_clean_or_raise(profile, exclude=["person"])
    profile.save()
    if person.org_id != branch.pk:
        Person.objects.filter(pk=person.pk).update(org=branch, version=F("version") + 1)
        person.refresh_from_db()
    return profile


def person_reveal(*, actor: Any, person_id: int, field: str, remote_addr: str | None) -> str:
    """Return the clear ID number or phone of a person, and write who saw it to the audit log."""
    if field not in SensitiveField.values:
        raise ApplicationError("未知字段", "unknown_field")
    person = access_person_by_id(actor=actor, person_id=person_id, action="person.reveal")
    token = person.id_number_cipher if field == SensitiveField.ID_NUMBER else person.phone_cipher
    if not token:
        raise ApplicationError("该人员没有登记此项", "field_empty")
    value = pii_cipher().decrypt(token)
    LogEntry.objects.log_create(
        person,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        changes={"revealed": [field, ""]},
        actor=actor,
        remote_addr=remote_addr,
        additional_data={"org_path": person.org.path, "revealed_field": field},
    )
    return value


@transaction.atomic
def organization_secretary_set(*, actor: Any, organization: Organization, person: Person | None) -> None:
    """Make `person` the secretary (书记) of `organization`, or leave it without one (None).

    Needs org.change on the organisation (Forbidden otherwise), as editing the organisation does; which people may
    be chosen is the caller's list (members.selectors.secretary_candidates). Audited like any other change.
    """
    require(actor, "org.change", organization)
    post = OrganizationSecretary.objects.select_for_update().filter(organization=organization).first()
    if person is None:
        if post is not None:
            post.delete()
        return
    if post is None:
        OrganizationSecretary.objects.create(organization=organization, person=person)
    elif post.person_id != person.pk:
        post.person = person
        post.save(update_fields=["person", "updated_at"])

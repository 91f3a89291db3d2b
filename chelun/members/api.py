"""People and their driver / party-member profiles. Lists and details carry masked ID and phone numbers only; the
clear value comes from `reveal`, which writes who saw it (and from where) to the audit log."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from chelun.core.api import actor_of, client_address, region_by_code
from chelun.core.schemas import READ_ERRORS, WRITE_ERRORS, Pagination
from chelun.members import selectors, services
from chelun.members.access import access_person_by_id
from chelun.members.schemas import (
    DriverProfileIn,
    DriverProfileOut,
    PartyProfileIn,
    PartyProfileOut,
    PersonDetailOut,
    PersonFilter,
    PersonIn,
    PersonOut,
    PersonPatchIn,
    RevealIn,
    RevealOut,
)
from chelun.orgs.api import organization_ref

router = Router(tags=["人员"])


@router.get("/people", response={200: list[PersonOut], **READ_ERRORS}, summary="人员列表（脱敏）")
@paginate(Pagination)
def person_list(request: HttpRequest, filters: Query[PersonFilter]) -> Any:
    actor = actor_of(request)
    # With every profile joined: profile_types reads all four, and a page must not cost a query per row.
    return selectors.person_list_with_profiles(
        actor=actor,
        filters=selectors.PersonFilter(
            q=filters.q.strip(),
            region=region_by_code(filters.region, field="region") if filters.region else None,
            organization=(
                organization_ref(actor, filters.organization, field="organization")
                if filters.organization is not None
                else None
            ),
            profile_type=filters.profile_type or "",
            party_status=filters.party_status or "",
        ),
    )


@router.get("/people/{person_id}", response={200: PersonDetailOut, **READ_ERRORS}, summary="人员详情（脱敏）")
def person_detail(request: HttpRequest, person_id: int) -> Any:
    return access_person_by_id(actor=actor_of(request), person_id=person_id)


@router.post("/people", response={201: PersonDetailOut, **WRITE_ERRORS}, summary="登记人员")
def person_create(request: HttpRequest, payload: PersonIn) -> Any:
    actor = actor_of(request)
    person = services.person_create(
        actor=actor,
        name=payload.name,
        id_number=payload.id_number,
        phone=payload.phone,
        org=organization_ref(actor, payload.org_id, field="org_id"),
        region=region_by_code(payload.region_code, field="region_code"),
        birth_date=payload.birth_date,
        gender=payload.gender,
    )
    return Status(201, person)


@router.patch(
    "/people/{person_id}", response={200: PersonDetailOut, **WRITE_ERRORS}, summary="修改人员（需带 version）"
)
def person_update(request: HttpRequest, person_id: int, payload: PersonPatchIn) -> Any:
    actor = actor_of(request)
    person = access_person_by_id(actor=actor, person_id=person_id, action="person.change")
    return services.person_update(
        actor=actor,
        person=person,
        expected_version=payload.version,
        name=payload.name,
        phone=payload.phone,
        org=organization_ref(actor, payload.org_id, field="org_id") if payload.org_id is not None else None,
        region=region_by_code(payload.region_code, field="region_code") if payload.region_code is not None else None,
    )


@router.put(
    "/people/{person_id}/driver-profile",
    response={200: DriverProfileOut, **WRITE_ERRORS},
    summary="设置司机档案（整体替换）",
)
def driver_profile_put(request: HttpRequest, person_id: int, payload: DriverProfileIn) -> Any:
    actor = actor_of(request)
    person = access_person_by_id(actor=actor, person_id=person_id, action="person.change")
    employer = (
        organization_ref(actor, payload.employer_id, field="employer_id") if payload.employer_id is not None else None
    )
    return services.driver_profile_set(
        actor=actor,
        person=person,
        licence_class=payload.licence_class,
        vehicle_type=payload.vehicle_type,
        plates=payload.plates,
        employer=employer,
        employer_name=payload.employer_name,
    )


@router.put(
    "/people/{person_id}/party-profile",
    response={200: PartyProfileOut, **WRITE_ERRORS},
    summary="设置党员档案（整体替换；人员档案归属该支部）",
)
def party_profile_put(request: HttpRequest, person_id: int, payload: PartyProfileIn) -> Any:
    actor = actor_of(request)
    person = access_person_by_id(actor=actor, person_id=person_id, action="person.change")
    return services.party_member_profile_set(
        actor=actor,
        person=person,
        branch=organization_ref(actor, payload.branch_id, field="branch_id"),
        joined_on=payload.joined_on,
        status=payload.status,
    )


@router.post(
    "/people/{person_id}/reveal",
    response={200: RevealOut, **WRITE_ERRORS},
    summary="查看身份证号或手机号明文（记入审计日志）",
)
def person_reveal(request: HttpRequest, person_id: int, payload: RevealIn) -> Any:
    value = services.person_reveal(
        actor=actor_of(request), person_id=person_id, field=payload.field, remote_addr=client_address(request)
    )
    return RevealOut(field=payload.field, value=value)

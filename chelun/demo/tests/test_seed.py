"""The demo Sichuan: published figures computed from the seeded rows, a consistent tree, valid people, logins.

The small seed runs once for the module inside a transaction that is rolled back afterwards, so other test modules
never see it; each test runs in a savepoint inside it.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q

from chelun.accounts.models import User
from chelun.accounts.services import otp_request, otp_verify
from chelun.accounts.sms import ConsoleSmsBackend
from chelun.core.crypto import pii_cipher
from chelun.core.idcard import birth_date_from_id, gender_from_id, validate_id_number
from chelun.core.models import Region, RegionLevel
from chelun.core.pii import mask_id_number, mask_phone, validate_mobile
from chelun.demo import figures
from chelun.demo.accounts import DEMO_LOGINS, DEMO_PASSWORD
from chelun.demo.geography import allocate
from chelun.demo.identifiers import DEMO_DRIVER_PHONE, credit_code
from chelun.demo.people import DEMO_DRIVER_NAME, DEMO_DRIVER_REGION, MAX_BRANCH_MEMBERS, generate_people
from chelun.demo.seed import DEFAULT_SEED, SCALES, demo_generators, seed_demo
from chelun.members.models import (
    DriverProfile,
    OrganizationSecretary,
    PartyMemberProfile,
    Person,
    ShipperProfile,
    StationOperatorProfile,
)
from chelun.members.services import BRANCH_KINDS
from chelun.orgs.choices import INDUSTRY_BUILT_KINDS, OrgKind, OrgSector, OrgStatus, Role, RuleStatus
from chelun.orgs.models import Organization, RoleGrant, Rule

SMALL = SCALES["small"]
ALL_THREE = Q(has_staffing_standard=True, has_personnel_standard=True, has_funding_standard=True)
ANY = Q(has_staffing_standard=True) | Q(has_personnel_standard=True) | Q(has_funding_standard=True)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        result = seed_demo(counts=SMALL, seed=DEFAULT_SEED)
        yield result
        transaction.set_rollback(True)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]


def industry_committees():
    return Organization.objects.filter(kind=OrgKind.INDUSTRY_COMMITTEE)


# ---- the tree ------------------------------------------------------------------------------------------------


def test_one_province_committee_over_21_city_and_183_county_committees():
    province = industry_committees().get(parent=None)
    assert (province.name, province.region.code, province.depth) == ("四川省交通运输行业党委", "510000", 0)
    cities = industry_committees().filter(region__level=RegionLevel.PREFECTURE)
    counties = industry_committees().filter(region__level=RegionLevel.COUNTY)
    assert cities.count() == figures.PREFECTURE_COMMITTEES == Region.objects.filter(level="prefecture").count()
    assert counties.count() == figures.COUNTY_COMMITTEES == Region.objects.filter(level="county").count()
    assert set(cities.values_list("parent_id", flat=True)) == {province.pk}
    assert cities.values("region").distinct().count() == 21
    assert counties.values("region").distinct().count() == 183


def test_every_county_committee_sits_under_its_prefecture_committee():
    city_by_region = {o.region_id: o.pk for o in industry_committees().filter(region__level=RegionLevel.PREFECTURE)}
    mismatched = [
        o.name
        for o in industry_committees().filter(region__level=RegionLevel.COUNTY).select_related("region")
        if o.parent_id != city_by_region[o.region.parent_id]
    ]
    assert mismatched == []


def test_paths_and_depths_follow_the_parents():
    orgs = {o.pk: o for o in Organization.objects.all()}
    wrong = []
    for org in orgs.values():
        parent = orgs.get(org.parent_id) if org.parent_id else None
        expected_path = f"{parent.path if parent else '/'}{org.pk}/"
        expected_depth = parent.depth + 1 if parent else 0
        if (org.path, org.depth) != (expected_path, expected_depth):
            wrong.append((org.pk, org.path, expected_path))
    assert wrong == []
    assert Organization.objects.filter(parent=None).count() == 1
    # A subtree is one prefix query: 武侯区's committee sees its own organisations and nothing of 锦江区's.
    wuhou = industry_committees().get(region__code="510107")
    subtree = Organization.objects.filter(path__startswith=wuhou.path)
    assert subtree.exclude(region__code="510107").count() == 0
    assert subtree.count() == Organization.objects.filter(region__code="510107", path__contains=f"/{wuhou.pk}/").count()


def test_organisation_names_are_unique():
    duplicates = Organization.objects.values("name").annotate(n=Count("id")).filter(n__gt=1)
    assert list(duplicates) == []


# ---- the published figures, counted from rows ---------------------------------------------------------------


def test_522_party_organisations_built_in_the_industry():
    built = Organization.objects.filter(kind__in=INDUSTRY_BUILT_KINDS)
    assert built.count() == figures.INDUSTRY_BUILT_ORGANISATIONS == 522
    assert set(built.values_list("sector", flat=True)) == {OrgSector.COMPANY, OrgSector.PARK, OrgSector.PLATFORM}
    assert set(built.values_list("kind", flat=True)) == set(INDUSTRY_BUILT_KINDS)
    # Some company committees have branches below them, and those branches count in the 522.
    under_committees = built.filter(parent__kind=OrgKind.COMMITTEE)
    assert under_committees.count() >= 20
    assert Organization.objects.get(name="蜀运通平台党委").children.count() == 4


def test_industry_organisations_follow_freight_activity():
    by_prefecture = Counter(
        Organization.objects.filter(kind__in=INDUSTRY_BUILT_KINDS, region__level=RegionLevel.COUNTY).values_list(
            "region__parent__name", flat=True
        )
    )
    ranking = [name for name, _ in by_prefecture.most_common()]
    assert ranking[0] == "成都市"
    assert by_prefecture["成都市"] > 2 * by_prefecture[ranking[1]]
    assert by_prefecture["甘孜藏族自治州"] < by_prefecture["绵阳市"]


def test_joint_branches_group_at_most_five_units():
    joint = Organization.objects.filter(kind=OrgKind.JOINT_BRANCH)
    assert joint.count() >= 50
    sizes = Counter(len(o.unit_name.split("、")) for o in joint)
    assert min(sizes) >= 2
    assert max(sizes) <= 5


def test_531_grid_branches_along_the_corridors():
    grid = Organization.objects.filter(kind=OrgKind.GRID_BRANCH)
    assert grid.count() == figures.GRID_BRANCHES == 531
    assert set(grid.values_list("sector", flat=True)) == {OrgSector.GRID}
    assert set(grid.values_list("parent__region__level", flat=True)) == {RegionLevel.COUNTY}
    on_corridor = grid.filter(name__regex=r"^G\d+").count()
    assert on_corridor > 0.8 * 531
    assert grid.filter(name="G5京昆高速涪城段网格化流动党员党支部").exists()


def test_standards_all_three_for_15_cities_and_38_counties_and_partial_elsewhere():
    cities = industry_committees().filter(region__level=RegionLevel.PREFECTURE)
    counties = industry_committees().filter(region__level=RegionLevel.COUNTY)
    assert cities.filter(ALL_THREE).count() == figures.PREFECTURES_WITH_ALL_STANDARDS == 15
    assert counties.filter(ALL_THREE).count() == figures.COUNTIES_WITH_ALL_STANDARDS == 38
    # "All three" is a real filter: other committees have one or two of them.
    assert cities.filter(ANY).exclude(ALL_THREE).count() >= 1
    assert counties.filter(ANY).exclude(ALL_THREE).count() >= 30
    # The standards belong to industry committees only (Organization.clean).
    assert Organization.objects.exclude(kind=OrgKind.INDUSTRY_COMMITTEE).filter(ANY).count() == 0


def test_838_rules_with_numbers_categories_and_a_few_repealed():
    rules = Rule.objects.all()
    assert rules.count() == figures.RULES == 838
    assert rules.values("organization").distinct().count() > 200
    assert rules.filter(organization__parent=None).count() == 36
    assert set(rules.values_list("category", flat=True)) >= {"organisation", "membership", "education", "dues"}
    repealed = rules.filter(status=RuleStatus.REPEALED).count()
    assert 5 <= repealed <= 60
    assert rules.filter(effective_on__gt=figures.DEMO_TODAY).count() == 0
    numbered = rules.exclude(number="")
    assert numbered.filter(number__regex=r"^\S+〔20\d\d〕\d+号$").count() == numbered.count() > 400
    assert numbered.filter(organization__parent=None, number__startswith="川交党〔").count() == 36
    # The number's year is the year the rule took effect.
    assert all(f"〔{r.effective_on.year}〕" in r.number for r in numbered)


def test_temporary_branches_have_a_project_and_an_end():
    temporary = Organization.objects.filter(kind=OrgKind.TEMPORARY_BRANCH)
    assert temporary.count() == figures.TEMPORARY_BRANCHES
    for branch in temporary:
        assert branch.project_name
        assert branch.ends_on is not None
        assert branch.ends_on >= branch.founded_on
        assert branch.sector == OrgSector.PROJECT
        branch.full_clean()
    assert temporary.filter(status=OrgStatus.DISSOLVED, ends_on__lt=figures.DEMO_TODAY).count() == 1


def test_a_sample_of_organisations_passes_model_validation():
    """Every 40th organisation, through the model's own validation (the seed bulk-inserts, skipping it)."""
    sample = list(Organization.objects.order_by("id")[::40])
    errors = {}
    for org in sample:
        try:
            org.full_clean()
        except ValidationError as exc:
            errors[org.name] = exc.message_dict
    assert errors == {}
    # 1 + 21 + 183 industry committees, 522 industry-built organisations, 531 grid and 6 temporary branches: 1,264,
    # so every 40th is 32 of them.
    assert Organization.objects.count() == 1 + 21 + 183 + 522 + 531 + 6 == 1264
    assert len(sample) == 32


# ---- people ----------------------------------------------------------------------------------------------------


def test_people_counts_at_small_scale():
    assert (SMALL.drivers, SMALL.party_member_drivers) == (6300, 176)
    assert DriverProfile.objects.count() == SMALL.drivers
    assert PartyMemberProfile.objects.count() == SMALL.party_member_drivers
    assert ShipperProfile.objects.count() == figures.SHIPPERS
    assert StationOperatorProfile.objects.count() == figures.STATIONS_OCT_2024
    assert Person.objects.count() == SMALL.drivers + figures.SHIPPERS + figures.STATIONS_OCT_2024


def test_every_party_member_driver_has_both_profiles_and_belongs_to_a_branch():
    members = PartyMemberProfile.objects.select_related("person", "branch")
    assert members.filter(person__driver_profile__isnull=True).count() == 0
    for member in members:
        assert member.branch.kind in BRANCH_KINDS
        assert member.branch.kind != OrgKind.TEMPORARY_BRANCH
        assert member.person.org_id == member.branch_id
        assert (member.joined_on - member.person.birth_date).days >= 18 * 365
        assert member.joined_on <= figures.DEMO_TODAY
    kinds = Counter(members.values_list("branch__kind", flat=True))
    assert kinds[OrgKind.GRID_BRANCH] > kinds[OrgKind.BRANCH] + kinds[OrgKind.JOINT_BRANCH] > 0
    sizes = Counter(members.values_list("branch_id", flat=True))
    assert max(sizes.values()) <= MAX_BRANCH_MEMBERS


def test_other_drivers_belong_to_their_county_committee_or_employer():
    drivers = Person.objects.filter(driver_profile__isnull=False, party_profile__isnull=True)
    at_committee = drivers.filter(org__kind=OrgKind.INDUSTRY_COMMITTEE)
    assert at_committee.exclude(org__region=F("region")).count() == 0
    employed = drivers.exclude(org__kind=OrgKind.INDUSTRY_COMMITTEE)
    assert employed.count() > 0.1 * drivers.count()
    assert employed.filter(driver_profile__employer=F("org"), driver_profile__employer_name__gt="").count() == (
        employed.count()
    )


def test_id_numbers_and_phones_are_valid_unique_and_match_the_record():
    cipher = pii_cipher()
    assert Person.objects.values("id_number_hash").distinct().count() == Person.objects.count()
    assert Person.objects.values("phone_hash").distinct().count() == Person.objects.count()
    sample = list(Person.objects.select_related("region").order_by("id")[::40])
    assert len(sample) > 150
    for person in sample:
        id_number = cipher.decrypt(person.id_number_cipher)
        assert validate_id_number(id_number) == id_number
        assert id_number[:6] == person.region.code
        assert birth_date_from_id(id_number) == person.birth_date
        assert gender_from_id(id_number) == person.gender
        assert person.id_number_hash == cipher.lookup_hash(id_number)
        assert person.id_number_masked == mask_id_number(id_number)
        phone = cipher.decrypt(person.phone_cipher)
        assert validate_mobile(phone) == phone
        assert person.phone_hash == cipher.lookup_hash(phone)
        assert person.phone_masked == mask_phone(phone)
    drivers = Person.objects.filter(driver_profile__isnull=False)
    assert drivers.filter(birth_date__year__lt=1965).count() == drivers.filter(birth_date__year__gt=2000).count() == 0


def test_drivers_have_plausible_licences_vehicles_and_plates():
    profiles = DriverProfile.objects.all()
    assert set(profiles.values_list("licence_class", flat=True)) == {"A1", "A2", "B1", "B2", "C1"}
    assert profiles.filter(licence_class="C1").exclude(vehicle_type="light").count() == 0
    assert profiles.filter(vehicle_type="tractor").exclude(licence_class="A2").count() == 0
    own_trucks_in_chengdu = list(
        profiles.filter(person__region__parent__code="510100", employer__isnull=True)
        .exclude(plates="")
        .values_list("plates", flat=True)
    )
    assert len(own_trucks_in_chengdu) > 100
    assert {plate[:2] for plates in own_trucks_in_chengdu for plate in plates.split(",")} == {"川A"}
    tractor_plates = profiles.filter(vehicle_type="tractor").exclude(plates="").values_list("plates", flat=True)
    assert {plates.split(",")[1][-1] for plates in tractor_plates} == {"挂"}
    all_plates = [
        p for plates in profiles.exclude(plates="").values_list("plates", flat=True) for p in plates.split(",")
    ]
    assert len(all_plates) == len(set(all_plates))


def test_drivers_live_where_freight_is():
    by_prefecture = Counter(
        Person.objects.filter(driver_profile__isnull=False).values_list("region__parent__code", flat=True)
    )
    assert by_prefecture.most_common(1)[0][0] == "510100"
    assert len(by_prefecture) == 21


def test_shippers_have_a_well_formed_credit_code():
    for shipper in ShipperProfile.objects.all():
        assert len(shipper.credit_code) == 18
        assert shipper.credit_code.startswith("91")


def test_credit_codes_carry_both_check_characters():
    import random

    rng = random.Random(1)
    uscc_chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    uscc_weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    for _ in range(50):
        code = credit_code(rng, "510107")
        assert code.startswith("91510107")
        org_code = code[8:17]  # GB 11714: 8 characters and a check character
        total = sum(int(c, 36) * w for c, w in zip(org_code[:8], (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
        assert org_code[8] == {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))
        total = sum(uscc_chars.index(c) * w for c, w in zip(code[:17], uscc_weights, strict=True))
        assert code[17] == uscc_chars[(31 - total % 31) % 31]


def test_the_services_work_on_top_of_the_seed():
    # Primary keys were allocated by the seed: the next person created the normal way must not collide.
    from chelun.core.idcard import make_synthetic_id
    from chelun.members.services import person_create

    admin = User.objects.get(username="wuhou")
    committee = RoleGrant.objects.get(user=admin).organization
    person = person_create(
        actor=admin,
        name="新登记",
        id_number=make_synthetic_id("510107", dt.date(1990, 1, 2), 499, "female"),
        phone="13800000002",
        org=committee,
        region=committee.region,
    )
    assert person.pk == Person.objects.order_by("-pk").values_list("pk", flat=True)[0]
    assert Person.objects.count() == SMALL.drivers + figures.SHIPPERS + figures.STATIONS_OCT_2024 + 1


# ---- logins --------------------------------------------------------------------------------------------------


def test_demo_logins_with_roles_on_the_right_committees():
    assert [u.username for u in User.objects.order_by("id")] == [login.username for login in DEMO_LOGINS]
    for login in DEMO_LOGINS:
        user = User.objects.get(username=login.username)
        assert user.check_password(DEMO_PASSWORD)
        assert user.is_superuser == (login.username == "admin")
    grants = {g.user.username: g for g in RoleGrant.objects.select_related("user", "organization__region")}
    assert grants["sichuan"].organization.parent is None
    assert (grants["chengdu"].organization.region.code, grants["chengdu"].role) == ("510100", Role.ADMIN)
    assert (grants["auditor"].organization.parent_id, grants["auditor"].role) == (None, Role.AUDITOR)
    wuhou, jinjiang = grants["wuhou"].organization, grants["jinjiang"].organization
    assert (wuhou.region.code, jinjiang.region.code) == ("510107", "510104")
    assert wuhou.parent_id == jinjiang.parent_id == grants["chengdu"].organization.pk  # siblings
    # The county admins have something to look at.
    assert Person.objects.filter(org__path__startswith=wuhou.path).count() > 10


def test_demo_driver_logs_in_with_a_one_time_code(django_capture_on_commit_callbacks):
    driver = Person.objects.get(phone_hash=pii_cipher().lookup_hash(DEMO_DRIVER_PHONE))
    assert (driver.name, driver.region.code) == (DEMO_DRIVER_NAME, DEMO_DRIVER_REGION)
    assert driver.driver_profile and driver.party_profile.branch_id == driver.org_id
    ConsoleSmsBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        otp_request(phone=DEMO_DRIVER_PHONE)
    phone, text = ConsoleSmsBackend.outbox[-1]
    code = "".join(c for c in text if c.isdigit())[:6]
    assert phone == DEMO_DRIVER_PHONE
    assert otp_verify(phone=DEMO_DRIVER_PHONE, code=code).person == driver


def test_branches_with_members_have_their_longest_standing_member_as_secretary():
    with_secretary = OrganizationSecretary.objects.select_related("organization", "person").order_by("organization")
    assert with_secretary.count() > 50
    for post in with_secretary[:30]:
        org = post.organization
        profile = post.person.party_profile
        assert profile.branch_id == org.pk
        earliest = PartyMemberProfile.objects.filter(branch=org, status="full").order_by("joined_on").first()
        assert profile.joined_on == earliest.joined_on


# ---- determinism -----------------------------------------------------------------------------------------------


def test_same_seed_same_plan_and_people_different_seed_different():
    def snapshot(seed: int):
        geo, plan, rng = demo_generators(seed, SMALL)
        orgs = [(o.name, o.kind, o.parent, o.region_code, o.founded_on, o.all_standards_set) for o in plan.orgs]
        rules = [(r.org, r.title, r.number, r.effective_on) for r in plan.rules]
        people = [
            (p.name, p.id_number, p.phone, p.org) for p in itertools.islice(generate_people(geo, plan, SMALL, rng), 400)
        ]
        return orgs, rules, people

    first, again, other = snapshot(DEFAULT_SEED), snapshot(DEFAULT_SEED), snapshot(DEFAULT_SEED + 1)
    assert first == again
    assert first[0] != other[0]
    assert first[2] != other[2]


def test_the_rows_are_the_generators_output():
    geo, plan, rng = demo_generators(DEFAULT_SEED, SMALL)
    specs = list(itertools.islice(generate_people(geo, plan, SMALL, rng), 300))
    rows = list(Person.objects.order_by("id").values_list("name", "id_number_hash", "birth_date")[:300])
    cipher = pii_cipher()
    assert rows == [(s.name, cipher.lookup_hash(s.id_number), s.birth_date) for s in specs]
    names = list(Organization.objects.order_by("id").values_list("name", flat=True))
    assert sorted(names) == sorted(o.name for o in plan.orgs)


def test_allocate_splits_exactly_in_proportion():
    assert allocate(10, [1, 1, 1]) == [4, 3, 3]
    assert allocate(522, [5.0, 3.0, 2.0]) == [261, 157, 104]
    assert sum(allocate(531, [0.1 * i for i in range(1, 184)])) == 531


# ---- the command -----------------------------------------------------------------------------------------------


def test_if_empty_leaves_a_seeded_database_alone():
    before = (Organization.objects.count(), Person.objects.count())
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "跳过" in out.getvalue()
    assert "wuhou" in out.getvalue()
    assert (Organization.objects.count(), Person.objects.count()) == before


def test_refuses_a_seeded_database_without_if_empty():
    with pytest.raises(CommandError, match="--if-empty"):
        call_command("seed_demo", stdout=io.StringIO())


def test_refuses_demo_passwords_when_debug_is_off(settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.setattr("chelun.demo.management.commands.seed_demo.database_has_data", lambda: False)
    with pytest.raises(CommandError, match="--allow-demo-passwords"):
        call_command("seed_demo", stdout=io.StringIO())

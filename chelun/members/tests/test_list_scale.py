"""The people list at province scale: the region filter by region ids (two plans, same rows) and the API's capped
count (exact under the cap, "cap+" above it, with count_exact saying which)."""

from __future__ import annotations

import pytest
from django.test import Client

from chelun.core import schemas
from chelun.core.models import Region
from chelun.members import selectors
from chelun.members.models import Person
from chelun.members.selectors import PersonFilter, person_list, region_subtree_ids
from chelun.members.tests.factories import make_person


@pytest.fixture
def people(tree):
    """Two in 武侯区 (one registered by 武侯's branch, one by 锦江's), one in 锦江区, one in 涪城区 (绵阳)."""
    return {
        "wuhou_a": make_person(org=tree.wuhou_branch, name="武侯甲"),
        "wuhou_b": make_person(org=tree.jinjiang_branch, name="武侯乙", region=Region.objects.get(code="510107")),
        "jinjiang": make_person(org=tree.jinjiang_branch, name="锦江丙"),
        "fucheng": make_person(org=tree.fucheng_branch, name="涪城丁"),
    }


def names(qs) -> list[str]:
    return list(qs.values_list("name", flat=True))


def test_region_subtree_ids_holds_the_region_and_everything_below(sichuan):
    chengdu = Region.objects.get(code="510100")
    ids = region_subtree_ids(chengdu)
    assert ids[0] == chengdu.pk
    assert set(Region.objects.filter(pk__in=ids[1:]).values_list("parent__code", flat=True)) == {"510100"}
    assert len(ids) == 1 + Region.objects.filter(parent=chengdu).count()
    assert len(region_subtree_ids(sichuan)) == Region.objects.count()
    assert region_subtree_ids(Region.objects.get(code="510107")) == [Region.objects.get(code="510107").pk]


@pytest.mark.parametrize("scan_from", [1, 1_000_000], ids=["id-order scan", "region index"])
def test_region_filter_gives_the_same_people_by_either_plan(people, tree, scan_from, monkeypatch):
    # scan_from=1 takes the id-order scan for any region of several divisions; a huge one always takes the index.
    monkeypatch.setattr(selectors, "_REGION_SCAN_FROM", scan_from)
    admin = tree.province_admin

    def by(code: str) -> list[str]:
        return names(person_list(actor=admin, filters=PersonFilter(region=Region.objects.get(code=code))))

    assert by("510107") == ["武侯甲", "武侯乙"]
    assert by("510104") == ["锦江丙"]
    assert by("510100") == ["武侯甲", "武侯乙", "锦江丙"]
    assert by("510000") == ["武侯甲", "武侯乙", "锦江丙", "涪城丁"]
    assert by("510700") == ["涪城丁"]
    # Scope still applies on top: 锦江's admin sees only people registered by 锦江's organisations.
    jinjiang = person_list(actor=tree.jinjiang_admin, filters=PersonFilter(region=Region.objects.get(code="510100")))
    assert names(jinjiang) == ["武侯乙", "锦江丙"]
    assert names(jinjiang.for_count()) == ["武侯乙", "锦江丙"]


def test_the_scan_plan_keeps_the_region_index_out_of_the_page_but_not_out_of_the_count(people, tree, monkeypatch):
    monkeypatch.setattr(selectors, "_REGION_SCAN_FROM", 1)
    qs = person_list(actor=tree.province_admin, filters=PersonFilter(region=Region.objects.get(code="510100")))
    page_sql = str(qs.query)
    count_sql = str(qs.for_count().query)
    assert '+"members_person"."region_id" IN' in page_sql
    assert '+"members_person"."region_id"' not in count_sql
    assert ' "members_person"."region_id" IN' in count_sql
    assert qs.for_count().count() == qs.count() == 3


def test_capped_count_is_exact_up_to_the_cap_and_says_so_past_it(people):
    everyone = Person.objects.all()
    assert schemas.capped_count(everyone, cap=4) == (4, True)
    assert schemas.capped_count(everyone, cap=3) == (3, False)
    assert schemas.capped_count(everyone.filter(name="锦江丙"), cap=3) == (1, True)
    assert schemas.capped_count([1, 2], cap=1) == (2, True)  # a list is already in memory: its length is exact


def test_api_list_answers_count_exact_and_caps_large_counts(people, tree, monkeypatch):
    client = Client()
    client.force_login(tree.province_admin)
    body = client.get("/api/v1/members/people?region=510100").json()
    assert (body["count"], body["count_exact"], len(body["items"])) == (3, True, 3)
    monkeypatch.setattr(schemas, "API_COUNT_CAP", 2)
    body = client.get("/api/v1/members/people?page_size=1").json()
    assert (body["count"], body["count_exact"], [i["name"] for i in body["items"]]) == (2, False, ["武侯甲"])

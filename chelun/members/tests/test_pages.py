import datetime as dt
import io

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from openpyxl import load_workbook

from chelun.core.idcard import make_synthetic_id
from chelun.core.models import Region
from chelun.members import services
from chelun.members.choices import PartyStatus, ProfileType
from chelun.members.models import Person, ShipperProfile
from chelun.members.tests.factories import make_driver, make_person
from chelun.orgs.choices import Role
from chelun.orgs.tests.factories import make_user, superuser

EXPORT_HEADER = ["姓名", "性别", "身份证号（脱敏）", "手机号（脱敏）", "所属组织", "常住地", "人员类型", "党籍状态"]


def xlsx_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def make_member(*, org, name, phone, status=PartyStatus.FULL):
    person = make_person(org=org, name=name, phone=phone)
    services.party_member_profile_set(
        actor=superuser(), person=person, branch=org, joined_on=dt.date(2010, 7, 1), status=status
    )
    return person


@pytest.fixture
def people(tree):
    return {
        "driver": make_driver(org=tree.wuhou_branch, name="武侯司机", phone="13800000001"),
        "member": make_member(org=tree.wuhou_branch, name="武侯党员", phone="13800000002"),
        "jinjiang": make_driver(org=tree.jinjiang_branch, name="锦江司机", phone="13800000003"),
        "fucheng": make_person(org=tree.fucheng_branch, name="涪城人员", phone="13800000004"),
    }


def names(response):
    return [p.name for p in response.context["page"].object_list]


# ---------------------------------------------------------------------------------------------------------------
# List and export
# ---------------------------------------------------------------------------------------------------------------


def test_people_list_shows_masked_values_and_badges(client, tree, people):
    client.force_login(tree.wuhou_admin)

    response = client.get(reverse("members:list"))

    assert response.status_code == 200
    assert names(response) == ["武侯司机", "武侯党员"]
    driver = people["driver"]
    assert driver.id_number_masked in response.text and "138****0001" in response.text
    assert "13800000001" not in response.text
    assert '<span class="badge">货车司机</span>' in response.text
    assert '<span class="badge ok">正式党员</span>' in response.text
    assert "第 1 页" not in response.text  # one page only: no pager


def test_sibling_sees_none_of_the_other_countys_people(client, tree, people):
    client.force_login(tree.jinjiang_admin)

    page = client.get(reverse("members:list"))
    export = xlsx_rows(client.get(reverse("members:list"), {"export": "xlsx"}))
    by_other_org = client.get(reverse("members:list"), {"org": tree.wuhou.pk})
    export_other_org = client.get(reverse("members:list"), {"org": tree.wuhou.pk, "export": "xlsx"})
    by_name = client.get(reverse("members:list"), {"q": "武侯"})

    assert names(page) == ["锦江司机"]
    assert "武侯司机" not in page.text and "武侯党员" not in page.text
    assert [row[0] for row in export] == ["姓名", "锦江司机"]
    assert (by_other_org.status_code, export_other_org.status_code) == (404, 404)
    assert names(by_name) == []


def test_export_has_the_filtered_rows_with_masked_values_only(client, tree, people):
    client.force_login(tree.province_admin)

    rows = xlsx_rows(client.get(reverse("members:list"), {"org": tree.wuhou.pk, "export": "xlsx"}))

    driver, member = people["driver"], people["member"]
    assert rows == [
        EXPORT_HEADER,
        ["武侯司机", "男", driver.id_number_masked, "138****0001", "武侯物流公司党支部", "武侯区", "货车司机", None],
        ["武侯党员", "男", member.id_number_masked, "138****0002", "武侯物流公司党支部", "武侯区", "党员", "正式党员"],
    ]


def test_an_export_too_large_for_one_request_asks_to_filter_first(client, tree, people, monkeypatch):
    monkeypatch.setattr("chelun.core.views.SYNC_EXPORT_LIMIT", 1)
    client.force_login(tree.province_admin)

    refused = client.get(reverse("members:list"), {"profile_type": ProfileType.DRIVER, "export": "xlsx"})
    page = client.get(refused.url)
    narrowed = xlsx_rows(client.get(reverse("members:list"), {"q": "武侯司机", "export": "xlsx"}))

    assert refused.status_code == 302
    assert refused.url == f"{reverse('members:list')}?profile_type={ProfileType.DRIVER}"
    assert "超过单次导出上限 1 条：请按地区或组织筛选后分批导出" in page.text
    assert [row[0] for row in narrowed] == ["姓名", "武侯司机"]


def test_people_list_filters(client, tree, people):
    shipper = make_person(org=tree.fucheng_branch, name="涪城货主", phone="13800000005")
    ShipperProfile.objects.create(person=shipper, company_name="涪城物流")
    make_member(org=tree.jinjiang_branch, name="锦江预备党员", phone="13800000006", status=PartyStatus.PROBATIONARY)
    client.force_login(tree.province_admin)
    chengdu = Region.objects.get(code="510100")
    fucheng = Region.objects.get(code="510703")

    by_prefecture = client.get(reverse("members:list"), {"region": chengdu.pk})
    by_county = client.get(reverse("members:list"), {"region": fucheng.pk})
    drivers = client.get(reverse("members:list"), {"profile_type": ProfileType.DRIVER})
    shippers = client.get(reverse("members:list"), {"profile_type": ProfileType.SHIPPER})
    probationary = client.get(reverse("members:list"), {"party_status": PartyStatus.PROBATIONARY})
    by_org = client.get(reverse("members:list"), {"org": tree.chengdu.pk, "q": "司机"})

    assert names(by_prefecture) == ["武侯司机", "武侯党员", "锦江司机", "锦江预备党员"]
    assert names(by_county) == ["涪城人员", "涪城货主"]
    assert names(drivers) == ["武侯司机", "锦江司机"]
    assert names(shippers) == ["涪城货主"]
    assert names(probationary) == ["锦江预备党员"]
    assert names(by_org) == ["武侯司机", "锦江司机"]
    assert "所属组织：" in by_org.text and "成都市交通运输行业党委" in by_org.text


def test_bad_filters_show_errors_not_a_500(client, tree, people):
    client.force_login(tree.province_admin)

    response = client.get(reverse("members:list"), {"region": "x", "profile_type": "alien", "org": "abc"})
    export = client.get(reverse("members:list"), {"org": "-1", "export": "xlsx"})

    assert response.status_code == 200
    assert "请选择有效的地区" in response.text and "组织参数有误" in response.text
    assert names(response) == []
    assert xlsx_rows(export) == [EXPORT_HEADER]


def test_people_list_pages_fifty_at_a_time_without_counting(client, tree):
    for i in range(51):
        make_person(org=tree.wuhou_branch, name=f"人员{i:02d}")
    client.force_login(tree.wuhou_admin)

    first = client.get(reverse("members:list"))
    second = client.get(reverse("members:list"), {"page": 2})
    beyond = client.get(reverse("members:list"), {"page": 9})

    assert len(names(first)) == 50 and names(first)[-1] == "人员49"
    assert "第 1 页" in first.text and "下一页" in first.text and "共" not in first.text.split("第 1 页")[1][:8]
    assert names(second) == ["人员50"]
    assert "上一页" in second.text and "下一页" not in second.text
    assert names(beyond) == names(first)  # past the end: back to the first page


def test_people_list_over_htmx_returns_the_results_only(client, tree, people):
    client.force_login(tree.wuhou_admin)

    response = client.get(reverse("members:list"), {"q": "党员"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "<html" not in response.text and "<select" not in response.text
    assert names(response) == ["武侯党员"]


@pytest.mark.parametrize("count", [3, 60])
def test_people_list_query_count_does_not_grow_with_rows(client, tree, count, django_assert_max_num_queries):
    for i in range(count // 3):
        make_driver(org=tree.wuhou_branch, name=f"司机{i}")
        make_member(org=tree.wuhou_branch, name=f"党员{i}", phone=f"1370000{i:04d}")
        shipper = make_person(org=tree.wuhou_branch, name=f"货主{i}", phone=f"1360000{i:04d}")
        ShipperProfile.objects.create(person=shipper)
    client.force_login(tree.wuhou_admin)

    # session, user, org.view scope, the organisation filter, person.view scope, one page of people (profiles
    # joined), the region list, person.change scope: the same 8 for 3 rows and for 50.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("members:list"), {"org": tree.wuhou_branch.pk})

    assert len(names(response)) == min(count, 50)


# ---------------------------------------------------------------------------------------------------------------
# Detail and reveal
# ---------------------------------------------------------------------------------------------------------------


def test_detail_shows_the_person_masked_with_profiles(client, tree, people):
    client.force_login(tree.wuhou_admin)

    response = client.get(reverse("members:detail", args=[people["member"].pk]))

    assert response.status_code == 200
    assert "武侯党员" in response.text and "138****0002" in response.text
    assert people["member"].id_number_masked in response.text
    assert "13800000002" not in response.text
    assert "党员档案" in response.text and "2010-07-01" in response.text
    assert response.text.count(">显示</button>") == 2


def test_detail_of_the_sibling_countys_person_is_404(client, tree, people):
    client.force_login(tree.jinjiang_admin)

    sibling = client.get(reverse("members:detail", args=[people["driver"].pk]))
    missing = client.get(reverse("members:detail", args=[999_999]))

    assert (sibling.status_code, missing.status_code) == (404, 404)


def test_reveal_over_htmx_swaps_in_the_clear_value_and_writes_one_audit_entry(client, tree, people):
    person = people["driver"]
    client.force_login(tree.wuhou_admin)

    response = client.post(
        reverse("members:reveal", args=[person.pk]),
        {"field": "phone"},
        headers={"HX-Request": "true"},
        REMOTE_ADDR="10.2.3.4",
    )

    entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS)
    assert response.status_code == 200
    assert '<span class="mono clear" data-testid="clear-phone">13800000001</span>' in response.text
    assert "<html" not in response.text
    assert [(e.object_pk, e.actor_id, e.remote_addr, e.additional_data["revealed_field"]) for e in entries] == [
        (str(person.pk), tree.wuhou_admin.pk, "10.2.3.4", "phone")
    ]


def test_reveal_without_htmx_renders_the_detail_with_the_id_number(client, tree, people):
    person = people["driver"]
    id_number = services.person_reveal(actor=superuser(), person_id=person.pk, field="id_number", remote_addr=None)
    LogEntry.objects.filter(action=LogEntry.Action.ACCESS).delete()
    client.force_login(tree.wuhou_admin)

    response = client.post(reverse("members:reveal", args=[person.pk]), {"field": "id_number"})

    assert response.status_code == 200
    assert f'data-testid="clear-id_number">{id_number}<' in response.text
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == 1


def test_sibling_reveal_is_404_and_writes_nothing(client, tree, people):
    client.force_login(tree.jinjiang_admin)

    response = client.post(
        reverse("members:reveal", args=[people["driver"].pk]), {"field": "phone"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 404
    assert "13800000001" not in response.text
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == 0


def test_viewer_may_see_but_not_reveal(client, tree, people):
    viewer = make_user("wuhou-viewer", org=tree.wuhou, role=Role.VIEWER)
    client.force_login(viewer)

    page = client.get(reverse("members:detail", args=[people["driver"].pk]))
    response = client.post(
        reverse("members:reveal", args=[people["driver"].pk]), {"field": "phone"}, headers={"HX-Request": "true"}
    )

    assert page.status_code == 200 and ">显示</button>" not in page.text
    assert response.status_code == 403
    assert "没有权限执行此操作" in response.text and "13800000001" not in response.text
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == 0


def test_reveal_of_an_unknown_field_or_with_get_is_refused(client, tree, people):
    client.force_login(tree.wuhou_admin)
    url = reverse("members:reveal", args=[people["driver"].pk])

    unknown = client.post(url, {"field": "id_number_cipher"}, headers={"HX-Request": "true"})
    get = client.get(url, {"field": "phone"})

    assert unknown.status_code == 400 and "未知字段" in unknown.text
    assert get.status_code == 405
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == 0


# ---------------------------------------------------------------------------------------------------------------
# Create
# ---------------------------------------------------------------------------------------------------------------


def create_data(tree, **overrides):
    data = {
        "name": "新司机",
        "id_number": make_synthetic_id("510107", dt.date(1990, 5, 6), 77, "female"),
        "phone": "13655556666",
        "org": tree.wuhou_branch.pk,
        "region": Region.objects.get(code="510107").pk,
    }
    data.update(overrides)
    return data


def test_admin_registers_a_person(client, tree):
    client.force_login(tree.wuhou_admin)
    data = create_data(tree)

    response = client.post(reverse("members:create"), data)

    person = Person.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("members:detail", args=[person.pk])
    assert (person.name, person.gender, person.birth_date, person.phone_masked, person.org_id) == (
        "新司机",
        "female",
        dt.date(1990, 5, 6),
        "136****6666",
        tree.wuhou_branch.pk,
    )


def test_create_form_is_prefilled_from_the_organisation(client, tree):
    client.force_login(tree.wuhou_admin)

    response = client.get(reverse("members:create"), {"org": tree.wuhou_branch.pk})

    form = response.context["form"]
    assert response.status_code == 200
    assert (form["org"].value(), form["region"].value()) == (tree.wuhou_branch.pk, tree.wuhou_branch.region_id)
    assert [label for value, label in form.fields["org"].choices if value] == ["武侯物流公司党支部"]


def test_bad_id_number_and_phone_show_field_errors_in_chinese(client, tree):
    client.force_login(tree.wuhou_admin)
    good = create_data(tree)["id_number"]
    bad_check_digit = good[:-1] + ("0" if good[-1] != "0" else "1")

    bad_id = client.post(reverse("members:create"), create_data(tree, id_number=bad_check_digit))
    bad_phone = client.post(reverse("members:create"), create_data(tree, phone="1234"))
    no_name = client.post(reverse("members:create"), create_data(tree, name="  "))

    assert bad_id.status_code == 422
    assert "id_number" in bad_id.context["form"].errors and "校验" in str(bad_id.context["form"].errors["id_number"])
    assert bad_phone.context["form"].errors == {"phone": ["手机号应为 11 位数字"]}
    assert no_name.context["form"].errors == {"name": ["请填写姓名"]}
    assert Person.objects.count() == 0


def test_duplicate_phone_is_shown_on_the_phone_field(client, tree, people):
    client.force_login(tree.wuhou_admin)

    response = client.post(reverse("members:create"), create_data(tree, phone="13800000003"))

    assert response.status_code == 409
    assert response.context["form"].errors == {"phone": ["该手机号已被其他人员使用"]}
    assert Person.objects.count() == 4


def test_cannot_register_into_the_sibling_county(client, tree):
    client.force_login(tree.jinjiang_admin)

    response = client.post(reverse("members:create"), create_data(tree))
    page = client.get(reverse("members:create"), {"org": tree.wuhou_branch.pk})

    assert response.status_code == 422
    assert response.context["form"].errors == {"org": ["请选择有效的组织"]}
    assert page.status_code == 404
    assert Person.objects.count() == 0

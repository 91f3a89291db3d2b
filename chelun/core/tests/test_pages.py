import datetime as dt
import io

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from chelun.accounts.models import User
from chelun.core.audit import audit_entry_list
from chelun.members import services as member_services
from chelun.members.tests.factories import make_driver, make_person
from chelun.orgs import services as org_services
from chelun.orgs.choices import Role
from chelun.orgs.tests.factories import make_user


def xlsx_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def audited(tree):
    """Two people (one per sibling county) and one reveal by the 武侯 admin, so both counties have entries."""
    wuhou_person = make_person(org=tree.wuhou_branch, name="武侯人员", phone="13900000001")
    jinjiang_person = make_person(org=tree.jinjiang_branch, name="锦江人员", phone="13900000002")
    member_services.person_reveal(
        actor=tree.wuhou_admin, person_id=wuhou_person.pk, field="phone", remote_addr="10.1.1.1"
    )
    org_services.organization_update(
        actor=tree.province_admin, organization=tree.wuhou_branch, expected_version=1, name="武侯物流公司第一党支部"
    )
    return wuhou_person, jinjiang_person


def test_healthz_answers_ok_without_login(client, db):
    response = client.get(reverse("core:healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_home_sends_staff_to_the_org_tree(client, tree):
    client.force_login(tree.wuhou_admin)

    response = client.get(reverse("home"))

    assert response["Location"] == reverse("orgs:tree")


def test_home_sends_a_driver_to_their_own_record_which_is_masked(client, tree):
    person = make_driver(org=tree.wuhou_branch, name="王五", phone="13712345678")
    driver = User.objects.create_user(username="driver-x", person=person)
    client.force_login(driver)

    home = client.get(reverse("home"))
    me = client.get(reverse("members:me"))

    assert home["Location"] == reverse("stations:home")
    assert me.status_code == 200
    assert "王五" in me.text and "137****5678" in me.text and person.id_number_masked in me.text
    assert "13712345678" not in me.text
    assert "司机档案" in me.text and "川A12345" in me.text


def test_the_old_short_link_to_my_record_still_leads_there(client, tree):
    client.force_login(tree.wuhou_admin)

    response = client.get("/me/")

    assert (response.status_code, response["Location"]) == (302, reverse("members:me"))


def test_a_driver_with_a_role_is_staff(client, tree):
    person = make_person(org=tree.wuhou_branch)
    secretary = make_user("secretary-with-person", org=tree.wuhou_branch, role=Role.SECRETARY, person=person)
    client.force_login(secretary)

    assert client.get(reverse("home"))["Location"] == reverse("orgs:tree")


def test_audit_page_lists_entries_in_scope(client, tree, audited):
    client.force_login(tree.wuhou_admin)

    response = client.get(reverse("core:audit"))

    rows = response.context["rows"]
    assert response.status_code == 200
    assert {(e.object_repr, e.action) for e, _ in rows} == {
        ("武侯人员", LogEntry.Action.CREATE),
        ("武侯人员", LogEntry.Action.ACCESS),
        ("武侯物流公司第一党支部", LogEntry.Action.UPDATE),
        ("wuhou-admin · 管理员 · 武侯区交通运输行业党委", LogEntry.Action.CREATE),
        ("武侯区交通运输行业党委", LogEntry.Action.CREATE),
        ("武侯物流公司党支部", LogEntry.Action.CREATE),  # the branch's name when it was created
    }
    assert "查看明文" in response.text and "10.1.1.1" in response.text


def test_sibling_county_sees_no_audit_entries_of_the_other(client, tree, audited):
    client.force_login(tree.jinjiang_admin)

    page = client.get(reverse("core:audit"))
    export = xlsx_rows(client.get(reverse("core:audit"), {"export": "xlsx"}))

    jinjiang_only = {
        "锦江人员",
        "jinjiang-admin · 管理员 · 锦江区交通运输行业党委",
        "锦江区交通运输行业党委",
        "锦江货运公司党支部",
    }
    assert {e.object_repr for e, _ in page.context["rows"]} == jinjiang_only
    assert "武侯" not in page.text
    assert {row[4] for row in export[1:]} == jinjiang_only
    assert all("武侯" not in str(cell) for row in export for cell in row)


def test_audit_export_has_headers_and_the_reveal_row(client, tree, audited):
    client.force_login(tree.wuhou_admin)

    rows = xlsx_rows(client.get(reverse("core:audit"), {"export": "xlsx", "action": LogEntry.Action.ACCESS}))

    assert rows[0] == ["时间", "操作", "对象类型", "对象编号", "对象", "操作人", "IP 地址", "变更内容"]
    assert [row[1:] for row in rows[1:]] == [
        ["查看明文", "人员", str(audited[0].pk), "武侯人员", "wuhou-admin", "10.1.1.1", "查看明文：手机号"]
    ]


def test_user_without_audit_scope_sees_an_empty_list(client, tree, audited):
    viewer = make_user("wuhou-viewer", org=tree.wuhou, role=Role.VIEWER)
    client.force_login(viewer)

    response = client.get(reverse("core:audit"))
    export = xlsx_rows(client.get(reverse("core:audit"), {"export": "xlsx"}))

    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "没有符合条件的审计记录" in response.text
    assert export == [["时间", "操作", "对象类型", "对象编号", "对象", "操作人", "IP 地址", "变更内容"]]


def test_audit_filters_by_action_model_actor_and_dates(client, tree, audited):
    client.force_login(tree.province_admin)
    today = timezone.localdate()

    by_action = client.get(reverse("core:audit"), {"action": LogEntry.Action.ACCESS})
    by_actor = client.get(reverse("core:audit"), {"actor": "wuhou-admin"})
    by_model = client.get(reverse("core:audit"), {"model": "orgs.organization", "action": LogEntry.Action.UPDATE})
    past = client.get(reverse("core:audit"), {"until": (today - dt.timedelta(days=1)).isoformat()})
    today_only = client.get(reverse("core:audit"), {"since": today.isoformat(), "until": today.isoformat()})

    assert [(e.object_repr, e.action) for e, _ in by_action.context["rows"]] == [("武侯人员", LogEntry.Action.ACCESS)]
    assert [e.object_repr for e, _ in by_actor.context["rows"]] == ["武侯人员"]
    assert [e.object_repr for e, _ in by_model.context["rows"]] == ["武侯物流公司第一党支部"]
    assert "名称: 武侯物流公司党支部 → 武侯物流公司第一党支部" in by_model.text
    assert past.context["rows"] == []
    in_scope = list(audit_entry_list(actor=tree.province_admin).values_list("pk", flat=True))
    assert [e.pk for e, _ in today_only.context["rows"]] == in_scope
    assert len(in_scope) == 16  # 9 organisations created, 3 role grants, 2 people, 1 reveal, 1 organisation update


def test_bad_audit_filters_show_an_error_not_a_500(client, tree, audited):
    client.force_login(tree.province_admin)

    reversed_range = client.get(reverse("core:audit"), {"since": "2025-02-01", "until": "2025-01-01"})
    bad_action = client.get(reverse("core:audit"), {"action": "x", "since": "not-a-date"})

    assert reversed_range.status_code == 200
    assert "起始日期不能晚于截止日期" in reversed_range.text
    assert reversed_range.context["rows"] == []
    assert bad_action.status_code == 200
    assert bad_action.context["rows"] == []


def test_audit_is_paged_fifty_per_page_without_a_total(client, tree):
    for i in range(48):  # 48 people + 2 organisations created + the 武侯 admin's role grant = 51 entries
        make_person(org=tree.wuhou_branch, name=f"人员{i}")
    client.force_login(tree.wuhou_admin)

    first = client.get(reverse("core:audit"))
    second = client.get(reverse("core:audit"), {"page": 2})

    assert len(first.context["rows"]) == 50
    assert "第 1 页" in first.text and "下一页" in first.text
    assert len(second.context["rows"]) == 1
    assert "上一页" in second.text and "下一页" not in second.text


def test_audit_filter_over_htmx_returns_only_the_results(client, tree, audited):
    client.force_login(tree.wuhou_admin)

    response = client.get(reverse("core:audit"), {"action": 3}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "<html" not in response.text and "查看明文" in response.text
    assert response["Vary"].count("HX-Request") == 1

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from chelun.core.models import Region
from chelun.members.tests.factories import make_person
from chelun.orgs.choices import OrgKind, Role, RuleCategory
from chelun.orgs.models import Organization, Rule
from chelun.orgs.tests.factories import make_user


def xlsx_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def make_rule(org, title, number="", category=RuleCategory.ORGANISATION):
    return Rule.objects.create(
        organization=org, title=title, number=number, category=category, effective_on=dt.date(2024, 3, 1)
    )


@pytest.fixture
def rules(tree):
    return {
        "wuhou": make_rule(tree.wuhou, "武侯区党建工作制度", "武交党〔2024〕1号"),
        "wuhou_branch": make_rule(tree.wuhou_branch, "武侯物流党费收缴办法", "", RuleCategory.DUES),
        "jinjiang": make_rule(tree.jinjiang, "锦江区党员教育制度", "锦交党〔2024〕2号", RuleCategory.EDUCATION),
    }


# ---------------------------------------------------------------------------------------------------------------
# Tree
# ---------------------------------------------------------------------------------------------------------------


def test_tree_shows_the_roots_the_user_may_see(client, tree):
    client.force_login(tree.wuhou_admin)

    response = client.get(reverse("orgs:tree"))

    assert response.status_code == 200
    assert [org.name for org in response.context["roots"]] == ["武侯区交通运输行业党委"]
    assert reverse("orgs:children", args=[tree.wuhou.pk]) in response.text
    assert "锦江" not in response.text and "成都市" not in response.text


def test_expanding_a_node_over_htmx_loads_its_children_only(client, tree):
    client.force_login(tree.province_admin)

    response = client.get(reverse("orgs:children", args=[tree.chengdu.pk]), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "<html" not in response.text
    assert [(o.name, o.child_count) for o in response.context["children"]] == [
        ("武侯区交通运输行业党委", 1),
        ("锦江区交通运输行业党委", 1),
    ]
    assert reverse("orgs:children", args=[tree.wuhou.pk]) in response.text  # can expand further


def test_children_without_htmx_is_a_whole_page(client, tree):
    client.force_login(tree.wuhou_admin)

    response = client.get(reverse("orgs:children", args=[tree.wuhou.pk]))

    assert response.status_code == 200
    assert "<html" in response.text and "武侯物流公司党支部" in response.text


def test_sibling_cannot_expand_the_other_county(client, tree):
    client.force_login(tree.jinjiang_admin)

    response = client.get(reverse("orgs:children", args=[tree.wuhou.pk]), headers={"HX-Request": "true"})

    assert response.status_code == 404


def test_search_shows_matches_in_scope_with_their_breadcrumb(client, tree):
    client.force_login(tree.jinjiang_admin)

    response = client.get(reverse("orgs:tree"), {"q": "公司"}, headers={"HX-Request": "true"})

    assert "<html" not in response.text
    assert [(org.name, [a.name for a in crumbs]) for org, crumbs in response.context["results"]] == [
        ("锦江货运公司党支部", ["锦江区交通运输行业党委"])
    ]
    assert "武侯" not in response.text


def test_search_breadcrumb_of_the_province_admin_goes_to_the_root(client, tree):
    client.force_login(tree.province_admin)

    response = client.get(reverse("orgs:tree"), {"q": "武侯物流"})

    assert [[a.name for a in crumbs] for _, crumbs in response.context["results"]] == [
        ["四川省交通运输行业党委", "成都市交通运输行业党委", "武侯区交通运输行业党委"]
    ]
    assert "四川省交通运输行业党委 › 成都市交通运输行业党委 › 武侯区交通运输行业党委" in response.text


# ---------------------------------------------------------------------------------------------------------------
# Detail
# ---------------------------------------------------------------------------------------------------------------


def test_detail_shows_fields_figures_children_people_and_rules(client, tree, rules):
    Organization.objects.filter(pk=tree.wuhou.pk).update(has_staffing_standard=True)
    make_person(org=tree.wuhou_branch, name="赵六", phone="13811112222")
    client.force_login(tree.wuhou_admin)

    response = client.get(reverse("orgs:detail", args=[tree.wuhou.pk]))

    assert response.status_code == 200
    text = response.text
    assert [a.name for a in response.context["ancestors"]] == []  # the 武侯 admin sees nothing above 武侯
    assert "行业党委" in text and "武侯区" in text and "2020-01-01" in text
    assert "机构编制已落实" in text and "人员配备未落实" in text and "经费保障未落实" in text
    figures = response.context["figures"]
    assert (figures.organizations, figures.industry_built, figures.rules) == (2, 1, 2)
    assert [c.name for c in response.context["children"]] == ["武侯物流公司党支部"]
    assert [p.name for p in response.context["people"]] == ["赵六"]
    assert "138****2222" in text and "13811112222" not in text
    assert f"{reverse('members:list')}?org={tree.wuhou.pk}" in text
    assert [r.title for r in response.context["rules"]] == ["武侯区党建工作制度", "武侯物流党费收缴办法"]


def test_detail_breadcrumb_shows_visible_ancestors(client, tree):
    client.force_login(tree.province_admin)

    response = client.get(reverse("orgs:detail", args=[tree.wuhou_branch.pk]))

    assert [a.name for a in response.context["ancestors"]] == [
        "四川省交通运输行业党委",
        "成都市交通运输行业党委",
        "武侯区交通运输行业党委",
    ]


def test_detail_of_a_temporary_branch_shows_project_and_end_date(client, tree):
    from chelun.orgs.tests.factories import make_org

    temp = make_org(
        parent=tree.wuhou,
        name="天府大道项目临时党支部",
        region_code="510107",
        kind=OrgKind.TEMPORARY_BRANCH,
        project_name="天府大道北延线",
        ends_on=dt.date(2026, 12, 31),
    )
    client.force_login(tree.wuhou_admin)

    response = client.get(reverse("orgs:detail", args=[temp.pk]))

    assert "天府大道北延线" in response.text and "2026-12-31" in response.text
    assert "机构编制" not in response.text  # the three standards are for industry committees only


@pytest.mark.parametrize("name", ["orgs:detail", "orgs:edit", "orgs:move", "orgs:children"])
def test_sibling_and_missing_organisations_are_404(client, tree, name):
    client.force_login(tree.jinjiang_admin)

    sibling = client.get(reverse(name, args=[tree.wuhou.pk]))
    missing = client.get(reverse(name, args=[999_999]))

    assert (sibling.status_code, missing.status_code) == (404, 404)
    assert "武侯" not in sibling.text


# ---------------------------------------------------------------------------------------------------------------
# Edit and move
# ---------------------------------------------------------------------------------------------------------------


def edit_data(org, **overrides):
    data = {
        "name": org.name,
        "status": org.status,
        "founded_on": org.founded_on.isoformat(),
        "ends_on": "",
        "version": org.version,
    }
    data.update(overrides)
    return data


def test_admin_edits_an_organisation(client, tree):
    # The secretary is set on its own page now (members); see chelun/members/tests/test_secretary.py.
    client.force_login(tree.wuhou_admin)

    response = client.post(
        reverse("orgs:edit", args=[tree.wuhou.pk]),
        edit_data(tree.wuhou, name="武侯区交通运输行业委员会", has_funding_standard="on"),
    )

    org = Organization.objects.get(pk=tree.wuhou.pk)
    assert response.status_code == 302 and response["Location"] == reverse("orgs:detail", args=[org.pk])
    assert (org.name, org.has_funding_standard, org.version) == ("武侯区交通运输行业委员会", True, 2)


def test_edit_over_htmx_answers_with_hx_redirect(client, tree):
    client.force_login(tree.wuhou_admin)

    response = client.post(
        reverse("orgs:edit", args=[tree.wuhou.pk]), edit_data(tree.wuhou, name="新名"), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("orgs:detail", args=[tree.wuhou.pk])


def test_stale_edit_shows_the_conflict_and_changes_nothing(client, tree):
    client.force_login(tree.wuhou_admin)
    form_seen = edit_data(tree.wuhou, name="甲的修改")
    client.post(reverse("orgs:edit", args=[tree.wuhou.pk]), form_seen)  # saves, version 1 -> 2

    response = client.post(reverse("orgs:edit", args=[tree.wuhou.pk]), {**form_seen, "name": "乙的修改"})

    org = Organization.objects.get(pk=tree.wuhou.pk)
    assert response.status_code == 409
    assert "该记录已被他人修改，请刷新后重试" in response.text
    assert (org.name, org.version) == ("甲的修改", 2)


def test_model_rule_errors_show_on_the_form(client, tree):
    client.force_login(tree.wuhou_admin)

    response = client.post(
        reverse("orgs:edit", args=[tree.wuhou.pk]), edit_data(tree.wuhou, founded_on="2020-01-01", ends_on="2019-01-01")
    )

    assert response.status_code == 422
    assert "撤销日期不能早于成立日期" in response.text
    assert Organization.objects.get(pk=tree.wuhou.pk).ends_on is None


def test_a_viewer_cannot_edit(client, tree):
    viewer = make_user("wuhou-viewer", org=tree.wuhou, role=Role.VIEWER)
    client.force_login(viewer)

    page = client.get(reverse("orgs:edit", args=[tree.wuhou.pk]))
    response = client.post(reverse("orgs:edit", args=[tree.wuhou.pk]), edit_data(tree.wuhou, name="越权"))

    assert "您没有修改此组织的权限" in page.text
    assert response.status_code == 403
    assert Organization.objects.get(pk=tree.wuhou.pk).name == "武侯区交通运输行业党委"


def test_sibling_post_to_edit_is_404_and_changes_nothing(client, tree):
    client.force_login(tree.jinjiang_admin)

    response = client.post(reverse("orgs:edit", args=[tree.wuhou.pk]), edit_data(tree.wuhou, name="越权"))

    assert response.status_code == 404
    assert Organization.objects.get(pk=tree.wuhou.pk).name == "武侯区交通运输行业党委"


def test_move_form_offers_committees_outside_the_subtree(client, tree):
    client.force_login(tree.province_admin)

    response = client.get(reverse("orgs:move", args=[tree.wuhou.pk]))

    labels = [label.strip() for value, label in response.context["form"].fields["new_parent"].choices if value]
    # Tree order: 锦江 sits under 成都 (whose id sorts before 绵阳's); 武侯's own subtree and parent are left out.
    assert labels == [
        "四川省交通运输行业党委",
        "锦江区交通运输行业党委",
        "绵阳市交通运输行业党委",
        "涪城区交通运输行业党委",
    ]


def test_move_under_another_city(client, tree):
    client.force_login(tree.province_admin)

    response = client.post(
        reverse("orgs:move", args=[tree.wuhou.pk]), {"new_parent": tree.mianyang.pk, "version": tree.wuhou.version}
    )

    branch = Organization.objects.get(pk=tree.wuhou_branch.pk)
    assert response.status_code == 302
    assert Organization.objects.get(pk=tree.wuhou.pk).parent_id == tree.mianyang.pk
    assert branch.path == f"/{tree.province.pk}/{tree.mianyang.pk}/{tree.wuhou.pk}/{branch.pk}/"


def test_moving_into_its_own_subtree_shows_the_cycle_message(client, tree):
    client.force_login(tree.province_admin)

    response = client.post(
        reverse("orgs:move", args=[tree.chengdu.pk]), {"new_parent": tree.wuhou.pk, "version": tree.chengdu.version}
    )

    assert response.status_code == 400
    assert "不能把组织移动到它自己或它的下级组织之下" in response.text
    assert Organization.objects.get(pk=tree.chengdu.pk).parent_id == tree.province.pk


def test_county_admin_cannot_move_their_county_away(client, tree):
    client.force_login(tree.wuhou_admin)

    response = client.post(
        reverse("orgs:move", args=[tree.wuhou_branch.pk]), {"new_parent": tree.jinjiang.pk, "version": 1}
    )

    assert response.status_code == 422  # 锦江 is not a choice for the 武侯 admin: it is not even visible
    assert Organization.objects.get(pk=tree.wuhou_branch.pk).parent_id == tree.wuhou.pk


# ---------------------------------------------------------------------------------------------------------------
# Organisation list
# ---------------------------------------------------------------------------------------------------------------


def test_org_list_shows_the_subtree_with_a_total(client, tree):
    client.force_login(tree.wuhou_admin)

    response = client.get(reverse("orgs:list"))

    assert response.status_code == 200
    assert [o.name for o in response.context["page"].object_list] == ["武侯区交通运输行业党委", "武侯物流公司党支部"]
    assert "共 <b>2</b> 个组织" in response.text


def test_sibling_sees_none_of_the_other_countys_orgs_in_list_or_export(client, tree):
    client.force_login(tree.jinjiang_admin)

    page = client.get(reverse("orgs:list"))
    export = xlsx_rows(client.get(reverse("orgs:list"), {"export": "xlsx"}))

    assert [o.name for o in page.context["page"].object_list] == ["锦江区交通运输行业党委", "锦江货运公司党支部"]
    assert "武侯区交通运输行业党委" not in page.text and "武侯物流" not in page.text
    assert export == [
        ["名称", "类型", "所在单位类别", "上级组织", "所在地区", "成立日期", "状态"],
        [
            "锦江区交通运输行业党委",
            "行业党委",
            "行业主管部门",
            "成都市交通运输行业党委",
            "锦江区",
            dt.datetime(2020, 1, 1),
            "正常",
        ],
        [
            "锦江货运公司党支部",
            "党支部",
            "货运企业",
            "锦江区交通运输行业党委",
            "锦江区",
            dt.datetime(2020, 1, 1),
            "正常",
        ],
    ]


def test_org_list_filters_by_kind_region_and_name(client, tree):
    client.force_login(tree.province_admin)
    chengdu = Region.objects.get(code="510100")

    by_kind = client.get(reverse("orgs:list"), {"kind": OrgKind.BRANCH})
    by_region = client.get(reverse("orgs:list"), {"region": chengdu.pk, "kind": OrgKind.INDUSTRY_COMMITTEE})
    by_name = client.get(reverse("orgs:list"), {"q": "涪城"})

    assert [o.name for o in by_kind.context["page"].object_list] == [
        "武侯物流公司党支部",
        "锦江货运公司党支部",
        "涪城运输公司党支部",
    ]
    assert {o.name for o in by_region.context["page"].object_list} == {
        "成都市交通运输行业党委",
        "武侯区交通运输行业党委",
        "锦江区交通运输行业党委",
    }
    assert [o.name for o in by_name.context["page"].object_list] == ["涪城区交通运输行业党委", "涪城运输公司党支部"]


def test_org_list_with_bad_filters_shows_errors_not_a_500(client, tree):
    client.force_login(tree.province_admin)

    response = client.get(reverse("orgs:list"), {"region": "abc", "kind": "nope", "page": "x"})

    assert response.status_code == 200
    assert "请选择有效的地区" in response.text
    assert list(response.context["page"].object_list) == []


# ---------------------------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------------------------


def test_rules_list_with_count_and_filters(client, tree, rules):
    client.force_login(tree.province_admin)

    everything = client.get(reverse("orgs:rules"))
    by_number = client.get(reverse("orgs:rules"), {"q": "锦交党"})
    by_category = client.get(reverse("orgs:rules"), {"category": RuleCategory.DUES})
    within = client.get(reverse("orgs:rules"), {"org": tree.wuhou.pk})

    assert everything.context["page"].paginator.count == 3
    assert 'data-testid="rule-count">3<' in everything.text
    assert [r.title for r in by_number.context["page"].object_list] == ["锦江区党员教育制度"]
    assert [r.title for r in by_category.context["page"].object_list] == ["武侯物流党费收缴办法"]
    assert {r.title for r in within.context["page"].object_list} == {"武侯区党建工作制度", "武侯物流党费收缴办法"}


def test_sibling_sees_none_of_the_other_countys_rules(client, tree, rules):
    client.force_login(tree.jinjiang_admin)

    page = client.get(reverse("orgs:rules"))
    export = xlsx_rows(client.get(reverse("orgs:rules"), {"export": "xlsx"}))
    within_other = client.get(reverse("orgs:rules"), {"org": tree.wuhou.pk})
    export_within_other = client.get(reverse("orgs:rules"), {"org": tree.wuhou.pk, "export": "xlsx"})

    assert [r.title for r in page.context["page"].object_list] == ["锦江区党员教育制度"]
    assert "武侯" not in page.text
    assert export == [
        ["标题", "文号", "类别", "状态", "生效日期", "制定组织"],
        [
            "锦江区党员教育制度",
            "锦交党〔2024〕2号",
            "教育培训",
            "有效",
            dt.datetime(2024, 3, 1),
            "锦江区交通运输行业党委",
        ],
    ]
    assert within_other.status_code == 404
    assert export_within_other.status_code == 404


def test_admin_creates_a_rule(client, tree):
    client.force_login(tree.wuhou_admin)

    response = client.post(
        reverse("orgs:rule_create") + f"?org={tree.wuhou.pk}",
        {
            "organization": tree.wuhou_branch.pk,
            "title": "三会一课制度",
            "category": RuleCategory.EDUCATION,
            "number": "武物党〔2025〕1号",
            "effective_on": "2025-01-01",
            "status": "effective",
        },
    )

    rule = Rule.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('orgs:rules')}?org={tree.wuhou_branch.pk}"
    assert (rule.organization_id, rule.title, rule.number, rule.effective_on) == (
        tree.wuhou_branch.pk,
        "三会一课制度",
        "武物党〔2025〕1号",
        dt.date(2025, 1, 1),
    )


def test_rule_form_errors_are_shown_and_nothing_is_created(client, tree, rules):
    client.force_login(tree.wuhou_admin)
    data = {
        "organization": tree.wuhou.pk,
        "category": "organisation",
        "effective_on": "2025-01-01",
        "status": "effective",
    }

    missing_title = client.post(reverse("orgs:rule_create"), {**data, "title": ""})
    duplicate_number = client.post(
        reverse("orgs:rule_create"), {**data, "title": "重复", "number": "武交党〔2024〕1号"}
    )
    other_county = client.post(reverse("orgs:rule_create"), {**data, "title": "越权", "organization": tree.jinjiang.pk})

    assert missing_title.status_code == 422 and "请填写标题" in missing_title.text
    assert duplicate_number.status_code == 422 and 'class="error" role="alert"' in duplicate_number.text
    assert other_county.status_code == 422 and "请选择有效的组织" in other_county.text
    assert Rule.objects.count() == 3


def test_a_viewer_gets_the_permission_message_when_creating_a_rule(client, tree):
    viewer = make_user("wuhou-viewer", org=tree.wuhou, role=Role.VIEWER)
    client.force_login(viewer)

    response = client.post(
        reverse("orgs:rule_create"),
        {
            "organization": tree.wuhou.pk,
            "title": "越权",
            "category": "organisation",
            "effective_on": "2025-01-01",
            "status": "effective",
        },
    )

    assert response.status_code == 403
    assert "没有权限执行此操作" in response.text
    assert Rule.objects.count() == 0

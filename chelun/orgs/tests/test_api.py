"""The organisation tree and rules over the API: scope (a sibling county sees nothing of 武侯), validation in the
one error shape, optimistic concurrency and tree moves."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.test import Client

from chelun.accounts.services import api_token_create
from chelun.orgs.choices import RuleCategory
from chelun.orgs.models import Organization, Rule
from chelun.orgs.tests.factories import make_user

NOT_FOUND = {"message": "组织不存在", "code": "not_found", "extra": {}}
UNKNOWN_ORG = {"message": "组织不存在", "code": "unknown_organization"}


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def patch(client, url, body):
    return client.patch(url, body, content_type="application/json")


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def snapshot(org: Organization) -> tuple:
    org = Organization.objects.get(pk=org.pk)
    return (org.name, org.parent_id, org.path, org.depth, org.region_id, org.version)


@pytest.fixture
def wuhou_rule(tree):
    return Rule.objects.create(
        organization=tree.wuhou_branch,
        title="武侯物流公司党支部三会一课制度",
        category=RuleCategory.ORGANISATION,
        number="武物党〔2024〕1号",
        effective_on=dt.date(2024, 3, 1),
    )


def new_org_body(parent, **overrides):
    body = {
        "parent_id": parent.pk,
        "name": "新建党支部",
        "kind": "branch",
        "sector": "company",
        "region_code": parent.region.code,
        "founded_on": "2024-05-04",
    }
    return {**body, **overrides}


# --- anonymous ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/orgs/"),
        ("post", "/api/v1/orgs/"),
        ("get", "/api/v1/orgs/{wuhou}"),
        ("patch", "/api/v1/orgs/{wuhou}"),
        ("get", "/api/v1/orgs/{wuhou}/children"),
        ("post", "/api/v1/orgs/{wuhou}/move"),
        ("get", "/api/v1/orgs/rules"),
        ("post", "/api/v1/orgs/rules"),
        ("get", "/api/v1/orgs/rules/{rule}"),
    ],
)
def test_anonymous_gets_401_everywhere(tree, wuhou_rule, method, url):
    url = url.format(wuhou=tree.wuhou.pk, rule=wuhou_rule.pk)
    response = getattr(Client(), method)(url, {}, content_type="application/json")
    assert (response.status_code, response.json()) == (
        401,
        {"message": "请先登录", "code": "not_authenticated", "extra": {}},
    )


# --- list --------------------------------------------------------------------------------------------------------


def test_list_shows_only_the_callers_subtree(tree):
    assert ids(login(tree.wuhou_admin).get("/api/v1/orgs/")) == [tree.wuhou.pk, tree.wuhou_branch.pk]
    assert ids(login(tree.jinjiang_admin).get("/api/v1/orgs/")) == [tree.jinjiang.pk, tree.jinjiang_branch.pk]
    assert login(tree.province_admin).get("/api/v1/orgs/").json()["count"] == 9


def test_sibling_gets_no_wuhou_rows_whatever_the_filter(tree):
    client = login(tree.jinjiang_admin)
    for query in ("", "?q=武侯", "?region=510107", "?kind=branch", "?region=510100"):
        assert tree.wuhou.pk not in ids(client.get(f"/api/v1/orgs/{query}"))
        assert tree.wuhou_branch.pk not in ids(client.get(f"/api/v1/orgs/{query}"))
    assert ids(client.get("/api/v1/orgs/?region=510107")) == []


def test_list_filters(tree):
    client = login(tree.province_admin)
    assert ids(client.get("/api/v1/orgs/?kind=branch")) == [
        tree.wuhou_branch.pk,
        tree.jinjiang_branch.pk,
        tree.fucheng_branch.pk,
    ]
    chengdu_subtree = [tree.chengdu.pk, tree.wuhou.pk, tree.wuhou_branch.pk, tree.jinjiang.pk, tree.jinjiang_branch.pk]
    assert sorted(ids(client.get("/api/v1/orgs/?region=510100"))) == sorted(chengdu_subtree)
    assert sorted(ids(client.get(f"/api/v1/orgs/?within={tree.chengdu.pk}"))) == sorted(chengdu_subtree)
    assert ids(client.get("/api/v1/orgs/?q=武侯")) == [tree.wuhou.pk, tree.wuhou_branch.pk]
    assert ids(client.get("/api/v1/orgs/?status=dissolved")) == []
    page = client.get("/api/v1/orgs/?page=2&page_size=4").json()
    assert (page["count"], len(page["items"])) == (9, 4)


def test_list_item_shape(tree):
    item = login(tree.wuhou_admin).get("/api/v1/orgs/?kind=branch").json()["items"][0]
    created_at, updated_at = item.pop("created_at"), item.pop("updated_at")
    assert dt.datetime.fromisoformat(created_at) <= dt.datetime.fromisoformat(updated_at)
    assert item == {
        "id": tree.wuhou_branch.pk,
        "name": "武侯物流公司党支部",
        "kind": "branch",
        "kind_label": "党支部",
        "sector": "company",
        "sector_label": "货运企业",
        "parent_id": tree.wuhou.pk,
        "path": tree.wuhou_branch.path,
        "depth": 3,
        "region_code": "510107",
        "region_name": "武侯区",
        "unit_name": "",
        "founded_on": "2020-01-01",
        "status": "active",
        "status_label": "正常",
        "has_staffing_standard": False,
        "has_personnel_standard": False,
        "has_funding_standard": False,
        "project_name": "",
        "ends_on": None,
        "version": 1,
    }


def test_list_filter_errors_are_422(tree):
    client = login(tree.jinjiang_admin)
    unknown_region = client.get("/api/v1/orgs/?region=999999")
    assert (unknown_region.status_code, unknown_region.json()["code"]) == (422, "unknown_region")
    assert unknown_region.json()["extra"]["fields"] == {"region": ["未知的行政区划代码：999999"]}
    # An organisation outside scope is as unknown as a missing one.
    for within in (tree.wuhou.pk, 999_999):
        response = client.get(f"/api/v1/orgs/?within={within}")
        assert (response.status_code, response.json()) == (
            422,
            {**UNKNOWN_ORG, "extra": {"fields": {"within": ["组织不存在"]}}},
        )
    bad_kind = client.get("/api/v1/orgs/?kind=club")
    assert (bad_kind.status_code, list(bad_kind.json()["extra"]["fields"])) == (422, ["kind"])


def test_list_with_bearer_token(tree):
    _, key = api_token_create(user=tree.jinjiang_admin, name="test")
    response = Client().get("/api/v1/orgs/", headers={"Authorization": f"Bearer {key}"})
    assert ids(response) == [tree.jinjiang.pk, tree.jinjiang_branch.pk]


# --- detail and children -----------------------------------------------------------------------------------------


def test_detail_with_subtree_figures_and_visible_ancestors(tree, wuhou_rule):
    body = login(tree.wuhou_admin).get(f"/api/v1/orgs/{tree.wuhou.pk}").json()
    assert (body["id"], body["name"], body["ancestors"]) == (tree.wuhou.pk, "武侯区交通运输行业党委", [])
    assert body["figures"] == {
        "organizations": 2,
        "industry_built": 1,
        "grid_branches": 0,
        "temporary_branches": 0,
        "rules": 1,
        "committees_with_all_standards": 0,
    }
    province_view = login(tree.province_admin).get(f"/api/v1/orgs/{tree.wuhou_branch.pk}").json()
    assert [a["id"] for a in province_view["ancestors"]] == [tree.province.pk, tree.chengdu.pk, tree.wuhou.pk]
    assert province_view["ancestors"][0] == {
        "id": tree.province.pk,
        "name": "四川省交通运输行业党委",
        "kind": "industry_committee",
        "kind_label": "行业党委",
    }


@pytest.mark.parametrize("path", ["", "/children"])
def test_sibling_gets_404_on_wuhou_details(tree, path):
    client = login(tree.jinjiang_admin)
    for org in (tree.wuhou, tree.wuhou_branch, tree.chengdu):
        response = client.get(f"/api/v1/orgs/{org.pk}{path}")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    missing = client.get(f"/api/v1/orgs/999999{path}")
    assert (missing.status_code, missing.json()) == (404, NOT_FOUND)


def test_non_numeric_or_huge_ids_never_500(tree):
    client = login(tree.province_admin)
    assert client.get("/api/v1/orgs/abc").status_code == 422
    assert client.get("/api/v1/orgs/99999999999999999999999").json() == NOT_FOUND


def test_children(tree):
    response = login(tree.province_admin).get(f"/api/v1/orgs/{tree.chengdu.pk}/children")
    assert ids(response) == [tree.wuhou.pk, tree.jinjiang.pk]  # same kind, so by name: 武 (U+6B66) before 锦
    assert [c["child_count"] for c in response.json()["items"]] == [1, 1]
    assert ids(login(tree.wuhou_admin).get(f"/api/v1/orgs/{tree.wuhou.pk}/children")) == [tree.wuhou_branch.pk]


# --- create ------------------------------------------------------------------------------------------------------


def test_create_under_own_subtree(tree):
    response = post(login(tree.wuhou_admin), "/api/v1/orgs/", new_org_body(tree.wuhou))
    assert response.status_code == 201
    body = response.json()
    org = Organization.objects.get(pk=body["id"])
    assert (body["path"], body["depth"], body["version"]) == (f"{tree.wuhou.path}{org.pk}/", 3, 1)
    assert (org.name, org.parent_id, org.founded_on, org.region.code) == (
        "新建党支部",
        tree.wuhou.pk,
        dt.date(2024, 5, 4),
        "510107",
    )


def test_create_temporary_branch_with_project(tree):
    body = new_org_body(
        tree.wuhou, kind="temporary_branch", sector="project", project_name="成渝扩容工程", ends_on="2026-12-31"
    )
    response = post(login(tree.wuhou_admin), "/api/v1/orgs/", body)
    assert response.status_code == 201
    assert (response.json()["project_name"], response.json()["ends_on"]) == ("成渝扩容工程", "2026-12-31")


@pytest.mark.parametrize(
    ("overrides", "status", "code", "fields"),
    [
        ({"founded_on": "2024-02-30"}, 422, "validation_error", ["founded_on"]),
        ({"founded_on": "yesterday"}, 422, "validation_error", ["founded_on"]),
        ({"region_code": "999999"}, 422, "unknown_region", ["region_code"]),
        ({"kind": "club"}, 422, "validation_error", ["kind"]),
        ({"name": "x" * 129}, 422, "validation_error", ["name"]),
        ({"kind": "temporary_branch"}, 422, "validation_error", ["project_name", "ends_on"]),
        ({"ends_on": "2019-01-01"}, 422, "validation_error", ["ends_on"]),
    ],
)
def test_create_rejects_bad_input_and_writes_nothing(tree, overrides, status, code, fields):
    before = Organization.objects.count()
    response = post(login(tree.wuhou_admin), "/api/v1/orgs/", new_org_body(tree.wuhou, **overrides))
    body = response.json()
    assert (response.status_code, body["code"], sorted(body["extra"]["fields"])) == (status, code, sorted(fields))
    assert set(body) == {"message", "code", "extra"}
    assert Organization.objects.count() == before


def test_create_under_sibling_is_unknown_parent_and_writes_nothing(tree):
    before = Organization.objects.count()
    response = post(login(tree.jinjiang_admin), "/api/v1/orgs/", new_org_body(tree.wuhou))
    assert (response.status_code, response.json()) == (
        422,
        {**UNKNOWN_ORG, "extra": {"fields": {"parent_id": ["组织不存在"]}}},
    )
    assert Organization.objects.count() == before


def test_viewer_may_not_create_and_nothing_is_written(tree):
    viewer = make_user("wuhou-viewer", org=tree.wuhou, role="viewer")
    before = Organization.objects.count()
    response = post(login(viewer), "/api/v1/orgs/", new_org_body(tree.wuhou))
    assert (response.status_code, response.json()) == (
        403,
        {"message": "没有权限执行此操作", "code": "forbidden", "extra": {}},
    )
    assert Organization.objects.count() == before


def test_only_superusers_create_roots(tree):
    response = post(login(tree.province_admin), "/api/v1/orgs/", new_org_body(tree.province, parent_id=None))
    assert (response.status_code, response.json()["code"]) == (400, "root_forbidden")
    assert Organization.objects.filter(parent__isnull=True).count() == 1


def test_malformed_json_is_400_in_our_shape(tree):
    before = Organization.objects.count()
    response = login(tree.wuhou_admin).post("/api/v1/orgs/", "{not json", content_type="application/json")
    assert (response.status_code, response.json()) == (
        400,
        {"message": "请求体不是有效的 JSON", "code": "malformed_body", "extra": {}},
    )
    assert Organization.objects.count() == before


# --- update ------------------------------------------------------------------------------------------------------


def test_patch_with_current_version(tree):
    response = patch(
        login(tree.wuhou_admin),
        f"/api/v1/orgs/{tree.wuhou_branch.pk}",
        {"version": 1, "name": "武侯物流公司第一党支部", "unit_name": "武侯物流有限公司"},
    )
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["unit_name"], response.json()["version"]) == (
        "武侯物流公司第一党支部",
        "武侯物流有限公司",
        2,
    )
    assert Organization.objects.get(pk=tree.wuhou_branch.pk).name == "武侯物流公司第一党支部"


def test_stale_patch_is_409_and_changes_nothing(tree):
    client = login(tree.wuhou_admin)
    url = f"/api/v1/orgs/{tree.wuhou_branch.pk}"
    assert patch(client, url, {"version": 1, "name": "第一次修改"}).status_code == 200
    before = snapshot(tree.wuhou_branch)
    stale = patch(client, url, {"version": 1, "name": "过期的表单"})
    assert (stale.status_code, stale.json()) == (
        409,
        {"message": "该记录已被他人修改，请刷新后重试", "code": "stale_version", "extra": {"current_version": 2}},
    )
    assert snapshot(tree.wuhou_branch) == before


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"name": "没有版本号"}, "validation_error", "version"),
        ({"version": 1, "name": None}, "validation_error", "name"),
        ({"version": 1, "founded_on": "2024-13-01"}, "validation_error", "founded_on"),
        ({"version": 1, "region_code": "000000"}, "unknown_region", "region_code"),
        ({"version": 1, "status": "gone"}, "validation_error", "status"),
    ],
)
def test_patch_validation_is_422_and_changes_nothing(tree, body, code, field):
    before = snapshot(tree.wuhou_branch)
    response = patch(login(tree.wuhou_admin), f"/api/v1/orgs/{tree.wuhou_branch.pk}", body)
    assert (response.status_code, response.json()["code"], list(response.json()["extra"]["fields"])) == (
        422,
        code,
        [field],
    )
    assert snapshot(tree.wuhou_branch) == before


def test_sibling_patch_is_404_and_changes_nothing(tree):
    before = snapshot(tree.wuhou)
    response = patch(login(tree.jinjiang_admin), f"/api/v1/orgs/{tree.wuhou.pk}", {"version": 1, "name": "越权"})
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert snapshot(tree.wuhou) == before


def test_viewer_patch_is_403_and_changes_nothing(tree):
    viewer = make_user("wuhou-viewer", org=tree.wuhou, role="viewer")
    before = snapshot(tree.wuhou_branch)
    response = patch(login(viewer), f"/api/v1/orgs/{tree.wuhou_branch.pk}", {"version": 1, "name": "越权"})
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert snapshot(tree.wuhou_branch) == before


def test_patch_with_bearer_token_is_audited_under_the_tokens_user(tree):
    _, key = api_token_create(user=tree.wuhou_admin, name="test")
    response = Client().patch(
        f"/api/v1/orgs/{tree.wuhou_branch.pk}",
        {"version": 1, "name": "令牌修改"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
        REMOTE_ADDR="10.0.0.5",
    )
    assert response.status_code == 200
    entry = LogEntry.objects.get(action=LogEntry.Action.UPDATE, object_pk=str(tree.wuhou_branch.pk))
    assert (entry.actor, entry.remote_addr, entry.changes_dict["name"]) == (
        tree.wuhou_admin,
        "10.0.0.5",
        ["武侯物流公司党支部", "令牌修改"],
    )


# --- move --------------------------------------------------------------------------------------------------------


def test_move_rewrites_the_subtree(tree):
    response = post(
        login(tree.province_admin), f"/api/v1/orgs/{tree.wuhou.pk}/move", {"new_parent_id": tree.mianyang.pk}
    )
    assert response.status_code == 200
    assert (response.json()["parent_id"], response.json()["path"], response.json()["version"]) == (
        tree.mianyang.pk,
        f"{tree.mianyang.path}{tree.wuhou.pk}/",
        2,
    )
    assert Organization.objects.get(pk=tree.wuhou_branch.pk).path == (
        f"{tree.mianyang.path}{tree.wuhou.pk}/{tree.wuhou_branch.pk}/"
    )


def test_move_into_own_subtree_is_a_tree_cycle_and_changes_nothing(tree):
    before = [snapshot(org) for org in (tree.chengdu, tree.wuhou, tree.wuhou_branch)]
    response = post(
        login(tree.province_admin), f"/api/v1/orgs/{tree.chengdu.pk}/move", {"new_parent_id": tree.wuhou.pk}
    )
    assert (response.status_code, response.json()) == (
        400,
        {"message": "不能把组织移动到它自己或它的下级组织之下", "code": "tree_cycle", "extra": {}},
    )
    assert [snapshot(org) for org in (tree.chengdu, tree.wuhou, tree.wuhou_branch)] == before


def test_move_with_stale_version_is_409(tree):
    before = snapshot(tree.wuhou)
    response = post(
        login(tree.province_admin),
        f"/api/v1/orgs/{tree.wuhou.pk}/move",
        {"new_parent_id": tree.mianyang.pk, "version": 7},
    )
    assert (response.status_code, response.json()["code"]) == (409, "stale_version")
    assert snapshot(tree.wuhou) == before


def test_sibling_cannot_move_wuhou_or_move_into_it(tree):
    client = login(tree.jinjiang_admin)
    before = [snapshot(org) for org in (tree.wuhou, tree.wuhou_branch, tree.jinjiang_branch)]
    out_of_scope = post(client, f"/api/v1/orgs/{tree.wuhou_branch.pk}/move", {"new_parent_id": tree.jinjiang.pk})
    assert (out_of_scope.status_code, out_of_scope.json()) == (404, NOT_FOUND)
    into = post(client, f"/api/v1/orgs/{tree.jinjiang_branch.pk}/move", {"new_parent_id": tree.wuhou.pk})
    assert (into.status_code, into.json()) == (
        422,
        {**UNKNOWN_ORG, "extra": {"fields": {"new_parent_id": ["组织不存在"]}}},
    )
    assert [snapshot(org) for org in (tree.wuhou, tree.wuhou_branch, tree.jinjiang_branch)] == before


# --- rules -------------------------------------------------------------------------------------------------------


def test_rule_list_and_detail_are_scoped(tree, wuhou_rule):
    assert ids(login(tree.wuhou_admin).get("/api/v1/orgs/rules")) == [wuhou_rule.pk]
    assert ids(login(tree.province_admin).get("/api/v1/orgs/rules")) == [wuhou_rule.pk]
    sibling = login(tree.jinjiang_admin)
    assert ids(sibling.get("/api/v1/orgs/rules")) == []
    assert ids(sibling.get("/api/v1/orgs/rules?q=三会一课")) == []
    detail = sibling.get(f"/api/v1/orgs/rules/{wuhou_rule.pk}")
    assert (detail.status_code, detail.json()) == (404, {"message": "制度不存在", "code": "not_found", "extra": {}})


def test_rule_detail_shape_and_filters(tree, wuhou_rule):
    client = login(tree.wuhou_admin)
    body = client.get(f"/api/v1/orgs/rules/{wuhou_rule.pk}").json()
    del body["created_at"], body["updated_at"]
    assert body == {
        "id": wuhou_rule.pk,
        "organization": {
            "id": tree.wuhou_branch.pk,
            "name": "武侯物流公司党支部",
            "kind": "branch",
            "kind_label": "党支部",
        },
        "title": "武侯物流公司党支部三会一课制度",
        "category": "organisation",
        "category_label": "组织建设",
        "number": "武物党〔2024〕1号",
        "effective_on": "2024-03-01",
        "status": "effective",
        "status_label": "有效",
        "attachment_url": None,
        "version": 1,
    }
    assert ids(client.get("/api/v1/orgs/rules?category=organisation&status=effective")) == [wuhou_rule.pk]
    assert ids(client.get("/api/v1/orgs/rules?category=dues")) == []
    assert ids(client.get(f"/api/v1/orgs/rules?within={tree.wuhou_branch.pk}&q=2024")) == [wuhou_rule.pk]
    assert client.get("/api/v1/orgs/rules?category=misc").status_code == 422


def test_rule_create(tree):
    body = {
        "organization_id": tree.wuhou.pk,
        "title": "党费收缴管理办法",
        "category": "dues",
        "number": "武交党〔2024〕3号",
        "effective_on": "2024-07-01",
    }
    response = post(login(tree.wuhou_admin), "/api/v1/orgs/rules", body)
    assert response.status_code == 201
    rule = Rule.objects.get(pk=response.json()["id"])
    assert (rule.organization, rule.title, rule.category, rule.effective_on, rule.status) == (
        tree.wuhou,
        "党费收缴管理办法",
        "dues",
        dt.date(2024, 7, 1),
        "effective",
    )


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"effective_on": "2024-02-31"}, "validation_error", "effective_on"),
        ({"category": "misc"}, "validation_error", "category"),
        ({"number": "武物党〔2024〕1号", "organization_id": None}, "unique_number", "number"),
    ],
)
def test_rule_create_rejects_bad_input_and_writes_nothing(tree, wuhou_rule, overrides, code, field):
    body = {
        "organization_id": tree.wuhou_branch.pk,
        "title": "重复文号的制度",
        "category": "education",
        "effective_on": "2024-07-01",
        **{k: v for k, v in overrides.items() if v is not None},
    }
    response = post(login(tree.wuhou_admin), "/api/v1/orgs/rules", body)
    if code == "unique_number":  # the model's unique constraint, reported by full_clean as a field-less error
        assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    else:
        assert (response.status_code, response.json()["code"], list(response.json()["extra"]["fields"])) == (
            422,
            code,
            [field],
        )
    assert list(Rule.objects.values_list("pk", flat=True)) == [wuhou_rule.pk]


def test_rule_create_in_sibling_subtree_is_422_and_writes_nothing(tree):
    body = {"organization_id": tree.wuhou.pk, "title": "越权", "category": "dues", "effective_on": "2024-07-01"}
    response = post(login(tree.jinjiang_admin), "/api/v1/orgs/rules", body)
    assert (response.status_code, response.json()) == (
        422,
        {**UNKNOWN_ORG, "extra": {"fields": {"organization_id": ["组织不存在"]}}},
    )
    assert Rule.objects.count() == 0

import datetime as dt

import pytest

from chelun.core.errors import ApplicationError, Conflict, Forbidden, ValidationFailed
from chelun.orgs import services
from chelun.orgs.choices import OrgKind, OrgSector
from chelun.orgs.models import Organization
from chelun.orgs.tests.factories import make_org


def test_create_sets_materialised_path_and_depth(tree):
    assert tree.wuhou_branch.path == f"/{tree.province.pk}/{tree.chengdu.pk}/{tree.wuhou.pk}/{tree.wuhou_branch.pk}/"
    assert tree.wuhou_branch.depth == 3


def test_county_admin_cannot_create_under_sibling_county(tree):
    before = Organization.objects.count()
    with pytest.raises(Forbidden):
        services.organization_create(
            actor=tree.wuhou_admin,
            parent=tree.jinjiang,
            name="越权支部",
            kind=OrgKind.BRANCH,
            sector=OrgSector.COMPANY,
            region=tree.jinjiang.region,
            founded_on=dt.date(2024, 1, 1),
        )
    assert Organization.objects.count() == before


def test_temporary_branch_needs_project_and_end_date(tree):
    with pytest.raises(ValidationFailed) as err:
        make_org(parent=tree.wuhou, name="临时支部", region_code="510107", kind=OrgKind.TEMPORARY_BRANCH)
    assert set(err.value.extra["fields"]) == {"project_name", "ends_on"}
    assert not Organization.objects.filter(name="临时支部").exists()


def test_move_subtree_rewrites_descendant_paths(tree):
    services.organization_move(actor=tree.province_admin, organization=tree.wuhou, new_parent=tree.mianyang)
    tree.wuhou_branch.refresh_from_db()
    assert tree.wuhou_branch.path == f"/{tree.province.pk}/{tree.mianyang.pk}/{tree.wuhou.pk}/{tree.wuhou_branch.pk}/"
    assert tree.wuhou_branch.depth == 3
    assert Organization.objects.get(pk=tree.wuhou.pk).parent_id == tree.mianyang.pk
    from auditlog.models import LogEntry

    entry = LogEntry.objects.get_for_object(tree.wuhou).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.changes_dict["parent"] == ["成都市交通运输行业党委", "绵阳市交通运输行业党委"]
    assert entry.actor == tree.province_admin


def test_move_into_own_subtree_is_rejected_and_changes_nothing(tree):
    with pytest.raises(ApplicationError) as err:
        services.organization_move(actor=tree.province_admin, organization=tree.chengdu, new_parent=tree.wuhou)
    assert err.value.code == "tree_cycle"
    tree.chengdu.refresh_from_db()
    assert tree.chengdu.parent_id == tree.province.pk


def test_stale_update_is_refused(tree):
    org = tree.wuhou
    services.organization_update(actor=tree.province_admin, organization=org, expected_version=1, name="武侯区新名")
    with pytest.raises(Conflict):
        services.organization_update(actor=tree.province_admin, organization=org, expected_version=1, name="旧表单")
    org.refresh_from_db()
    assert (org.name, org.version) == ("武侯区新名", 2)


def test_creation_is_audited_under_the_new_organisations_path(tree):
    from auditlog.models import LogEntry

    entry = LogEntry.objects.get_for_object(tree.wuhou_branch).get(action=LogEntry.Action.CREATE)
    assert entry.additional_data == {"org_path": tree.wuhou_branch.path}


def test_duplicate_rule_number_has_a_clear_message(tree):
    fields = {
        "title": "党费收缴办法",
        "category": "dues",
        "number": "川交党〔2024〕1号",
        "effective_on": dt.date(2024, 1, 1),
    }
    services.rule_create(actor=tree.province_admin, organization=tree.wuhou, **fields)
    with pytest.raises(ValidationFailed) as err:
        services.rule_create(actor=tree.province_admin, organization=tree.wuhou, **fields)
    assert err.value.message == "本组织已有相同文号的制度"

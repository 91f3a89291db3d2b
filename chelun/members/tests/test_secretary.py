"""An organisation's secretary (书记): held by members (OrganizationSecretary), chosen on its own page by the
organisation's admins, shown on the organisation page through members' partial."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from chelun.core.errors import Forbidden
from chelun.members import services
from chelun.members.models import OrganizationSecretary
from chelun.members.selectors import organization_secretary
from chelun.members.tests.factories import make_person
from chelun.orgs.choices import Role
from chelun.orgs.tests.factories import make_user, superuser


def party_member(org, name):
    person = make_person(org=org, name=name)
    services.party_member_profile_set(actor=superuser(), person=person, branch=org, joined_on=dt.date(2010, 7, 1))
    return person


def test_admin_sets_the_secretary_and_the_organisation_page_shows_it(client, tree):
    secretary = party_member(tree.wuhou_branch, "书记甲")
    client.force_login(tree.wuhou_admin)

    form = client.get(reverse("members:secretary", args=[tree.wuhou.pk]))
    response = client.post(reverse("members:secretary", args=[tree.wuhou.pk]), {"secretary": secretary.pk})
    page = client.get(reverse("orgs:detail", args=[tree.wuhou.pk]))

    assert "书记甲（武侯物流公司党支部）" in form.text
    assert response.status_code == 302 and response["Location"] == reverse("orgs:detail", args=[tree.wuhou.pk])
    assert organization_secretary(organization=tree.wuhou) == secretary
    assert '<dd data-testid="org-secretary">书记甲 <a class="small" href="' in page.text
    entry = LogEntry.objects.get_for_model(OrganizationSecretary).get()
    assert (entry.action, entry.additional_data) == (LogEntry.Action.CREATE, {"org_path": tree.wuhou.path})


def test_the_secretary_can_be_changed_and_cleared(client, tree):
    first, second = party_member(tree.wuhou_branch, "甲"), party_member(tree.wuhou_branch, "乙")
    services.organization_secretary_set(actor=tree.wuhou_admin, organization=tree.wuhou, person=first)
    client.force_login(tree.wuhou_admin)

    client.post(reverse("members:secretary", args=[tree.wuhou.pk]), {"secretary": second.pk})
    changed = organization_secretary(organization=tree.wuhou)
    client.post(reverse("members:secretary", args=[tree.wuhou.pk]), {"secretary": ""})

    assert changed == second
    assert organization_secretary(organization=tree.wuhou) is None
    assert "未设置" in client.get(reverse("orgs:detail", args=[tree.wuhou.pk])).text


def test_secretary_outside_scope_is_refused_by_the_form(client, tree):
    outsider = party_member(tree.jinjiang_branch, "锦江党员")
    client.force_login(tree.wuhou_admin)

    response = client.post(reverse("members:secretary", args=[tree.wuhou.pk]), {"secretary": outsider.pk})

    assert response.status_code == 422
    assert "请从列表中选择书记" in response.text
    assert organization_secretary(organization=tree.wuhou) is None


def test_a_viewer_sees_the_secretary_but_cannot_set_it(client, tree):
    secretary = party_member(tree.wuhou_branch, "书记甲")
    viewer = make_user("wuhou-viewer", org=tree.wuhou, role=Role.VIEWER)
    client.force_login(viewer)

    page = client.get(reverse("members:secretary", args=[tree.wuhou.pk]))
    response = client.post(reverse("members:secretary", args=[tree.wuhou.pk]), {"secretary": secretary.pk})
    detail = client.get(reverse("orgs:detail", args=[tree.wuhou.pk]))

    assert "您没有修改此组织的权限" in page.text
    assert response.status_code == 403
    assert OrganizationSecretary.objects.count() == 0
    assert '<dd data-testid="org-secretary">未设置</dd>' in detail.text  # no "设置" link without org.change
    with pytest.raises(Forbidden):
        services.organization_secretary_set(actor=viewer, organization=tree.wuhou, person=secretary)


def test_a_sibling_gets_404_and_changes_nothing(client, tree):
    secretary = party_member(tree.wuhou_branch, "书记甲")
    client.force_login(tree.jinjiang_admin)

    page = client.get(reverse("members:secretary", args=[tree.wuhou.pk]))
    response = client.post(reverse("members:secretary", args=[tree.wuhou.pk]), {"secretary": secretary.pk})

    assert (page.status_code, response.status_code) == (404, 404)
    assert OrganizationSecretary.objects.count() == 0


def test_deleting_the_person_leaves_the_organisation_without_a_secretary(tree):
    secretary = party_member(tree.wuhou_branch, "书记甲")
    services.organization_secretary_set(actor=superuser(), organization=tree.wuhou, person=secretary)

    secretary.party_profile.delete()
    secretary.delete()

    assert organization_secretary(organization=tree.wuhou) is None
    assert tree.wuhou.__class__.objects.filter(pk=tree.wuhou.pk).exists()


# --- the migration that moved the secretary here from Organization ------------------------------------------------

BEFORE = [("core", "0003_region_boundary_table"), ("members", "0002_initial"), ("orgs", "0002_rule_number_message")]
AFTER = [("members", "0003_organization_secretary"), ("orgs", "0003_remove_organization_secretary")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)  # a fresh loader sees the applied state


@pytest.mark.django_db(transaction=True)
def test_the_migration_carries_every_secretary_over_and_back(sichuan):
    try:
        old = _migrate(BEFORE).loader.project_state(BEFORE).apps
        Organization, Person = old.get_model("orgs", "Organization"), old.get_model("members", "Person")
        region = old.get_model("core", "Region").objects.get(code="510107")
        common = {"kind": "branch", "sector": "company", "region_id": region.pk, "founded_on": dt.date(2020, 1, 1)}
        with_one = Organization.objects.create(name="有书记的支部", path="/9001/", **common)
        without = Organization.objects.create(name="无书记的支部", path="/9002/", **common)
        person = Person.objects.create(
            name="书记甲",
            gender="male",
            birth_date=dt.date(1980, 1, 1),
            id_number_hash="migration-test",
            org_id=with_one.pk,
            region_id=region.pk,
        )
        Organization.objects.filter(pk=with_one.pk).update(secretary_id=person.pk)

        new = _migrate(AFTER).loader.project_state(AFTER).apps
        moved = set(new.get_model("members", "OrganizationSecretary").objects.values_list("organization", "person"))
        assert moved == {(with_one.pk, person.pk)}

        back = _migrate(BEFORE).loader.project_state(BEFORE).apps
        restored = dict(back.get_model("orgs", "Organization").objects.values_list("pk", "secretary_id"))
        assert (restored[with_one.pk], restored[without.pk]) == (person.pk, None)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

"""The transition table and the rule chooser, without a database."""

import pytest

from chelun.appeals import workflow
from chelun.appeals.choices import AppealAction as A
from chelun.appeals.choices import AppealStatus as S
from chelun.appeals.choices import Party as P
from chelun.appeals.routing import RuleSpec, choose_rule
from chelun.core.errors import Conflict, Forbidden


def test_the_happy_path_walks_every_status():
    status = S.SUBMITTED
    for action, party, expected in [
        (A.ACCEPT, P.STAFF, S.ACCEPTED),
        (A.START, P.STAFF, S.IN_PROGRESS),
        (A.RESOLVE, P.STAFF, S.RESOLVED),
        (A.CONFIRM, P.DRIVER, S.CONFIRMED),
        (A.CLOSE, P.STAFF, S.CLOSED),
    ]:
        status = workflow.transition(status, action, party)
        assert status == expected


def test_the_driver_reopens_a_resolved_appeal_and_it_can_be_resolved_again():
    status = workflow.transition(S.RESOLVED, A.REOPEN, P.DRIVER)
    assert status == S.REOPENED
    assert workflow.transition(status, A.RESOLVE, P.STAFF) == S.RESOLVED


def test_staff_cannot_confirm_for_the_driver():
    with pytest.raises(Forbidden) as exc:
        workflow.transition(S.RESOLVED, A.CONFIRM, P.STAFF)
    assert exc.value.code == "wrong_party"


def test_an_action_not_allowed_in_the_state_is_a_conflict_naming_the_state():
    with pytest.raises(Conflict) as exc:
        workflow.transition(S.ACCEPTED, A.ACCEPT, P.STAFF)
    assert exc.value.status_code == 409
    assert exc.value.message == "诉求当前为「已受理」，不能受理"


def test_transfers_keep_the_status_and_only_open_appeals_move():
    assert workflow.transition(S.IN_PROGRESS, A.TRANSFER, P.STAFF) == S.IN_PROGRESS
    with pytest.raises(Conflict):
        workflow.transition(S.CLOSED, A.TRANSFER, P.STAFF)


def test_merge_only_from_an_open_status():
    assert workflow.transition(S.SUBMITTED, A.MERGE, P.STAFF) == S.MERGED
    with pytest.raises(Conflict):
        workflow.transition(S.RESOLVED, A.MERGE, P.STAFF)


def test_actions_for_lists_the_buttons_in_table_order():
    assert workflow.actions_for(S.SUBMITTED, P.STAFF) == [A.ACCEPT, A.MERGE, A.TRANSFER, A.SUPERVISE, A.NOTE]
    assert workflow.actions_for(S.RESOLVED, P.DRIVER) == [A.CONFIRM, A.REOPEN]
    assert workflow.actions_for(S.CLOSED, P.STAFF) == []


def _rule(id, category=None, region=None, priority=100, target="county_committee"):
    return RuleSpec(
        id=id, category_id=category, region_id=region, target=target, organization_id=None, priority=priority
    )


def test_the_deepest_region_wins_then_the_named_category():
    rules = [_rule(1), _rule(2, category=7), _rule(3, region=20), _rule(4, category=7, region=20), _rule(5, region=30)]
    chain = [30, 20, 10]  # county 30 in prefecture 20 in province 10
    assert choose_rule(rules, category_id=7, region_chain=chain).id == 5
    assert choose_rule(rules, category_id=7, region_chain=[20, 10]).id == 4
    assert choose_rule(rules, category_id=8, region_chain=[20, 10]).id == 3
    assert choose_rule(rules, category_id=7, region_chain=[]).id == 2
    assert choose_rule(rules, category_id=8, region_chain=[40, 10]).id == 1


def test_priority_breaks_ties_and_nothing_matching_is_none():
    assert choose_rule([_rule(1, priority=50), _rule(2, priority=10)], category_id=1, region_chain=[]).id == 2
    assert choose_rule([_rule(1, category=2)], category_id=1, region_chain=[]) is None


def test_the_path_range_holds_exactly_the_prefix():
    from chelun.appeals.access import path_range_q

    paths = ["/1/", "/1/5/", "/1/5/42/", "/1/50/", "/1/5/420/", "/10/", "/2/"]
    q = path_range_q(["/1/5/"], "owner_path")
    (lower, upper) = sorted(dict(q.children).values())
    inside = [p for p in paths if lower <= p < upper]
    assert inside == [p for p in paths if p.startswith("/1/5/")] == ["/1/5/", "/1/5/42/", "/1/5/420/"]

"""Scope matrix of the appeals pages and API (chelun.core.testing.scope_matrix). The object is an appeal from a
driver of 武侯's company branch, submitted in 武侯区 and so owned by 武侯's committee. Staff see and handle it
within their subtree (a viewer sees it, may not act: 403); the driver sees only his own, through the "mine" pages,
and nobody else sees those; supervision and routing rules are the province's. The knowledge base is the same for
everyone signed in."""

from __future__ import annotations

import itertools

import pytest

from chelun.accounts.models import User
from chelun.appeals import services, stats
from chelun.appeals.models import Appeal, AppealEvent, Article, RoutingRule
from chelun.appeals.tests.factories import category, driver_user, submit
from chelun.core.testing.scope_matrix import (
    ANONYMOUS,
    DETAIL,
    DRIVER_SELF,
    EXPORT,
    LIST,
    NO_ROLE,
    PARENT,
    PUBLIC,
    SAME_NODE,
    SIBLING,
    WRITE,
    WRONG_ROLE,
    Endpoint,
    Target,
    World,
    cases,
    check,
)
from chelun.members.tests import factories as member_factories
from chelun.orgs.tests.factories import superuser
from chelun.orgs.tests.scope_world import scope_world

API = "/api/v1/appeals"
OWNER = "武侯区交通运输行业党委"
SELF = frozenset({DRIVER_SELF})
SIGNED_IN = frozenset({NO_ROLE, SIBLING, PARENT, SAME_NODE})
STAFF = frozenset({SIBLING, PARENT, SAME_NODE})  # hold appeal.view somewhere (the pages exist for them)
# 武侯's appeals are read by the admins above and of 武侯, and by 武侯's viewer (listed, so that case runs too).
READERS = frozenset({PARENT, SAME_NODE, WRONG_ROLE})
# Only the driver acts on his own appeal: to staff (a viewer included) it looks missing, like any other id.
OTHERS_404 = {WRONG_ROLE: 404}
# A driver's submission by a login without a person (every staff actor here) is refused as not a driver.
NOT_A_DRIVER = {NO_ROLE: 403, SIBLING: 403, PARENT: 403, SAME_NODE: 403, WRONG_ROLE: 403}


def _driver(world: World) -> User:
    return driver_user("scope-driver", org=world.tree.wuhou_branch, name="武侯王师傅")


def _appeal(world: World, *steps: str) -> tuple[Appeal, User]:
    """The appeal, taken through `steps` by the platform (accept, resolve, confirm, supervise)."""
    driver = _driver(world)
    appeal = submit(driver)
    assert appeal.owner == world.tree.wuhou, appeal.owner
    staff = superuser()
    for step in steps:
        if step == "accept":
            services.appeal_accept(actor=staff, appeal_id=appeal.pk)
        elif step == "resolve":
            services.appeal_resolve(actor=staff, appeal_id=appeal.pk, resolution="货主已付清")
        elif step == "confirm":
            services.appeal_confirm(actor=driver, appeal_id=appeal.pk, rating=5)
        elif step == "supervise":
            services.appeal_supervise(actor=staff, appeal_id=appeal.pk, days=5, reason="拖欠严重")
    appeal.refresh_from_db()
    return appeal, driver


def _state(pk: int) -> tuple:
    a = Appeal.objects.get(pk=pk)
    events = AppealEvent.objects.filter(appeal_id=pk).count()
    return (a.status, a.owner_id, a.supervised, a.rating, a.merged_into_id, a.version, events)


def _appeals_of(driver) -> int:
    return Appeal.objects.filter(driver_id=driver.person_id).count()


def _rules() -> int:
    return RoutingRule.objects.count()


# --- builders ---------------------------------------------------------------------------------------------------


def listed(world: World, *steps: str) -> Target:
    appeal, driver = _appeal(world, *steps)
    return Target(marker=appeal.number, driver=driver)


def supervised(world: World) -> Target:
    return listed(world, "supervise")


def by_owner(world: World) -> Target:
    """Statistics by owner organisation: 武侯's committee is a row exactly for those who see its appeals."""
    appeal, _driver = _appeal(world)
    # Whole-month statistics read the monthly roll-ups: refresh the appeal's month as the periodic task would.
    stats.appeal_stats_refresh_month(appeal.submitted_at.date().replace(day=1))
    return Target(query={"group": "owner"}, marker=OWNER)


def one(world: World, key: str = "pk") -> Target:
    appeal, driver = _appeal(world)
    return Target(args={key: appeal.pk}, driver=driver)


def api_one(world: World) -> Target:
    return one(world, "appeal_id")


def write(world: World, *steps: str, data=None, action: str = "", key: str = "appeal_id") -> Target:
    appeal, driver = _appeal(world, *steps)
    args = {key: appeal.pk, **({"action": action} if action else {})}
    return Target(args=args, data=data, state=lambda: _state(appeal.pk), driver=driver)


def _other_appeal(world: World) -> Appeal:
    """A second open appeal owned by 武侯's committee, from another driver: what a duplicate is merged into."""
    other = driver_user("scope-other-driver", org=world.tree.wuhou_branch, name="武侯李师傅")
    return submit(other, description="同一货主也拖欠了我的运费")


def api_merge(world: World) -> Target:
    appeal, driver = _appeal(world)
    other = submit(driver, description="另一单运费也被拖欠")
    return Target(
        args={"appeal_id": appeal.pk}, data={"into_id": other.pk}, state=lambda: _state(appeal.pk), driver=driver
    )


def api_create(world: World) -> Target:
    driver = _driver(world)
    data = {"category": "unpaid_freight", "description": "运费 8000 元未付", "region": "510107"}
    return Target(data=data, state=lambda: _appeals_of(driver), driver=driver)


def page_create(world: World) -> Target:
    driver = _driver(world)
    data = {"category": category("unpaid_freight").pk, "description": "运费 8000 元未付", "contact": "phone"}
    return Target(data=data, state=lambda: _appeals_of(driver), driver=driver)


def rule_create(world: World) -> Target:
    data = {"category": category("unpaid_freight").pk, "target": "county_committee", "priority": "10"}
    return Target(data=data, state=_rules)


def with_driver(world: World) -> Target:
    return Target(driver=_driver(world))


def public(route: str, reason: str, build=None, **kw) -> Endpoint:
    return Endpoint(route, PUBLIC, build, reason=reason, **kw)


KNOWLEDGE = "the knowledge base (政策与问答): the same entries for everyone signed in"
LOGIN = {ANONYMOUS: 302}


def _article(world: World) -> Target:
    category("unpaid_freight")  # seeds the articles in a flushed database too
    article = Article.objects.filter(active=True).order_by("pk").first()
    assert article is not None
    return Target(args={"pk": article.pk})


ENDPOINTS = [
    # Knowledge base (everyone signed in)
    public("appeals:help", KNOWLEDGE, lambda w: Target(), expect=LOGIN),
    public("appeals:article", KNOWLEDGE, _article, expect=LOGIN),
    public(
        f"GET {API}/categories", "the categories of appeal: reference data", lambda w: Target(), expect={ANONYMOUS: 401}
    ),
    # Signed in, every actor reads the same knowledge base (the public entries above are the visitor's login).
    Endpoint("appeals:help", DETAIL, with_driver, sees=SIGNED_IN | SELF, driver_self=True),
    Endpoint("appeals:article", DETAIL, _article, sees=SIGNED_IN),
    # The landing page sends a driver to his list and staff to the queue.
    Endpoint("appeals:home", DETAIL, with_driver, ok=302, sees=SIGNED_IN | SELF, driver_self=True),
    # The driver's own
    Endpoint("appeals:new", DETAIL, with_driver, sees=SIGNED_IN | SELF, driver_self=True),
    Endpoint(
        "appeals:new", WRITE, page_create, method="POST", ok=302, sees=SELF, driver_self=True, expect=NOT_A_DRIVER
    ),
    Endpoint("appeals:mine", LIST, listed, sees=SELF, driver_self=True),
    Endpoint("appeals:my_detail", DETAIL, one, sees=SELF, driver_self=True),
    Endpoint(
        "appeals:my_confirm",
        WRITE,
        lambda w: write(w, "accept", "resolve", data={"rating": "5"}, key="pk"),
        method="POST",
        ok=302,
        sees=SELF,
        driver_self=True,
        expect=OTHERS_404,
    ),
    Endpoint(
        "appeals:my_reopen",
        WRITE,
        lambda w: write(w, "accept", "resolve", data={"reason": "钱还没到账"}, key="pk"),
        method="POST",
        ok=302,
        sees=SELF,
        driver_self=True,
        expect=OTHERS_404,
    ),
    Endpoint(f"POST {API}/mine", WRITE, api_create, ok=201, sees=SELF, driver_self=True, expect=NOT_A_DRIVER),
    Endpoint(f"GET {API}/mine", LIST, listed, sees=SELF, driver_self=True),
    Endpoint(f"GET {API}/mine/{{appeal_id}}", DETAIL, api_one, sees=SELF, driver_self=True),
    Endpoint(
        f"POST {API}/mine/{{appeal_id}}/confirm",
        WRITE,
        lambda w: write(w, "accept", "resolve", data={"rating": 5}),
        sees=SELF,
        driver_self=True,
        expect=OTHERS_404,
    ),
    Endpoint(
        f"POST {API}/mine/{{appeal_id}}/reopen",
        WRITE,
        lambda w: write(w, "accept", "resolve", data={"reason": "钱还没到账"}),
        sees=SELF,
        driver_self=True,
        expect=OTHERS_404,
    ),
]

# Without appeal.view anywhere a staff page does not exist: 404 to a user with no role, the driver included (the
# API lists answer them 200 with nothing in them).
NO_STAFF = {NO_ROLE: 404, DRIVER_SELF: 404}
VIEWER_SEES = {WRONG_ROLE: 200}  # the viewer reads lists and details; naming it adds the viewer's case
# Supervision is the province's (appeal.supervise on the root): 武侯's own admin and the viewer see it, may not.
PROVINCE_ONLY = {SAME_NODE: 403, WRONG_ROLE: 403}
# Merging names a second appeal first: to whoever cannot see it, it is missing (422 on `into`), as for a missing id.
INTO_UNSEEN = {NO_ROLE: 422, SIBLING: 422, DRIVER_SELF: 422}


def staff_write(route: str, build, **kw) -> Endpoint:
    return Endpoint(f"POST {API}/{{appeal_id}}/{route}", WRITE, build, driver_self=True, **kw)


def step(action: str, *steps: str, data=None):
    """A page step's builder; `data` may be a function of the world (a transfer names 武侯's branch)."""
    return lambda w: write(w, *steps, data=(data(w) if callable(data) else data) or {}, action=action, key="pk")


def page_step(action: str, *steps: str, data=None, **kw) -> Endpoint:
    return Endpoint(
        "appeals:step", WRITE, step(action, *steps, data=data), method="POST", ok=302, driver_self=True, **kw
    )


ENDPOINTS += [
    Endpoint(
        "appeals:queue",
        LIST,
        listed,
        sees=READERS,
        driver_self=True,
        expect={**NO_STAFF, **VIEWER_SEES},
    ),
    Endpoint(
        "appeals:queue",
        EXPORT,
        listed,
        sees=READERS,
        driver_self=True,
        expect={**NO_STAFF, **VIEWER_SEES},
    ),
    Endpoint(
        "appeals:supervision",
        LIST,
        supervised,
        sees=READERS,
        driver_self=True,
        expect={**NO_STAFF, **VIEWER_SEES},
    ),
    Endpoint(
        "appeals:statistics",
        LIST,
        by_owner,
        sees=READERS,
        expect={NO_ROLE: 404, **VIEWER_SEES},
    ),
    Endpoint(
        "appeals:statistics",
        EXPORT,
        by_owner,
        sees=READERS,
        expect={NO_ROLE: 404, **VIEWER_SEES},
    ),
    # The rules in force are the province's, the same for all staff; adding one is for the province's admins.
    Endpoint("appeals:routing", DETAIL, lambda w: Target(), sees=STAFF),
    Endpoint("appeals:routing", WRITE, rule_create, method="POST", ok=302, expect={SAME_NODE: 403, SIBLING: 403}),
    Endpoint(
        "appeals:detail",
        DETAIL,
        one,
        sees=READERS,
        driver_self=True,
        expect=VIEWER_SEES,
    ),
    page_step("accept"),
    # A step the status does not allow is a 409 to those who may act, and changes nothing.
    page_step("close", expect={PARENT: 409, SAME_NODE: 409}),
    page_step("start", "accept"),
    page_step("resolve", "accept", data={"resolution": "货主已付清", "money_recovered": "8000"}),
    page_step("transfer", data=lambda w: {"to_organization": w.tree.wuhou_branch.pk, "reason": "由支部跟进"}),
    # The page looks the appeal up first: out of scope is a 404 before the second appeal is read.
    page_step("merge", data=lambda w: {"into": _other_appeal(w).pk, "reason": "重复提交"}),
    page_step("note", data={"text": "已电话联系司机"}),
    page_step("close", "accept", "resolve", "confirm"),
    page_step("supervise", data={"days": "5", "reason": "拖欠严重"}, expect=PROVINCE_ONLY),
    Endpoint(
        f"GET {API}/queue",
        LIST,
        listed,
        sees=READERS,
        driver_self=True,
        expect=VIEWER_SEES,
    ),
    Endpoint(f"GET {API}/statistics", LIST, by_owner, sees=READERS, expect=VIEWER_SEES),
    # Where an appeal would go: the routing rules, the same answer for everyone signed in.
    Endpoint(
        f"GET {API}/route-preview",
        DETAIL,
        lambda w: Target(query={"category": "unpaid_freight", "region": "510107"}),
        sees=SIGNED_IN,
    ),
    Endpoint(
        f"GET {API}/{{appeal_id}}",
        DETAIL,
        api_one,
        sees=READERS,
        driver_self=True,
        expect=VIEWER_SEES,
    ),
    staff_write("accept", lambda w: write(w)),
    staff_write("accept", lambda w: write(w, "accept"), expect={PARENT: 409, SAME_NODE: 409}),
    staff_write("start", lambda w: write(w, "accept", data={"text": "已联系货主"})),
    staff_write(
        "resolve", lambda w: write(w, "accept", data={"resolution": "货主已付清", "money_recovered_fen": 800000})
    ),
    staff_write(
        "transfer", lambda w: write(w, data={"to_organization_id": w.tree.wuhou_branch.pk, "reason": "由支部跟进"})
    ),
    staff_write("merge", api_merge, expect=INTO_UNSEEN),
    staff_write("note", lambda w: write(w, data={"text": "已电话联系司机"})),
    staff_write("close", lambda w: write(w, "accept", "resolve", "confirm")),
    staff_write("close", lambda w: write(w), expect={PARENT: 409, SAME_NODE: 409}),
    staff_write("supervise", lambda w: write(w, data={"days": 5, "reason": "拖欠严重"}), expect=PROVINCE_ONLY),
]


@pytest.fixture(autouse=True)
def _own_id_sequence(monkeypatch):
    """The members factories number synthetic ID cards from one counter for the whole session, and an ID's
    sequence stops at 499: these ~300 cases would use it up for every test after them. Each case gets its own
    short run instead (the database is rolled back between cases, so the numbers may repeat)."""
    monkeypatch.setattr(member_factories, "_sequence", itertools.count(450))


@cases(ENDPOINTS)
def test_scope(endpoint, actor, tree):
    check(endpoint, actor, scope_world(tree))

"""The appeal's state machine: ONE table of who may do what from which status, and where it leads. Pure: no
Django, no database; services ask `transition()` before writing and record an event for every step.

submitted → accepted → in_progress → resolved → confirmed (with a rating) → closed; the driver may reopen a
resolved appeal (reopened → in_progress/resolved again); staff may merge an open one into another as a duplicate.
Transfer, escalation, supervision and notes keep the status (`None` as target) but are allowed only while open.
"""

from __future__ import annotations

from dataclasses import dataclass

from chelun.appeals.choices import AppealAction as A
from chelun.appeals.choices import AppealStatus as S
from chelun.appeals.choices import Party as P
from chelun.core.errors import Conflict, Forbidden

OPEN = frozenset({S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS, S.REOPENED})
# Waiting for the owner to act (the resolve deadline runs); SUBMITTED waits for acknowledgement instead.
WORKING = frozenset({S.ACCEPTED, S.IN_PROGRESS, S.REOPENED})
FINISHED = frozenset({S.CONFIRMED, S.CLOSED, S.MERGED})


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the status stays
    parties: frozenset[str]


def _t(sources: frozenset[str] | set[str], target: str | None, *parties: str) -> Transition:
    return Transition(frozenset(sources), target, frozenset(parties))


TRANSITIONS: dict[str, Transition] = {
    A.ACCEPT: _t({S.SUBMITTED}, S.ACCEPTED, P.STAFF),
    A.START: _t({S.ACCEPTED, S.REOPENED}, S.IN_PROGRESS, P.STAFF),
    A.RESOLVE: _t(WORKING, S.RESOLVED, P.STAFF),
    A.CONFIRM: _t({S.RESOLVED}, S.CONFIRMED, P.DRIVER),
    A.REOPEN: _t({S.RESOLVED}, S.REOPENED, P.DRIVER),
    # A confirmed appeal is closed by staff, or by the system once the driver has rated it.
    A.CLOSE: _t({S.CONFIRMED}, S.CLOSED, P.STAFF, P.SYSTEM),
    A.MERGE: _t(OPEN, S.MERGED, P.STAFF),
    A.TRANSFER: _t(OPEN, None, P.STAFF),
    A.ESCALATE: _t(OPEN, None, P.SYSTEM),
    A.SUPERVISE: _t(OPEN, None, P.STAFF),
    A.SUPERVISION_OVERDUE: _t(OPEN, None, P.SYSTEM),
    A.NOTE: _t(OPEN | {S.RESOLVED, S.CONFIRMED}, None, P.STAFF),
}

STATUS_LABELS = dict(S.choices)
ACTION_LABELS = dict(A.choices)


def allowed(status: str, action: str, party: str) -> bool:
    rule = TRANSITIONS.get(action)
    return rule is not None and status in rule.sources and party in rule.parties


def transition(status: str, action: str, party: str) -> str:
    """The status after `party` does `action` from `status`. Raises Forbidden when that party never does this
    action (a staff member "confirming" for the driver), Conflict (409) when the status does not allow it now."""
    rule = TRANSITIONS[action]
    if party not in rule.parties:
        raise Forbidden(f"「{ACTION_LABELS[action]}」只能由{_parties(rule.parties)}操作", "wrong_party")
    if status not in rule.sources:
        raise Conflict(
            f"诉求当前为「{STATUS_LABELS.get(status, status)}」，不能{ACTION_LABELS[action]}",
            "transition_not_allowed",
            {"status": status, "action": action},
        )
    return rule.target or status


def actions_for(status: str, party: str) -> list[str]:
    """The actions `party` may take now, in table order (for the buttons a page shows)."""
    return [action for action in TRANSITIONS if allowed(status, action, party)]


def _parties(parties: frozenset[str]) -> str:
    labels = dict(P.choices)
    return "或".join(labels[p] for p in sorted(parties))

"""The transfer of organisational relationship (组织关系转接) as one transition table. Pure: no Django.

States follow the reference (party-work.md §3, after owip): 申请 → 分党委通过 → 组织部通过 (letter issued) → 回执
received (completed). Side states: 返回修改 (back to the applicant), 本人撤回, 挂起 with a reason, 打回 with a reason,
撤销 after approval. Guards: arrears block submitting and approving (党费 must be paid up to the month of the
letter); a transfer completes only when the receiving side has confirmed and the receipt (回执) is back; the letter
has a validity, and a transfer whose letter would expire within ALERT_DAYS is flagged before it does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class TransferState(StrEnum):
    DRAFT = "draft"  # 待提交
    APPLIED = "applied"  # 申请
    RETURNED = "returned"  # 返回修改
    COMMITTEE_APPROVED = "committee_approved"  # 分党委通过
    LETTER_ISSUED = "letter_issued"  # 组织部通过，介绍信已开具
    SUSPENDED = "suspended"  # 挂起
    REJECTED = "rejected"  # 打回
    WITHDRAWN = "withdrawn"  # 本人撤回
    REVOKED = "revoked"  # 撤销
    COMPLETED = "completed"  # 回执已到


class Action(StrEnum):
    SUBMIT = "submit"
    RETURN = "return"
    APPROVE_COMMITTEE = "approve_committee"
    APPROVE_DEPARTMENT = "approve_department"
    SUSPEND = "suspend"
    RESUME = "resume"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    REVOKE = "revoke"
    RECEIVE = "receive"  # the receiving side confirms and the 回执 arrives


S, A = TransferState, Action
# (from, action) -> to. The only place the allowed moves are written.
TRANSITIONS: dict[tuple[TransferState, Action], TransferState] = {
    (S.DRAFT, A.SUBMIT): S.APPLIED,
    (S.RETURNED, A.SUBMIT): S.APPLIED,
    (S.APPLIED, A.RETURN): S.RETURNED,
    (S.APPLIED, A.APPROVE_COMMITTEE): S.COMMITTEE_APPROVED,
    (S.APPLIED, A.REJECT): S.REJECTED,
    (S.APPLIED, A.WITHDRAW): S.WITHDRAWN,
    (S.RETURNED, A.WITHDRAW): S.WITHDRAWN,
    (S.DRAFT, A.WITHDRAW): S.WITHDRAWN,
    (S.COMMITTEE_APPROVED, A.APPROVE_DEPARTMENT): S.LETTER_ISSUED,
    (S.COMMITTEE_APPROVED, A.RETURN): S.RETURNED,
    (S.COMMITTEE_APPROVED, A.REJECT): S.REJECTED,
    (S.COMMITTEE_APPROVED, A.SUSPEND): S.SUSPENDED,
    (S.APPLIED, A.SUSPEND): S.SUSPENDED,
    (S.SUSPENDED, A.RESUME): S.APPLIED,
    (S.LETTER_ISSUED, A.RECEIVE): S.COMPLETED,
    (S.LETTER_ISSUED, A.REVOKE): S.REVOKED,
}
NEEDS_REASON = frozenset({A.SUSPEND, A.REJECT, A.RETURN, A.REVOKE})
BLOCKED_BY_ARREARS = frozenset({A.SUBMIT, A.APPROVE_COMMITTEE, A.APPROVE_DEPARTMENT})
TERMINAL = frozenset({S.REJECTED, S.WITHDRAWN, S.REVOKED, S.COMPLETED})
ALERT_DAYS = 7


class TransitionRefused(ValueError):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Facts:
    """What the guards look at, gathered by the caller."""

    dues_paid_through: dt.date | None  # last month paid (first day of it)
    letter_month: dt.date  # first day of the month the letter records
    receiver_confirmed: bool = False
    receipt_returned: bool = False


def next_state(state: TransferState, action: Action, facts: Facts, reason: str = "") -> TransferState:
    """The state after `action`, or TransitionRefused (code: not_allowed, reason_required, arrears,
    receiver_missing)."""
    target = TRANSITIONS.get((state, action))
    if target is None:
        raise TransitionRefused("当前状态不能执行此操作", "not_allowed")
    if action in NEEDS_REASON and not reason.strip():
        raise TransitionRefused("请填写原因", "reason_required")
    if action in BLOCKED_BY_ARREARS and (
        facts.dues_paid_through is None or facts.dues_paid_through < facts.letter_month
    ):
        raise TransitionRefused("党费未交清，不能转接组织关系", "arrears")
    if action == A.RECEIVE and not (facts.receiver_confirmed and facts.receipt_returned):
        raise TransitionRefused("接收方确认并寄回回执后才能办结", "receiver_missing")
    return target


def letter_alert(state: TransferState, expires_on: dt.date, today: dt.date) -> bool:
    """True when an issued letter expires within ALERT_DAYS (or has expired) and no receipt is back."""
    return state == S.LETTER_ISSUED and (expires_on - today).days <= ALERT_DAYS

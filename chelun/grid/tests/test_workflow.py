"""The transfer transition table (pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from chelun.grid.workflow import TRANSITIONS, Action, Facts, TransferState, TransitionRefused, letter_alert, next_state

PAID = Facts(dues_paid_through=dt.date(2026, 3, 1), letter_month=dt.date(2026, 3, 1))
S, A = TransferState, Action


def test_the_happy_path_ends_only_with_both_sides() -> None:
    state = S.DRAFT
    for action in (A.SUBMIT, A.APPROVE_COMMITTEE, A.APPROVE_DEPARTMENT):
        state = next_state(state, action, PAID)
    assert state == S.LETTER_ISSUED
    with pytest.raises(TransitionRefused) as exc:
        next_state(state, A.RECEIVE, Facts(PAID.dues_paid_through, PAID.letter_month, receiver_confirmed=True))
    assert exc.value.code == "receiver_missing"
    done = Facts(PAID.dues_paid_through, PAID.letter_month, receiver_confirmed=True, receipt_returned=True)
    assert next_state(state, A.RECEIVE, done) == S.COMPLETED


def test_arrears_block_submitting_and_approving() -> None:
    behind = Facts(dues_paid_through=dt.date(2026, 1, 1), letter_month=dt.date(2026, 3, 1))
    for state, action in ((S.DRAFT, A.SUBMIT), (S.APPLIED, A.APPROVE_COMMITTEE)):
        with pytest.raises(TransitionRefused) as exc:
            next_state(state, action, behind)
        assert exc.value.code == "arrears"


def test_side_states_need_a_reason_and_terminal_states_go_nowhere() -> None:
    with pytest.raises(TransitionRefused) as exc:
        next_state(S.APPLIED, A.REJECT, PAID)
    assert exc.value.code == "reason_required"
    assert next_state(S.APPLIED, A.SUSPEND, PAID, reason="材料不全") == S.SUSPENDED
    assert next_state(S.SUSPENDED, A.RESUME, PAID) == S.APPLIED
    terminal = {S.REJECTED, S.WITHDRAWN, S.REVOKED, S.COMPLETED}
    assert not [key for key in TRANSITIONS if key[0] in terminal]
    with pytest.raises(TransitionRefused):
        next_state(S.COMPLETED, A.REVOKE, PAID, reason="x")


def test_a_letter_about_to_expire_alerts_first() -> None:
    today = dt.date(2026, 3, 20)
    assert letter_alert(S.LETTER_ISSUED, dt.date(2026, 3, 27), today) is True
    assert letter_alert(S.LETTER_ISSUED, dt.date(2026, 3, 28), today) is False
    assert letter_alert(S.COMPLETED, dt.date(2026, 3, 21), today) is False

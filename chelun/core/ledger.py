"""Posting balanced ledger transactions. Money is integer fen; every transaction sums to zero."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum

from chelun.core.errors import ApplicationError, Conflict
from chelun.core.models import LedgerEntry, LedgerTransaction

_KEY_MAX = LedgerTransaction._meta.get_field("idempotency_key").max_length or 128


def idempotency_key_for(*, purpose: str, actor: Any, key: str) -> str:
    """The stored key for a client's idempotency key: scoped to the purpose and to the acting user, so two users
    (a county admin and another county's) who happen to pick the same key each post their own transaction instead
    of meeting a 409 for the other's. A client key too long to fit is stored by its SHA-256."""
    scoped = f"{purpose}:u{actor.pk}:{key}"
    if len(scoped) > _KEY_MAX:
        scoped = f"{purpose}:u{actor.pk}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"
    return scoped


def ledger_post(
    *, idempotency_key: str, kind: str, occurred_on: dt.date, entries: Sequence[tuple[str, int]], memo: str = ""
) -> LedgerTransaction:
    """Post `entries` [(account, amount_fen)] as one transaction (ledger_post_once without the flag)."""
    txn, _ = ledger_post_once(
        idempotency_key=idempotency_key, kind=kind, occurred_on=occurred_on, entries=entries, memo=memo
    )
    return txn


def ledger_post_once(
    *, idempotency_key: str, kind: str, occurred_on: dt.date, entries: Sequence[tuple[str, int]], memo: str = ""
) -> tuple[LedgerTransaction, bool]:
    """Post `entries` [(account, amount_fen)] as one transaction; True when this call wrote it.

    Raises ApplicationError if the amounts are not integers, include a zero, or do not sum to zero. Posting the
    same key again returns the first transaction (and False) when its entries are the same, and raises Conflict
    when not. Of concurrent posts with one key exactly one writes: the others meet the unique key, wait for the
    winner's commit, and answer with its transaction.
    """
    if not idempotency_key:
        raise ApplicationError("缺少幂等键", "idempotency_key_required")
    if len(entries) < 2 or any(not isinstance(a, int) or isinstance(a, bool) or a == 0 for _, a in entries):
        raise ApplicationError("记账分录金额必须为非零整数（分），且至少两条", "ledger_invalid_entries")
    if sum(amount for _, amount in entries) != 0:
        raise ApplicationError("借贷不平衡", "ledger_unbalanced")
    wanted = sorted((account, amount) for account, amount in entries)
    existing = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return _same_or_conflict(existing, wanted), False
    try:
        with transaction.atomic():
            txn = LedgerTransaction.objects.create(
                idempotency_key=idempotency_key, kind=kind, memo=memo, occurred_on=occurred_on
            )
            LedgerEntry.objects.bulk_create(
                LedgerEntry(transaction=txn, account=account, amount_fen=amount) for account, amount in entries
            )
    except IntegrityError:  # a concurrent request with the same key won
        return _same_or_conflict(LedgerTransaction.objects.get(idempotency_key=idempotency_key), wanted), False
    return txn, True


def _same_or_conflict(txn: LedgerTransaction, wanted: list[tuple[str, int]]) -> LedgerTransaction:
    have = sorted(txn.entries.values_list("account", "amount_fen"))
    if have != wanted:
        raise Conflict("该幂等键已用于另一笔不同的记账", "idempotency_key_reused")
    return txn


def account_balance(account: str) -> int:
    return LedgerEntry.objects.filter(account=account).aggregate(total=Sum("amount_fen"))["total"] or 0

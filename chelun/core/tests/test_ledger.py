import datetime as dt

import pytest

from chelun.core.errors import ApplicationError, Conflict
from chelun.core.ledger import account_balance, ledger_post
from chelun.core.models import LedgerEntry, LedgerTransaction

DAY = dt.date(2026, 10, 1)


@pytest.mark.django_db
def test_balanced_transaction_posts_once_per_key():
    entries = [("funding:finance", -50_000), ("station:1", 50_000)]
    first = ledger_post(idempotency_key="k1", kind="subsidy", occurred_on=DAY, entries=entries)
    again = ledger_post(idempotency_key="k1", kind="subsidy", occurred_on=DAY, entries=list(reversed(entries)))
    assert again.pk == first.pk
    assert LedgerEntry.objects.count() == 2
    assert account_balance("station:1") == 50_000


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("entries", "code"),
    [
        ([("a", -100), ("b", 99)], "ledger_unbalanced"),
        ([("a", -100)], "ledger_invalid_entries"),
        ([("a", 0), ("b", 0)], "ledger_invalid_entries"),
        ([("a", -1.5), ("b", 1.5)], "ledger_invalid_entries"),
    ],
)
def test_bad_entries_are_refused_and_write_nothing(entries, code):
    with pytest.raises(ApplicationError) as err:
        ledger_post(idempotency_key="k2", kind="subsidy", occurred_on=DAY, entries=entries)
    assert err.value.code == code
    assert LedgerTransaction.objects.count() == 0


@pytest.mark.django_db
def test_reusing_a_key_for_different_entries_is_a_conflict():
    ledger_post(idempotency_key="k3", kind="subsidy", occurred_on=DAY, entries=[("a", -1), ("b", 1)])
    with pytest.raises(Conflict):
        ledger_post(idempotency_key="k3", kind="subsidy", occurred_on=DAY, entries=[("a", -2), ("b", 2)])
    assert account_balance("b") == 1

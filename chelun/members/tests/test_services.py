import datetime as dt

import pytest
from auditlog.models import LogEntry

from chelun.core.errors import Conflict, ValidationFailed
from chelun.core.idcard import make_synthetic_id
from chelun.members import services
from chelun.members.models import Person
from chelun.members.tests.factories import make_person


def test_person_pii_is_encrypted_hashed_and_masked(tree):
    number = make_synthetic_id("510107", dt.date(1980, 3, 7), 12, "male")
    person = make_person(org=tree.wuhou_branch, id_number=number, phone="13812345678", birth=dt.date(1980, 3, 7))
    raw = Person.objects.values("id_number_cipher", "id_number_masked", "phone_masked").get(pk=person.pk)
    assert number not in raw["id_number_cipher"]
    assert raw["id_number_masked"] == number[:3] + "*" * 11 + number[-4:]
    assert raw["phone_masked"] == "138****5678"
    assert person.birth_date == dt.date(1980, 3, 7)


def test_bad_id_number_writes_nothing(tree):
    bad = make_synthetic_id("510107", dt.date(1980, 3, 7), 12, "male")
    bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    with pytest.raises(ValidationFailed) as err:
        make_person(org=tree.wuhou_branch, id_number=bad)
    assert "id_number" in err.value.extra["fields"]
    assert Person.objects.count() == 0


def test_duplicate_id_number_is_a_conflict(tree):
    number = make_synthetic_id("510107", dt.date(1990, 1, 1), 3, "female")
    make_person(org=tree.wuhou_branch, id_number=number, gender="female", birth=dt.date(1990, 1, 1))
    with pytest.raises(Conflict):
        make_person(org=tree.jinjiang_branch, id_number=number, gender="female", birth=dt.date(1990, 1, 1))
    assert Person.objects.count() == 1


def test_reveal_returns_clear_value_and_is_audited(tree):
    person = make_person(org=tree.wuhou_branch, phone="13912340000")
    value = services.person_reveal(actor=tree.wuhou_admin, person_id=person.pk, field="phone", remote_addr="10.0.0.8")
    assert value == "13912340000"
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(person.pk)).get()
    assert (entry.actor, entry.remote_addr) == (tree.wuhou_admin, "10.0.0.8")
    assert entry.additional_data["revealed_field"] == "phone"

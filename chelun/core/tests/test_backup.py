"""manage.py backup / restore (chelun.core.backup): the manifest, and every refusal before anything is written.

Transactional tests: a restore runs outside any transaction (it replaces the whole database), so these cannot run
inside the usual rolled-back one. The whole-database round trip of a seeded demo is in
chelun/demo/tests/test_backup_roundtrip.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from chelun.core.backup import (
    FORMAT_VERSION,
    MANIFEST_NAME,
    PAYLOAD_NAMES,
    BackupError,
    backup_check,
    backup_create,
    backup_restore,
    code_migrations,
    database_is_empty,
    manifest_read,
    table_row_counts,
)
from chelun.core.models import Region
from chelun.core.regions import regions_load

pytestmark = pytest.mark.django_db(transaction=True)

NOW = dt.datetime(2026, 12, 4, 12, 30, 15, tzinfo=dt.UTC)


@pytest.fixture
def regions():
    """Sichuan's 205 divisions (a transactional test before this one may have flushed them)."""
    if not Region.objects.exists():
        regions_load()
    return Region.objects.count()


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]


def _rewrite(archive: Path, target: Path, *, manifest: dict | None = None, payload: bytes | None = None) -> Path:
    """A copy of `archive` with its manifest and/or image replaced, as damage or another code version would."""
    members = _members(archive)
    old = json.loads(members[MANIFEST_NAME])
    members[MANIFEST_NAME] = json.dumps(manifest if manifest is not None else old).encode()
    if payload is not None:
        members[old["payload"]] = payload
    with tarfile.open(target, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


def test_backup_writes_one_archive_whose_manifest_describes_the_image(regions, tmp_path):
    archive = tmp_path / "nightly" / "chelun.tar"

    manifest = backup_create(path=archive, now=NOW)

    members = _members(archive)
    assert sorted(members) == sorted([MANIFEST_NAME, PAYLOAD_NAMES[connection.vendor]])
    assert json.loads(members[MANIFEST_NAME])["sha256"] == manifest.sha256
    assert manifest == manifest_read(archive)
    assert manifest.format_version == FORMAT_VERSION == 1
    assert manifest.vendor == connection.vendor
    assert manifest.created_at == "2026-12-04T12:30:15+00:00"
    assert manifest.migrations == code_migrations()
    assert "core.0003_region_boundary_table" in manifest.migrations
    assert manifest.sha256 == hashlib.sha256(members[manifest.payload]).hexdigest()
    assert manifest.size == len(members[manifest.payload])
    assert manifest.tables["core_region"] == regions == 205
    assert manifest.tables == table_row_counts()
    assert list(tmp_path.joinpath("nightly").iterdir()) == [archive]  # no work files left beside it


def test_backup_never_overwrites_an_archive(regions, tmp_path):
    archive = tmp_path / "chelun.tar"
    archive.write_bytes(b"yesterday")

    with pytest.raises(BackupError) as exc_info:
        backup_create(path=archive)

    assert exc_info.value.code == "backup_exists"
    assert archive.read_bytes() == b"yesterday"


def test_restore_into_an_emptied_database_brings_the_rows_back(regions, tmp_path):
    archive = tmp_path / "chelun.tar"
    call_command("backup", str(archive), stdout=io.StringIO())
    before = table_row_counts()
    call_command("flush", interactive=False, verbosity=0)
    assert Region.objects.count() == 0
    assert database_is_empty()

    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)

    assert table_row_counts() == before
    assert Region.objects.get(code="510000").name == "四川省"
    assert "恢复 " in out.getvalue()
    assert "未新增或改写" in out.getvalue()


def test_restore_refuses_a_database_with_data_unless_forced_and_changes_nothing(regions, tmp_path):
    archive = tmp_path / "chelun.tar"
    backup_create(path=archive)
    Region.objects.filter(code="510000").update(name="改过的名字")

    with pytest.raises(CommandError, match="目标数据库中已有数据"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert Region.objects.get(code="510000").name == "改过的名字"

    call_command("restore", str(archive), "--force", stdout=io.StringIO())
    assert Region.objects.get(code="510000").name == "四川省"
    assert Region.objects.count() == regions


def test_restore_refuses_an_archive_of_other_migrations(regions, tmp_path):
    archive = tmp_path / "chelun.tar"
    manifest = backup_create(path=archive)
    raw = json.loads(_members(archive)[MANIFEST_NAME])
    raw["migrations"] = [m for m in manifest.migrations if m != "core.0003_region_boundary_table"]
    raw["migrations"].append("core.0099_from_the_future")
    older = _rewrite(archive, tmp_path / "other.tar", manifest=raw)
    call_command("flush", interactive=False, verbosity=0)

    with pytest.raises(BackupError) as exc_info:
        backup_restore(path=older)

    assert exc_info.value.code == "backup_migrations"
    assert exc_info.value.extra == {
        "missing": ["core.0003_region_boundary_table"],
        "unknown": ["core.0099_from_the_future"],
    }
    assert Region.objects.count() == 0  # refused before writing
    with pytest.raises(CommandError, match="备份的迁移状态与本代码不一致"):
        call_command("restore", str(older), "--check", stdout=io.StringIO())


def test_restore_refuses_a_damaged_image(regions, tmp_path):
    archive = tmp_path / "chelun.tar"
    manifest = backup_create(path=archive)
    image = bytearray(_members(archive)[manifest.payload])
    image[len(image) // 2] ^= 0xFF
    damaged = _rewrite(archive, tmp_path / "damaged.tar", payload=bytes(image))
    call_command("flush", interactive=False, verbosity=0)

    with pytest.raises(BackupError) as exc_info:
        backup_restore(path=damaged)

    assert exc_info.value.code == "backup_checksum"
    assert Region.objects.count() == 0
    assert backup_check(path=archive) == manifest  # the undamaged one passes the same check


def test_restore_reports_tables_whose_rows_do_not_match_the_manifest(regions, tmp_path):
    archive = tmp_path / "chelun.tar"
    backup_create(path=archive)
    raw = json.loads(_members(archive)[MANIFEST_NAME])
    raw["tables"]["core_region"] += 1  # as if a row had gone missing between the manifest and the image
    short = _rewrite(archive, tmp_path / "short.tar", manifest=raw)
    call_command("flush", interactive=False, verbosity=0)

    with pytest.raises(BackupError) as exc_info:
        backup_restore(path=short)

    assert exc_info.value.code == "restore_counts"
    assert exc_info.value.extra == {"tables": ["core_region"]}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"vendor": "oracle"}, "backup_vendor"),
        ({"format_version": FORMAT_VERSION + 1}, "backup_format"),
        ({"format": "somebody-else"}, "backup_format"),
    ],
)
def test_restore_refuses_another_vendor_or_format(regions, tmp_path, change, code):
    archive = tmp_path / "chelun.tar"
    backup_create(path=archive)
    raw = {**json.loads(_members(archive)[MANIFEST_NAME]), **change}
    other = _rewrite(archive, tmp_path / "other.tar", manifest=raw)

    with pytest.raises(BackupError) as exc_info:
        backup_restore(path=other, force=True)

    assert exc_info.value.code == code
    assert Region.objects.count() == regions


def test_restore_refuses_a_file_that_is_not_an_archive(tmp_path):
    junk = tmp_path / "notes.tar"
    junk.write_text("not a tar")

    with pytest.raises(BackupError) as exc_info:
        manifest_read(junk)

    assert exc_info.value.code == "backup_format"


def test_backup_and_restore_refuse_to_run_inside_a_transaction(regions, tmp_path):
    archive = tmp_path / "chelun.tar"
    backup_create(path=archive)

    with transaction.atomic(), pytest.raises(BackupError) as exc_info:
        backup_restore(path=archive, force=True)
    assert exc_info.value.code == "restore_in_transaction"

    with transaction.atomic(), pytest.raises(BackupError) as exc_info:
        backup_create(path=tmp_path / "inside.tar")
    assert exc_info.value.code == "backup_in_transaction"
    assert not (tmp_path / "inside.tar").exists()

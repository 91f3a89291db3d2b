"""Backup and restore of the whole database, as one archive with a manifest. Used by ``manage.py backup`` / ``restore``.

An archive is a tar of two members: ``manifest.json`` and the database image, taken online (the platform keeps
running): SQLite's backup API on SQLite, ``pg_dump --format=custom`` inside one exported snapshot on PostgreSQL. The
manifest holds the format version, the database vendor, the applied migrations, the time, the image's SHA-256 and
every table's row count, all read from that same consistent image.

A restore is physical (SQLite backup API into the connection, ``pg_restore``): rows go back as they were, no model is
saved, so no audit entry is written or changed (``loaddata`` would write one "created" entry per row, with no actor).
It refuses an archive of another format version or vendor, one whose migrations are not exactly this code's, one
whose image does not match its checksum, and, unless forced, a database that already holds data.

Core: imports Django and the standard library only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader

from chelun.core.errors import ApplicationError

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "BackupError",
    "Manifest",
    "backup_check",
    "backup_create",
    "backup_restore",
    "code_migrations",
    "manifest_read",
]

FORMAT = "chelun-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
PAYLOAD_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# `migrate` itself fills these (the migration record, and content types and permissions after every migrate): a
# database holding rows only here is still empty.
_FILLED_BY_MIGRATE = frozenset({"django_migrations", ContentType._meta.db_table, Permission._meta.db_table})
_CHUNK = 1 << 20


class BackupError(ApplicationError):
    """A backup or restore was refused or failed; `message` is Chinese, `code` names the rule."""


@dataclass(frozen=True)
class Manifest:
    vendor: str
    created_at: str  # ISO 8601, UTC
    migrations: list[str]  # "app_label.name", sorted
    payload: str
    sha256: str
    size: int
    tables: dict[str, int]  # table -> rows
    tool: str  # what took the image, with its version
    server_version: str = ""
    format: str = FORMAT
    format_version: int = FORMAT_VERSION
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


# --------------------------------------------------------------------------------------------------------------
# Reading the database
# --------------------------------------------------------------------------------------------------------------


def code_migrations() -> list[str]:
    """Every migration this code ships ("app_label.name", sorted): the state a restored database must be in."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted(f"{app}.{name}" for app, name in loader.disk_migrations)


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    )
    return sorted(name for (name,) in rows)


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in _sqlite_tables(conn)}  # noqa: S608


def _sqlite_migrations(conn: sqlite3.Connection) -> list[str]:
    if "django_migrations" not in _sqlite_tables(conn):
        return []
    return sorted(f"{app}.{name}" for app, name in conn.execute("SELECT app, name FROM django_migrations"))


def _pg_counts(cursor: Any) -> dict[str, int]:
    cursor.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_type = 'BASE TABLE'"
    )
    tables = sorted(name for (name,) in cursor.fetchall())
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from the catalogue
        counts[table] = cursor.fetchone()[0]
    return counts


def _pg_migrations(cursor: Any, tables: dict[str, int]) -> list[str]:
    if "django_migrations" not in tables:
        return []
    cursor.execute("SELECT app, name FROM django_migrations")
    return sorted(f"{app}.{name}" for app, name in cursor.fetchall())


def table_row_counts(using: str = "default") -> dict[str, int]:
    """Rows per table of the database as it is now, counted the way a manifest counts them."""
    connection = connections[using]
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        return _sqlite_counts(connection.connection)
    with connection.cursor() as cursor:
        return _pg_counts(cursor)


def database_is_empty(using: str = "default") -> bool:
    """No rows anywhere but in the tables `migrate` fills by itself."""
    return not any(n for table, n in table_row_counts(using).items() if table not in _FILLED_BY_MIGRATE)


# --------------------------------------------------------------------------------------------------------------
# Tools and files
# --------------------------------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _vendor(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor not in PAYLOAD_NAMES:
        raise BackupError(f"不支持备份 {connection.vendor} 数据库（仅支持 SQLite 与 PostgreSQL）", "backup_vendor")
    return str(connection.vendor)


def _pg_env(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """libpq's environment for the connection's database: the password never appears on a command line."""
    s = connection.settings_dict
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", s.get("HOST")),
        ("PGPORT", s.get("PORT")),
        ("PGUSER", s.get("USER")),
        ("PGPASSWORD", s.get("PASSWORD")),
        ("PGDATABASE", s.get("NAME")),
        ("PGSSLMODE", (s.get("OPTIONS") or {}).get("sslmode")),
    ):
        if value:
            env[key] = str(value)
    return env


def _pg_tool(name: str) -> tuple[str, str, int]:
    """(path, version line, major version) of pg_dump / pg_restore."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"找不到 {name}：请安装与数据库服务器同一主版本的 PostgreSQL 客户端工具", "backup_tool")
    line = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout.strip()  # noqa: S603
    match = re.search(r"(\d+)(?:\.\d+)*", line)
    if match is None:
        raise BackupError(f"无法识别 {name} 的版本：{line}", "backup_tool")
    return path, line, int(match.group(1))


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)  # noqa: S603 - fixed tool, our arguments
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise BackupError(f"{what}失败（退出码 {done.returncode}）：{tail}", "backup_tool_failed")


# --------------------------------------------------------------------------------------------------------------
# Backup
# --------------------------------------------------------------------------------------------------------------


def _image_sqlite(connection: BaseDatabaseWrapper, payload: Path) -> dict[str, Any]:
    connection.ensure_connection()
    target = sqlite3.connect(payload)
    try:
        # The online backup API: a consistent copy page by page while other connections keep working.
        connection.connection.backup(target)
    finally:
        target.close()
    image = sqlite3.connect(f"file:{payload}?mode=ro", uri=True)
    try:  # read from the copy, so the manifest describes exactly what was copied
        return {
            "tables": _sqlite_counts(image),
            "migrations": _sqlite_migrations(image),
            "tool": f"SQLite {sqlite3.sqlite_version} backup API",
            "server_version": sqlite3.sqlite_version,
        }
    finally:
        image.close()


def _image_postgresql(connection: BaseDatabaseWrapper, payload: Path) -> dict[str, Any]:
    path, line, major = _pg_tool("pg_dump")
    connection.ensure_connection()
    server_major = connection.pg_version // 10000  # type: ignore[attr-defined]
    if major < server_major:
        raise BackupError(f"{line} 低于数据库服务器的主版本 {server_major}，无法备份", "backup_tool")
    # One repeatable-read snapshot, exported to pg_dump: the counts and migrations in the manifest are read from
    # the very rows the dump holds, however busy the database is.
    with connection.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            tables = _pg_counts(cursor)
            migrations = _pg_migrations(cursor, tables)
            args = [path, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}"]
            _run([*args, f"--file={payload}"], _pg_env(connection), "pg_dump 备份")
        finally:
            cursor.execute("ROLLBACK")
    return {"tables": tables, "migrations": migrations, "tool": line, "server_version": server_version}


def backup_create(*, path: Path, using: str = "default", now: dt.datetime | None = None) -> Manifest:
    """Write an archive of the whole database to `path` (which must not exist) and return its manifest.

    The archive appears complete or not at all: it is written beside `path` and renamed into place. Raises
    BackupError (code backup_exists, backup_vendor, backup_tool, backup_tool_failed, backup_in_transaction).
    """
    connection = connections[using]
    vendor = _vendor(connection)
    if connection.in_atomic_block:
        # The image would hold this transaction's uncommitted rows (SQLite) or need a transaction of its own (pg_dump).
        raise BackupError("备份须在事务之外进行", "backup_in_transaction")
    path = Path(path)
    if path.exists():
        raise BackupError(f"备份文件已存在：{path}（不会覆盖）", "backup_exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    created = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".backup-") as work:
        payload = Path(work) / PAYLOAD_NAMES[vendor]
        image = _image_sqlite(connection, payload) if vendor == "sqlite" else _image_postgresql(connection, payload)
        manifest = Manifest(
            vendor=vendor,
            created_at=created.isoformat(),
            migrations=image["migrations"],
            payload=payload.name,
            sha256=_sha256(payload),
            size=payload.stat().st_size,
            tables=image["tables"],
            tool=image["tool"],
            server_version=image["server_version"],
        )
        partial = Path(work) / "archive.tar"
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(asdict(manifest), ensure_ascii=False, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST_NAME)
            info.size, info.mtime = len(data), int(created.timestamp())
            tar.addfile(info, io.BytesIO(data))  # first, so reading the manifest needs no pass over the image
            tar.add(payload, arcname=payload.name)
        os.replace(partial, path)
    return manifest


# --------------------------------------------------------------------------------------------------------------
# Restore
# --------------------------------------------------------------------------------------------------------------


def _member(tar: tarfile.TarFile, name: str) -> tarfile.TarInfo:
    try:
        info = tar.getmember(name)
    except KeyError:
        raise BackupError(f"备份文件中缺少 {name}", "backup_format")
    if not info.isfile():
        raise BackupError(f"备份文件中的 {name} 不是普通文件", "backup_format")
    return info


def manifest_read(path: Path) -> Manifest:
    """The manifest of the archive at `path`. Raises BackupError (backup_format) for anything that is not an archive
    of this format version."""
    try:
        with tarfile.open(path, "r") as tar:
            stream = tar.extractfile(_member(tar, MANIFEST_NAME))
            assert stream is not None
            raw = json.loads(stream.read().decode())
    except (OSError, tarfile.TarError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"无法读取备份文件 {path}：{exc}", "backup_format")
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise BackupError(f"{path} 不是本平台的备份文件", "backup_format")
    if raw.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"备份格式版本 {raw.get('format_version')} 与本代码支持的版本 {FORMAT_VERSION} 不同", "backup_format"
        )
    try:
        return Manifest(**raw)
    except TypeError as exc:
        raise BackupError(f"备份清单字段不完整：{exc}", "backup_format")


def _check_migrations(manifest: Manifest) -> None:
    ours = set(code_migrations())
    theirs = set(manifest.migrations)
    if ours == theirs:
        return
    missing, unknown = sorted(ours - theirs), sorted(theirs - ours)
    parts = []
    if missing:
        parts.append(f"备份缺少本代码的迁移 {', '.join(missing[:5])}{' 等' if len(missing) > 5 else ''}")
    if unknown:
        parts.append(f"备份含有本代码没有的迁移 {', '.join(unknown[:5])}{' 等' if len(unknown) > 5 else ''}")
    raise BackupError(
        "备份的迁移状态与本代码不一致：" + "；".join(parts) + "。请用与备份时相同版本的代码恢复。",
        "backup_migrations",
        {"missing": missing, "unknown": unknown},
    )


@contextmanager
def _verified_payload(path: Path, manifest: Manifest) -> Iterator[Path]:
    """The archive's image unpacked to a temporary file, after its size and SHA-256 are checked."""
    with tempfile.TemporaryDirectory(prefix="chelun-restore-") as work, tarfile.open(path, "r") as tar:
        target = Path(work) / PAYLOAD_NAMES[manifest.vendor]  # our own name: nothing from the archive picks a path
        stream = tar.extractfile(_member(tar, manifest.payload))
        assert stream is not None
        with target.open("wb") as out:
            shutil.copyfileobj(stream, out, _CHUNK)
        if target.stat().st_size != manifest.size or _sha256(target) != manifest.sha256:
            raise BackupError("备份文件校验失败：数据与清单中的 SHA-256 不符（文件已损坏或被改动）", "backup_checksum")
        yield target


def _check_fits(manifest: Manifest, using: str) -> None:
    vendor = _vendor(connections[using])
    if manifest.vendor != vendor:
        raise BackupError(f"这是 {manifest.vendor} 数据库的备份，不能恢复到 {vendor} 数据库", "backup_vendor")
    _check_migrations(manifest)


def backup_check(*, path: Path, using: str = "default") -> Manifest:
    """Everything a restore checks about the archive before it writes: format version, vendor, migrations and
    checksum. Raises BackupError."""
    manifest = manifest_read(path)
    _check_fits(manifest, using)
    with _verified_payload(path, manifest):
        pass
    return manifest


def _restore_sqlite(connection: BaseDatabaseWrapper, payload: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{payload}?mode=ro", uri=True)
    try:
        # The backup API in reverse: the whole image replaces the database's pages in one write transaction.
        source.backup(connection.connection)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite 恢复失败：{exc}", "backup_tool_failed")
    finally:
        source.close()


def _restore_postgresql(connection: BaseDatabaseWrapper, payload: Path, manifest: Manifest) -> None:
    path, line, major = _pg_tool("pg_restore")
    match = re.search(r"(\d+)", manifest.tool)
    if match and major < int(match.group(1)):
        raise BackupError(f"{line} 低于生成备份的 {manifest.tool}，无法读取该备份", "backup_tool")
    env = _pg_env(connection)
    connection.close()  # our own idle connection must not hold locks the drops wait for
    args = [path, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]
    _run([*args, "--exit-on-error", f"--dbname={env.get('PGDATABASE', '')}", str(payload)], env, "pg_restore 恢复")


def backup_restore(*, path: Path, using: str = "default", force: bool = False) -> Manifest:
    """Replace the database's contents with the archive at `path` and return its manifest.

    Before anything is written: the checks of backup_check, and, unless `force`, that the database holds no data
    (restore_not_empty). Afterwards every table's row count is compared with the manifest (restore_counts). Rows come
    back exactly as stored, audit history included; nothing is saved through the models, so no audit entry is
    added. Raises BackupError.
    """
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("恢复须在事务之外进行", "restore_in_transaction")
    manifest = manifest_read(path)
    _check_fits(manifest, using)
    if not force and not database_is_empty(using):
        raise BackupError(
            "目标数据库中已有数据：恢复会整体替换它。确认要覆盖，请加 --force（建议先备份当前数据库）。",
            "restore_not_empty",
        )
    with _verified_payload(path, manifest) as payload:
        if manifest.vendor == "sqlite":
            _restore_sqlite(connection, payload)
        else:
            _restore_postgresql(connection, payload, manifest)
    ContentType.objects.clear_cache()  # ids may differ from the ones this process cached
    counts = table_row_counts(using)
    different = sorted(t for t in set(counts) | set(manifest.tables) if counts.get(t) != manifest.tables.get(t))
    if different:
        raise BackupError(
            f"恢复后以下表的行数与备份清单不符：{', '.join(different[:10])}", "restore_counts", {"tables": different}
        )
    return manifest

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from chelun.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the whole database online into one archive with a manifest (SQLite backup API, or pg_dump on "
        "PostgreSQL). The PII keys are not in it: keep them apart (README, Backup and restore)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path",
            nargs="?",
            type=Path,
            help="archive to write (must not exist); default var/backups/chelun-<vendor>-<UTC time>.tar",
        )

    def handle(self, *args: Any, path: Path | None = None, **options: Any) -> None:
        if path is None:
            stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
            path = Path(settings.VAR_DIR) / "backups" / f"chelun-{connection.vendor}-{stamp}.tar"
        try:
            manifest = backup_create(path=path)
        except BackupError as exc:
            raise CommandError(exc.message)
        self.stdout.write(
            self.style.SUCCESS(
                f"已备份到 {path}：{len(manifest.tables)} 张表、{manifest.rows:,} 行，"
                f"{len(manifest.migrations)} 个迁移，SHA-256 {manifest.sha256}"
            )
        )
        self.stdout.write("注意：备份中不含个人信息密钥（PII_ENCRYPTION_KEYS、PII_HASH_KEY），请与备份分开保管。")

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chelun.core.backup import BackupError, backup_check, backup_restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by `manage.py backup`. Refuses another vendor's archive, one whose migrations "
        "are not this code's, a damaged one (checksum) and, without --force, a database that already holds data. "
        "Rows, audit history included, come back as they were: nothing is rewritten."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="archive written by manage.py backup")
        parser.add_argument(
            "--force", action="store_true", help="replace a database that already holds data (back it up first)"
        )
        parser.add_argument("--check", action="store_true", help="only check the archive; write nothing")

    def handle(self, *args: Any, path: Path, force: bool = False, check: bool = False, **options: Any) -> None:
        try:
            if check:
                manifest = backup_check(path=path)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"备份可恢复：{manifest.vendor}，{manifest.created_at} 生成，"
                        f"{len(manifest.tables)} 张表、{manifest.rows:,} 行，校验和与迁移状态一致"
                    )
                )
                return
            manifest = backup_restore(path=path, force=force)
        except BackupError as exc:
            raise CommandError(exc.message)
        self.stdout.write(
            self.style.SUCCESS(
                f"已从 {path}（{manifest.created_at} 生成）恢复 {len(manifest.tables)} 张表、{manifest.rows:,} 行；"
                "审计记录按备份原样恢复，未新增或改写。"
            )
        )

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chelun.core.regions import regions_load


class Command(BaseCommand):
    help = "Load Sichuan's divisions (province, prefectures, counties) and their boundaries from the shared data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data-dir", type=Path, default=None)

    def handle(self, *args: Any, data_dir: Path | None = None, **options: Any) -> None:
        counts = regions_load(data_dir=data_dir)
        self.stdout.write(self.style.SUCCESS(f"已载入区划：{counts}"))

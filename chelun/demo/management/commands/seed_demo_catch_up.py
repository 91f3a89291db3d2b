from typing import Any

from django.core.management.base import BaseCommand

from chelun.demo.stations.catch_up import status_catch_up


class Command(BaseCommand):
    help = (
        "Continue the demo stations' status history from their latest report to now (what the periodic task "
        "demo_status_catch_up does), so an old demo database comes alive. Does nothing without demo stations."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = status_catch_up()
        if not (result.stations or result.skipped):
            self.stdout.write("演示站点状态已是最新（或数据库中没有演示站点），无需补齐。")
            return
        self.stdout.write(f"演示站点状态已补齐到现在：{result.stations} 个站点，新增状态上报 {result.reports:,} 条。")
        if result.skipped:
            self.stdout.write(self.style.WARNING(f"{result.skipped} 个演示站点没有站长，未补齐。"))

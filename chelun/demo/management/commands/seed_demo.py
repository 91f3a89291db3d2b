from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chelun.demo.accounts import logins_table
from chelun.demo.seed import DEFAULT_SEED, SCALES, database_has_data, seed_demo


class Command(BaseCommand):
    help = (
        "Fill an empty database with the deterministic demo Sichuan: industry committees, the published "
        "organisation and rule counts, drivers and party members (small = 1/100 of the people), demo logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="small", help="small (default) or full")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing, successfully, when the database already has data"
        )
        parser.add_argument(
            "--allow-demo-passwords",
            action="store_true",
            help="create the demo logins (shared password) even with DEBUG off",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if database_has_data():
            if options["if_empty"]:
                self.stdout.write("数据库中已有组织或人员数据，跳过演示数据生成。")
                self.stdout.write(logins_table())
                return
            raise CommandError(
                "数据库中已有组织或人员数据：seed_demo 只填充空数据库（加 --if-empty 则在有数据时直接跳过）。"
            )
        if not settings.DEBUG and not options["allow_demo_passwords"]:
            raise CommandError(
                "DEBUG 已关闭：演示账号使用公开的演示密码，拒绝创建。"
                "确需在非开发环境生成演示数据，请加 --allow-demo-passwords。"
            )
        counts = SCALES[options["scale"]]
        self.stdout.write(
            f"生成演示数据（规模 {options['scale']}，种子 {options['seed']}）：司机 {counts.drivers:,} 人，"
            f"其中党员 {counts.party_member_drivers:,} 人……"
        )
        result = seed_demo(counts=counts, seed=options["seed"], log=self.stdout.write)
        people = result.people
        self.stdout.write(self.style.SUCCESS(f"完成，用时 {result.seconds:.1f} 秒。按数据统计："))
        for label, count in result.figures.items():
            self.stdout.write(f"  {label}：{count:,}")
        self.stdout.write(
            f"  人员：{people.people:,}（司机 {people.drivers:,}，其中党员 {people.party_members:,}；"
            f"货主 {people.shippers}；站长 {people.station_operators}）"
        )
        self.stdout.write(logins_table())
        # 暖心之家 stations (chelun.demo.stations): they need the tree and people; skipped when stations exist.
        import random

        from django.utils import timezone

        from chelun.demo.stations import SYNTHETIC_COUNTS, seed_stations
        from chelun.stations.models import Station

        if not Station.objects.exists():
            seed_stations(
                rng=random.Random(f"{options.get('seed', DEFAULT_SEED)}:stations"),
                scale=str(options.get("scale")) if options.get("scale") in SYNTHETIC_COUNTS else "small",
                now=timezone.now(),
                demo_passwords=settings.DEBUG or bool(options.get("allow_demo_passwords")),
                log=self.stdout.write,
            )

"""Demo logins: one per level of the tree, plus the demo driver who logs in with a one-time code.

DEMO_LOGINS is what the README names; seed_demo creates these users and prints the table. The shared password is for
development databases only: seed_demo refuses to set it when DEBUG is off unless told --allow-demo-passwords.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from chelun.demo.identifiers import DEMO_DRIVER_PHONE
from chelun.demo.people import DEMO_DRIVER_NAME
from chelun.orgs.choices import Role

__all__ = ["DEMO_DRIVER_PHONE", "DEMO_LOGINS", "DEMO_PASSWORD", "DemoLogin", "create_demo_logins", "logins_table"]

DEMO_PASSWORD = "demo12345"  # noqa: S105 - development-only demo password, refused when DEBUG is off


@dataclass(frozen=True)
class DemoLogin:
    username: str
    description: str
    region_code: str = ""  # the industry committee of this region gets the role; "" for the superuser
    role: str = ""


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("admin", "系统管理员（超级用户）"),
    DemoLogin("sichuan", "四川省交通运输行业党委 管理员", "510000", Role.ADMIN),
    DemoLogin("chengdu", "成都市交通运输行业党委 管理员", "510100", Role.ADMIN),
    DemoLogin("wuhou", "武侯区交通运输行业党委 管理员（成都）", "510107", Role.ADMIN),
    DemoLogin("jinjiang", "锦江区交通运输行业党委 管理员（成都，武侯区的兄弟县区）", "510104", Role.ADMIN),
    DemoLogin("auditor", "四川省交通运输行业党委 审计员", "510000", Role.AUDITOR),
)


def create_demo_logins(committee_pks: Mapping[str, int]) -> None:
    """Create the DEMO_LOGINS users with DEMO_PASSWORD and their role on the industry committee of their region
    (`committee_pks`: region code -> organisation pk)."""
    from django.contrib.auth.hashers import make_password

    from chelun.accounts.models import User
    from chelun.orgs.models import RoleGrant

    password = make_password(DEMO_PASSWORD)  # hashed once: the hasher is deliberately slow
    for login in DEMO_LOGINS:
        superuser = not login.role
        user = User.objects.create(
            username=login.username,
            password=password,
            first_name=login.description.split(" ")[0] if not superuser else "系统管理员",
            is_staff=superuser,
            is_superuser=superuser,
        )
        if login.role:
            RoleGrant.objects.create(user=user, organization_id=committee_pks[login.region_code], role=login.role)


def logins_table() -> str:
    """The demo logins as printed at the end of seed_demo."""
    width = max(len(login.username) for login in DEMO_LOGINS)
    lines = [f"演示账号（仅限开发环境，密码均为 {DEMO_PASSWORD}）："]
    lines += [f"  {login.username.ljust(width)}  {login.description}" for login in DEMO_LOGINS]
    lines.append(
        f"演示司机：{DEMO_DRIVER_NAME}，手机号 {DEMO_DRIVER_PHONE}，用手机号 + 验证码登录（开发环境验证码打印在控制台）"
    )
    return "\n".join(lines)

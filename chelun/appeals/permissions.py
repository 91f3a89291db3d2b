"""The actions `appeals` guards, and which roles grant them on an organisation's subtree.

A driver needs no role: their own appeals are theirs (appeals.access). The reporter of a confidential category
(清廉交通 integrity reports) is revealed only by appeal.reporter, held by the supervision role (督查), the
platform's discipline role; no list, export or audit entry shows it to anyone.
Supervision (挂牌督办) and routing rules are the province's: the check is on the root of the tree.
"""

from chelun.orgs.access import register_actions
from chelun.orgs.choices import Role

register_actions(
    {
        "appeal.view": {Role.ADMIN, Role.SECRETARY, Role.VIEWER, Role.SUPERVISOR, Role.AUDITOR},
        "appeal.handle": {Role.ADMIN, Role.SECRETARY},
        "appeal.supervise": {Role.ADMIN, Role.SUPERVISOR},
        "appeal.reporter": {Role.SUPERVISOR},
        "appeal.routing": {Role.ADMIN},
    }
)

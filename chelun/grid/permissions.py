"""The actions `grid` guards, and which roles grant them on an organisation's subtree.

A driver's own pings, consent and position need no role: they are the driver's (grid.access checks the person).
"""

from chelun.orgs.access import ALL_ROLES, register_actions
from chelun.orgs.choices import Role

register_actions(
    {
        "grid.view": ALL_ROLES,  # coverage, cells, attached members, analytics within the subtree
        "grid.change": {Role.ADMIN},  # draw coverage
        "grid.members_manage": {Role.ADMIN, Role.SECRETARY},  # outflow registration, attachment, return
    }
)

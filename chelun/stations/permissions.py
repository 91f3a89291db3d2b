"""The actions `stations` guards, and which roles grant them on an organisation's subtree.

A station's own operators (Station.operators) run it without any role; that rule is in stations.access, whose
access_* functions are the one check an API write and its page both call (tests/test_permissions.py holds them to
it, role by role).
"""

from chelun.orgs.access import ALL_ROLES, register_actions
from chelun.orgs.choices import Role

register_actions(
    {
        "station.view": ALL_ROLES,
        "station.change": {Role.ADMIN},
        "feedback.escalated": {Role.ADMIN, Role.SUPERVISOR},
        "funding.view": {Role.ADMIN, Role.SUPERVISOR, Role.VIEWER, Role.AUDITOR},
        "funding.change": {Role.ADMIN},
    }
)

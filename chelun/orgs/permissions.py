"""The actions `orgs` guards: the tree itself, its rules and who holds which role.

`audit.view` guards core's audit log; core knows no roles (it sits below orgs), so the app that defines the roles
says which of them may read it.
"""

from chelun.orgs.access import ALL_ROLES, register_actions
from chelun.orgs.choices import Role

register_actions(
    {
        "org.view": ALL_ROLES,
        "org.change": {Role.ADMIN},
        "rule.view": ALL_ROLES,
        "rule.change": {Role.ADMIN, Role.SECRETARY},
        "role.manage": {Role.ADMIN},
        "audit.view": {Role.ADMIN, Role.AUDITOR, Role.SUPERVISOR},
    }
)

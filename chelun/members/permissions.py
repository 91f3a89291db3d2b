"""The actions `members` guards: people's records and the unmasked view of their ID and phone numbers."""

from chelun.orgs.access import register_actions
from chelun.orgs.choices import Role

register_actions(
    {
        "person.view": {Role.ADMIN, Role.SECRETARY, Role.VIEWER, Role.SUPERVISOR, Role.AUDITOR},
        "person.change": {Role.ADMIN, Role.SECRETARY},
        "person.reveal": {Role.ADMIN, Role.SECRETARY},
    }
)

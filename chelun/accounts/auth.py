"""How API clients prove who they are: `Authorization: Bearer <key>` tokens (issued by accounts.services).

It lives in `accounts` (not in the API's mount point in config) so that apps whose endpoints authenticate a
visitor by hand, such as the stations' public writes, can use it without importing config.
"""

from __future__ import annotations

from typing import Any

from auditlog.context import auditlog_value
from django.http import HttpRequest
from ninja.security import HttpBearer

from chelun.accounts.services import api_token_authenticate


class BearerToken(HttpBearer):
    """`Authorization: Bearer <key>` for app clients."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
            _attribute_audit_entries_to(user)
        return user


def _attribute_audit_entries_to(user: Any) -> None:
    """AuditlogMiddleware takes the actor from request.user before the view runs, when a bearer-token request is
    still anonymous; name the token's user in the request's audit context so its writes are not logged as nobody's."""
    try:
        context = auditlog_value.get()
    except LookupError:  # no AuditlogMiddleware around this request (e.g. a direct call)
        return
    if context.get("actor") is None:
        context["actor"] = user

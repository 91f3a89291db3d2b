"""`{% main_menu as items %}`: the logged-in user's menu (accounts.landing.main_menu) with the current page marked."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from chelun.accounts.landing import is_current, main_menu

register = template.Library()


@register.simple_tag(takes_context=True)
def main_menu_items(context: dict[str, Any]) -> list[dict[str, Any]]:
    request = context["request"]
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    return [
        {"url": reverse(item.url_name), "label": item.label, "current": is_current(item, view_name)}
        for item in main_menu(request.user)
    ]

"""`{% main_menu as items %}`: the logged-in user's menu (accounts.landing.main_menu) with the current page marked."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from chelun.accounts.landing import is_current, main_menu

register = template.Library()


@register.simple_tag(takes_context=True)
def main_menu_items(context: dict[str, Any]) -> dict[str, Any]:
    """{"items": [{url, label, current}], "driver_current": bool}: the public 暖心之家 link is the current one on
    the station pages that no menu entry covers (the driver's pages)."""
    request = context["request"]
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    items = [
        {"url": reverse(item.url_name), "label": item.label, "current": is_current(item, view_name)}
        for item in main_menu(request.user)
    ]
    on_station_page = bool(match and match.app_name == "stations")
    staff_page = view_name.startswith(("stations:operate", "stations:console", "stations:create", "stations:gaps"))
    staff_page = staff_page or view_name.startswith(("stations:funding", "stations:feedback_reply"))
    return {"items": items, "driver_current": on_station_page and not staff_page}

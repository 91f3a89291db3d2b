"""`{% console_tab_names as tabs %}`: the console tabs with something in the user's scope (console_scope)."""

from __future__ import annotations

from typing import Any

from django import template

from chelun.stations.console_scope import console_tabs

register = template.Library()


@register.simple_tag(takes_context=True)
def console_tab_names(context: dict[str, Any]) -> list[str]:
    return console_tabs(context["request"].user)

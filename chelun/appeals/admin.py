"""Admin for the service desk's configuration: categories (deadlines, place required, confidential), routing rules
and knowledge-base entries (re-indexed on save). Appeals themselves are handled on the service desk pages, never
here: the admin would bypass the workflow and the confidentiality of integrity reports."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from chelun.appeals.knowledge import article_index
from chelun.appeals.models import Article, Category, RoutingRule


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "ack_days",
        "resolve_days",
        "needs_place",
        "needs_station",
        "confidential",
        "active",
    ]
    list_editable = ["ack_days", "resolve_days", "needs_place", "active"]
    ordering = ["position", "id"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "priority", "active", "note"]
    list_filter = ["target", "active"]
    raw_id_fields = ["region", "organization"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "helped_count", "active", "position"]
    search_fields = ["title"]
    filter_horizontal = ["categories"]
    readonly_fields = ["helped_count"]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        article_index(form.instance)  # the search index follows the text at once

from django.contrib import admin

from chelun.core.models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "kind", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from chelun.accounts.models import ApiToken, User


@admin.register(User)
class ChelunUserAdmin(UserAdmin):
    raw_id_fields = ["person"]
    fieldsets = (*UserAdmin.fieldsets, ("人员", {"fields": ("person",)}))  # type: ignore[misc, operator]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at"]
    readonly_fields = ["key_hash", "prefix"]

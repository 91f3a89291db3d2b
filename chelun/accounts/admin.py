from axes.utils import reset as axes_reset
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from chelun.accounts.models import ApiToken, User


@admin.register(User)
class ChelunUserAdmin(UserAdmin):
    raw_id_fields = ["person"]
    fieldsets = (*UserAdmin.fieldsets, ("人员", {"fields": ("person",)}))  # type: ignore[misc, operator]
    actions = ["unlock_logins"]

    @admin.action(description="解除登录锁定（清除失败记录）", permissions=["change"])
    def unlock_logins(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """django-axes locks a username from one address after repeated failures; the owner calling the help desk
        should not wait out the cool-off. Clears the failure records of every address for the chosen users."""
        cleared = sum(axes_reset(username=user.get_username()) for user in queryset)
        self.message_user(
            request, f"已解除 {queryset.count()} 个账号的登录锁定（清除 {cleared} 条失败记录）", messages.SUCCESS
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at"]
    readonly_fields = ["key_hash", "prefix"]

from django.contrib import admin

from chelun.orgs.models import Organization, RoleGrant, Rule


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "sector", "region", "status", "depth"]
    list_filter = ["kind", "sector", "status"]
    search_fields = ["name", "unit_name"]
    raw_id_fields = ["parent", "region"]
    readonly_fields = ["path", "depth", "version"]


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organization", "granted_at"]
    list_filter = ["role"]
    raw_id_fields = ["user", "organization"]


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["title", "number", "category", "status", "organization", "effective_on"]
    list_filter = ["category", "status"]
    search_fields = ["title", "number"]
    raw_id_fields = ["organization"]

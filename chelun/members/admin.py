from django.contrib import admin

from chelun.members.models import DriverProfile, PartyMemberProfile, Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    # Only masked values appear here; the clear values are revealed (and audited) on the console page.
    list_display = ["name", "gender", "id_number_masked", "phone_masked", "org", "region"]
    search_fields = ["name"]
    raw_id_fields = ["org", "region"]
    readonly_fields = ["id_number_masked", "phone_masked", "version"]
    exclude = ["id_number_cipher", "id_number_hash", "phone_cipher", "phone_hash"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False  # people are created through the service, which encrypts and validates


@admin.register(DriverProfile)
class DriverProfileAdmin(admin.ModelAdmin):
    list_display = ["person", "licence_class", "vehicle_type", "plates", "employer_name"]
    raw_id_fields = ["person", "employer"]


@admin.register(PartyMemberProfile)
class PartyMemberProfileAdmin(admin.ModelAdmin):
    list_display = ["person", "status", "joined_on", "branch"]
    list_filter = ["status"]
    raw_id_fields = ["person", "branch"]

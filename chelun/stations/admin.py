from django.contrib import admin

from chelun.stations.models import CostReport, Feedback, Station, StationAmenity, StationPrice, SubsidyContribution


class AmenityInline(admin.TabularInline):
    model = StationAmenity
    extra = 0


class PriceInline(admin.TabularInline):
    model = StationPrice
    extra = 0


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "station_class", "status", "region", "organization", "truck_spaces"]
    list_filter = ["kind", "station_class", "status", "is_demo_synthetic"]
    search_fields = ["name", "address", "corridor_ref"]
    raw_id_fields = ["region", "organization", "pair", "operators"]
    inlines = [AmenityInline, PriceInline]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["station", "rating", "status", "created_at", "reply_due_at", "replied_at"]
    list_filter = ["status"]
    raw_id_fields = ["station", "user", "replied_by"]


@admin.register(CostReport)
class CostReportAdmin(admin.ModelAdmin):
    list_display = ["station", "month", "category", "amount_fen"]
    raw_id_fields = ["station"]


@admin.register(SubsidyContribution)
class SubsidyContributionAdmin(admin.ModelAdmin):
    list_display = ["station", "month", "source", "amount_fen"]
    raw_id_fields = ["station", "transaction"]

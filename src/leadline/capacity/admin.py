from django.contrib import admin

from leadline.accounts.admin import TenantAdmin, admin_site
from leadline.capacity.models import ArrivalWindow, CapacityRule


@admin.register(CapacityRule, site=admin_site)
class CapacityRuleAdmin(TenantAdmin):
    list_display = ("trade", "weekday", "start_time", "end_time", "slots")
    list_filter = ("trade", "weekday")


@admin.register(ArrivalWindow, site=admin_site)
class ArrivalWindowAdmin(TenantAdmin):
    list_display = ("trade", "starts_at", "ends_at", "capacity", "booked")
    list_filter = ("trade",)
    date_hierarchy = "starts_at"
    readonly_fields = ("booked",)

from django.contrib import admin

from leadline.accounts.admin import TenantAdmin, admin_site
from leadline.compliance.models import OptOut


@admin.register(OptOut, site=admin_site)
class OptOutAdmin(TenantAdmin):
    list_display = ("phone", "method", "opted_out_at", "active")
    list_filter = ("method", "active")
    search_fields = ("phone",)

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from leadline.accounts.admin import TenantAdmin, admin_site
from leadline.compliance.models import OptOut
from leadline.kit.phone import normalise_phone


@admin.register(OptOut, site=admin_site)
class OptOutAdmin(TenantAdmin):
    list_display = ("phone", "method", "opted_out_at", "active")
    list_filter = ("method", "active")
    search_fields = ("phone",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The registry is matched on E.164; "(512) 555-0143" typed here must match too.
        obj.phone = normalise_phone(obj.phone)
        super().save_model(request, obj, form, change)

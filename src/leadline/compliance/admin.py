from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from leadline.accounts.admin import TenantAdmin, admin_site
from leadline.compliance.models import OptOut
from leadline.interactions.services import record_opt_out_by_hand
from leadline.kit.phone import normalise_phone


@admin.register(OptOut, site=admin_site)
class OptOutAdmin(TenantAdmin):
    list_display = ("phone", "method", "opted_out_at", "active")
    list_filter = ("method", "active")
    search_fields = ("phone",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The registry is matched on E.164; "(512) 555-0143" typed here must match too.
        obj.phone = normalise_phone(obj.phone)
        user: Any = request.user
        if change or not obj.active:
            super().save_model(request, obj, form, change)
            return
        # A new opt-out goes through the service: a number already in the registry is not
        # an error, and the open conversations with it end now, on the timeline.
        company = obj.company if user.is_superuser else user.company
        saved = record_opt_out_by_hand(
            company=company, phone=obj.phone, actor=user, note=obj.raw_text, at=obj.opted_out_at
        )
        obj.pk = saved.pk
        obj.method = saved.method

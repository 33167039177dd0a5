"""API tokens in the company-scoped admin: administrators list, issue and revoke them.

A new token's secret is shown once, in the message after saving; only its hash is kept.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from leadline.accounts.admin import TenantAdmin, admin_site
from leadline.accounts.models import User
from leadline.api.models import ApiToken
from leadline.api.services import create_token, revoke_token
from leadline.kit.errors import DomainError


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ("user", "name")


@admin.register(ApiToken, site=admin_site)
class ApiTokenAdmin(TenantAdmin):
    form = ApiTokenForm
    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "state")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__email")
    actions = ("revoke",)
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")

    @admin.display(description="State")
    def state(self, obj: ApiToken) -> str:
        return "Revoked" if obj.revoked_at else "Active"

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("user", "name")
        return ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Who a token acts as never changes: issue a new one instead.
        return (*self.readonly_fields, "user") if obj is not None else ()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user" and field is not None:
            user: Any = request.user
            users = User.objects.filter(is_active=True, company__isnull=False)
            if not user.is_superuser:
                users = users.filter(company_id=user.company_id)
            field.queryset = users.order_by("email")
        return field

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Revoke instead: the row says when it was used last and when it stopped working.
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            ApiToken.objects.filter(pk=obj.pk).update(name=obj.name)
            return
        try:
            issued = create_token(user=obj.user, name=obj.name)
        except DomainError as exc:
            messages.error(request, str(exc))
            return
        obj.pk = issued.token.pk
        obj.prefix = issued.token.prefix
        messages.warning(
            request,
            f"The new token is {issued.secret} — copy it now: it is not shown again.",
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            revoke_token(token=token)
            count += 1
        messages.success(request, f"Revoked {count} token{'s' if count != 1 else ''}.")

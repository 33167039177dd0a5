"""Webhooks in the company admin: endpoints (with their secret) and read-only deliveries.

Only administrators of the company (TenantAdmin) see any of it; every list and
every object is scoped to their company.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString

from leadline.accounts.admin import TenantAdmin, admin_site
from leadline.accounts.models import Company
from leadline.kit.errors import DomainError
from leadline.webhooks import services
from leadline.webhooks.models import (
    EVENT_TYPES,
    EventType,
    WebhookDelivery,
    WebhookEndpoint,
    http_url,
)
from leadline.webhooks.selectors import endpoints_for


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        validators=[http_url],
        error_messages={"invalid": "Enter an http:// or https:// URL."},
    )
    events = forms.MultipleChoiceField(
        choices=[(value, f"{value}: {label}") for value, label in EventType.choices],
        widget=forms.CheckboxSelectMultiple,
        help_text="Only the events ticked here are sent to this URL.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("url", "events", "enabled", "description")

    def clean_url(self) -> str:
        url: str = self.cleaned_data.get("url") or ""
        try:
            # The address check (loopback, private, metadata...) is the service's.
            return services.check_endpoint_url(url)
        except DomainError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_events(self) -> list[str]:
        chosen = set(self.cleaned_data.get("events") or [])
        return [e for e in EVENT_TYPES if e in chosen]


def _company_of(request: HttpRequest) -> Company | None:
    user: Any = request.user
    company: Company | None = user.company
    return company


@admin.register(WebhookEndpoint, site=admin_site)
class WebhookEndpointAdmin(TenantAdmin):
    form = WebhookEndpointForm
    list_display = ("url", "event_list", "enabled", "description", "created_at")
    list_filter = ("enabled",)
    search_fields = ("url", "description")
    actions = ("new_secret",)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = ["url", "events", "enabled", "description", "signing_secret", "created_at"]
        if getattr(request.user, "is_superuser", False):
            # An operator of the installation says whose endpoint it is; an administrator
            # never does (TenantAdmin sets their own company).
            fields.insert(0, "company")
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("signing_secret", "created_at")

    @admin.display(description="Events")
    def event_list(self, obj: WebhookEndpoint) -> str:
        return ", ".join(obj.events or [])

    @admin.display(description="Signing secret")
    def signing_secret(self, obj: WebhookEndpoint | None) -> SafeString | str:
        if obj is None or not obj.pk:
            return "Generated when you save; it is shown here afterwards."
        return format_html(
            "<code>{}</code><br>Verify each delivery's Leadline-Webhook-Signature with this "
            "secret (see docs/webhooks.md). Use the action “Generate a new secret” if it leaked.",
            obj.secret,
        )

    @admin.action(description="Generate a new secret")
    def new_secret(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        count = 0
        for endpoint in queryset:
            services.rotate_secret(company=endpoint.company, endpoint_id=endpoint.pk)
            count += 1
        self.message_user(
            request,
            f"{count} endpoint(s) have a new secret; deliveries from now on are signed with it.",
            messages.SUCCESS,
        )


class EndpointFilter(admin.SimpleListFilter):
    """By endpoint, offering only the administrator's own endpoints."""

    title = "endpoint"
    parameter_name = "endpoint"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        user: Any = request.user
        if user.is_superuser:
            rows = WebhookEndpoint.objects.order_by("created_at", "id")
        else:
            rows = endpoints_for(company=_company_of(request))
        return [(str(e.pk), e.url) for e in rows]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(endpoint_id=int(value))
        return queryset


@admin.register(WebhookDelivery, site=admin_site)
class WebhookDeliveryAdmin(TenantAdmin):
    list_display = (
        "created_at",
        "event_type",
        "endpoint",
        "state",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("state", "event_type", EndpointFilter)
    search_fields = ("event_id",)
    list_select_related = ("endpoint",)
    actions = ("retry_now",)
    fields = (
        "event_id",
        "event_type",
        "endpoint",
        "state",
        "created_at",
        "attempts",
        "last_attempt_at",
        "next_attempt_at",
        "delivered_at",
        "last_status_code",
        "last_error",
        "response",
        "body",
    )
    readonly_fields = fields

    # The outbox is a record: read-only, except for "Retry now".
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Response body")
    def response(self, obj: WebhookDelivery) -> SafeString:
        return format_html("<pre>{}</pre>", obj.last_response_body or "")

    @admin.display(description="Payload")
    def body(self, obj: WebhookDelivery) -> SafeString:
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, indent=2, ensure_ascii=False))

    @admin.action(description="Retry now")
    def retry_now(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        user: Any = request.user
        if user.is_superuser:
            companies = list(Company.objects.filter(pk__in=queryset.values("company_id")))
        else:
            own = _company_of(request)
            companies = [own] if own is not None else []
        count = sum(services.retry_now(company=c, delivery_ids=ids) for c in companies)
        skipped = len(ids) - count
        text = f"{count} deliver{'y' if count == 1 else 'ies'} will be sent again now."
        if skipped:
            text += f" {skipped} already delivered, left as they are."
        self.message_user(request, text, messages.SUCCESS)

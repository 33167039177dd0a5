"""Django's admin, scoped to the signed-in administrator's company.

An administrator (the `administer_company` permission) manages their own
company's settings, campaigns, capacity and users here and sees nothing of any
other company; a superuser of the installation sees every company.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from leadline.accounts.models import Company, User
from leadline.accounts.roles import ADMINISTER_COMPANY, ADMINISTRATOR, ROLE_PRESETS
from leadline.accounts.selectors import role_of
from leadline.accounts.services import set_role


def is_company_admin(user: Any) -> bool:
    return bool(
        user.is_active
        and (user.is_superuser or (user.company_id and user.has_perm(ADMINISTER_COMPANY)))
    )


class LeadlineAdminSite(admin.AdminSite):
    site_header = "Leadline settings"
    site_title = "Leadline settings"
    index_title = "Company settings"
    site_url = "/"

    def has_permission(self, request: HttpRequest) -> bool:
        return is_company_admin(request.user)

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.user.is_authenticated and not self.has_permission(request):
            # Signed in without the right: the sign-in page would send them straight back.
            raise PermissionDenied
        # One sign-in page for the whole product.
        target = request.GET.get("next") or reverse("admin:index")
        return HttpResponseRedirect(f"{reverse('login')}?{urlencode({'next': target})}")


admin_site = LeadlineAdminSite(name="admin")


class TenantAdmin(admin.ModelAdmin):
    """A model admin that shows and writes only the administrator's own company."""

    tenant_field = "company"

    def _own(self, request: HttpRequest) -> bool:
        return is_company_admin(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._own(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._own(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._own(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._own(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._own(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        user: Any = request.user
        if user.is_superuser:
            return qs
        return qs.filter(**{f"{self.tenant_field}_id": user.company_id})

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        excluded = list(super().get_exclude(request, obj) or [])
        if not getattr(request.user, "is_superuser", False):
            excluded.append(self.tenant_field)
        return excluded

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        user: Any = request.user
        if not user.is_superuser:
            setattr(obj, f"{self.tenant_field}_id", user.company_id)
        super().save_model(request, obj, form, change)

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        user: Any = request.user
        related = db_field.related_model
        if not user.is_superuser and related is not None:
            if related is Company:
                kwargs["queryset"] = Company.objects.filter(pk=user.company_id)
            elif any(f.name == "company" for f in related._meta.get_fields()):
                kwargs["queryset"] = related._default_manager.filter(company_id=user.company_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


_ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
_SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")
_E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")


class CompanyForm(forms.ModelForm):
    """Company settings; the Twilio Auth Token is write-only (never sent back to the page)."""

    twilio_auth_token = forms.CharField(
        label="Twilio Auth Token",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Leave empty to keep the saved token. A saved token is never shown.",
    )
    forget_twilio_auth_token = forms.BooleanField(
        label="Remove the saved Auth Token", required=False
    )
    sending_problem_handled = forms.BooleanField(
        label="The sending problem is handled (hide the notice)", required=False
    )

    class Meta:
        model = Company
        # The admin passes its own field list; these are the ones this form adds rules to.
        fields = ("provider", "twilio_account_sid", "twilio_auth_token", "twilio_from")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        saved = bool(self.instance.pk and self.instance.twilio_auth_token)
        self.fields["twilio_auth_token"].help_text = (
            "A token is saved (hidden). Type a new one to replace it."
            if saved
            else "No token saved: the installation's account is used."
        )

    def clean_twilio_auth_token(self) -> str:
        typed: str = self.cleaned_data.get("twilio_auth_token") or ""
        return typed or (self.instance.twilio_auth_token if self.instance.pk else "")

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("forget_twilio_auth_token"):
            cleaned["twilio_auth_token"] = ""
        sid = (cleaned.get("twilio_account_sid") or "").strip()
        sender = (cleaned.get("twilio_from") or "").strip()
        if sid and not _ACCOUNT_SID.match(sid):
            self.add_error("twilio_account_sid", "An Account SID is AC followed by 32 characters.")
        if sid and not cleaned.get("twilio_auth_token"):
            self.add_error("twilio_auth_token", "An own Twilio account needs its Auth Token.")
        if cleaned.get("twilio_auth_token") and not sid:
            self.add_error("twilio_account_sid", "Give the Account SID the token belongs to.")
        if sid and not sender:
            self.add_error("twilio_from", "An own Twilio account needs its own number or service.")
        if sender and not (_E164.match(sender) or _SERVICE_SID.match(sender)):
            self.add_error(
                "twilio_from",
                "Use a number in E.164 (+15125550100) or a Messaging Service SID (MG...).",
            )
        cleaned["twilio_account_sid"] = sid
        cleaned["twilio_from"] = sender
        return cleaned

    def save(self, commit: bool = True) -> Any:
        company = super().save(commit=False)
        company.twilio_auth_token = self.cleaned_data.get("twilio_auth_token", "")
        if self.cleaned_data.get("sending_problem_handled"):
            company.sending_problem = ""
            company.sending_problem_at = None
        if commit:
            company.save()
        return company


@admin.register(Company, site=admin_site)
class CompanyAdmin(admin.ModelAdmin):
    form = CompanyForm
    list_display = ("name", "phone", "time_zone")
    fields = (
        "name",
        "phone",
        "time_zone",
        "service_area_zips",
        "trades",
        "prices",
        "brands",
        "business_hours",
        "high_activity_messages",
        "high_activity_minutes",
        "outreach_window",
        "provider",
        "twilio_account_sid",
        "twilio_auth_token",
        "forget_twilio_auth_token",
        "twilio_from",
        "sending_problem_notice",
        "sending_problem_handled",
    )
    readonly_fields = ("sending_problem_notice",)
    formfield_overrides = {
        models.JSONField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 80})}
    }

    @admin.display(description="Sending problem")
    def sending_problem_notice(self, obj: Company) -> str:
        if not obj.sending_problem:
            return "None reported"
        when = (
            obj.sending_problem_at.strftime("%Y-%m-%d %H:%M UTC") if obj.sending_problem_at else ""
        )
        return f"{obj.sending_problem} ({when})" if when else obj.sending_problem

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        company = self.get_queryset(request).filter(pk=object_id).first()
        if request.method == "GET" and company is not None and company.sending_problem:
            # The carrier blocks the company's texts: say so where administrators look.
            messages.warning(request, f"Texts are not getting through: {company.sending_problem}")
        return super().change_view(request, object_id, form_url, extra_context)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(self.fields or [])
        if getattr(request.user, "is_superuser", False):
            fields.insert(1, "slug")
        return fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_company_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_company_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_company_admin(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Company]:
        user: Any = request.user
        qs = super().get_queryset(request)
        return qs if user.is_superuser else qs.filter(pk=user.company_id)


class UserForm(forms.ModelForm):
    role = forms.ChoiceField(choices=[(r, r) for r in ROLE_PRESETS])
    # Not named `password`: the admin would copy it onto the stored hash of User.password.
    new_password = forms.CharField(
        label="Password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        required=False,
        help_text="Required for a new user; leave empty to keep the current password.",
    )

    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "is_active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["role"].initial = role_of(user=self.instance)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        user = self.instance
        stays_admin = cleaned.get("role") == ADMINISTRATOR and cleaned.get("is_active", True)
        if user.pk and user.company_id and not stays_admin and role_of(user=user) == ADMINISTRATOR:
            others = (
                User.objects.filter(
                    company_id=user.company_id, is_active=True, groups__name=ADMINISTRATOR
                )
                .exclude(pk=user.pk)
                .exists()
            )
            if not others:
                # Without an administrator nobody could change settings or users again.
                raise forms.ValidationError(
                    "This is the company's last active Administrator. "
                    "Make someone else an Administrator first."
                )
        return cleaned

    def clean_new_password(self) -> str:
        password: str = self.cleaned_data.get("new_password") or ""
        if not self.instance.pk and not password:
            raise forms.ValidationError("A new user needs a password.")
        if password and len(password) < 8:
            raise forms.ValidationError("Use at least 8 characters.")
        return password


@admin.register(User, site=admin_site)
class UserAdmin(TenantAdmin):
    form = UserForm
    list_display = ("email", "first_name", "last_name", "role", "is_active")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        return None

    @admin.display(description="Role")
    def role(self, obj: User) -> str:
        return role_of(user=obj) or "-"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deactivate instead: their notes, tasks and takeovers stay attributed.
        return bool(getattr(request.user, "is_superuser", False))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor: Any = request.user
        if not actor.is_superuser:
            obj.company_id = actor.company_id
            obj.is_superuser = False
        obj.username = obj.email
        password = form.cleaned_data.get("new_password")
        if password:
            obj.set_password(password)
        super(TenantAdmin, self).save_model(request, obj, form, change)
        set_role(user=obj, role=form.cleaned_data["role"])

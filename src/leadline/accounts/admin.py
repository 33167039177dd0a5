"""Django's admin, scoped to the signed-in administrator's company.

An administrator (the `administer_company` permission) manages their own
company's settings, campaigns, capacity and users here and sees nothing of any
other company; a superuser of the installation sees every company.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
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


@admin.register(Company, site=admin_site)
class CompanyAdmin(admin.ModelAdmin):
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
    )
    formfield_overrides = {
        models.JSONField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 80})}
    }

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

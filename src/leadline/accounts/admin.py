"""Django's admin, scoped to the signed-in administrator's company.

An administrator (the `administer_company` permission) manages their own
company's settings, campaigns, capacity and users here and sees nothing of any
other company; a superuser of the installation sees every company.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
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


def _installation(name: str) -> str:
    return str(getattr(settings, name, "") or "").strip()


class CompanyForm(forms.ModelForm):
    """Company settings; the Twilio Auth Token is write-only (never sent back to the page).

    A company either brings its own Twilio account (SID, token and its own sender) or
    uses the installation's: then its sender is blank (the installation's number, for
    one company only) or one of the installation's numbers that a superuser gave it.
    A sender is never another company's, nor the installation's LEADLINE_TWILIO_FROM:
    Twilio's webhooks find the company by the number that was called.
    """

    # Set by CompanyAdmin from the signed-in user; a plain form is an administrator's.
    by_superuser = False

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
        if _SERVICE_SID.match(sender):
            # Twilio writes SIDs in lower case: one service, one spelling, one owner.
            sender = "MG" + sender[2:].lower()
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
        if "twilio_from" not in self.errors:
            self._check_sender(sender, own_account=bool(sid))
        twilio_fields = ("twilio_account_sid", "twilio_auth_token", "twilio_from")
        if "provider" in cleaned and not any(name in self.errors for name in twilio_fields):
            self._check_provider(cleaned, own_account=bool(sid))
        return cleaned

    def _check_sender(self, sender: str, *, own_account: bool) -> None:
        """The sender is nobody else's; on the installation's account a superuser chose it."""
        if not sender:
            return
        if sender == _installation("LEADLINE_TWILIO_FROM"):
            self.add_error(
                "twilio_from",
                "This is the installation's own number: leave the sender empty to use it.",
            )
            return
        others = Company.objects.filter(twilio_from=sender)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            self.add_error("twilio_from", "Another company already sends from this number.")
            return
        saved = self.instance
        given_by_operator = bool(
            saved.pk
            and saved.twilio_from == sender
            and not (saved.twilio_account_sid and saved.twilio_auth_token)
        )
        if not own_account and not self.by_superuser and not given_by_operator:
            self.add_error(
                "twilio_from",
                "Only the installation's operator can give a company one of the installation's "
                "numbers. Leave the sender empty to use the installation's number, or enter "
                "your own Account SID and Auth Token with your own number.",
            )

    def _check_provider(self, cleaned: dict[str, Any], *, own_account: bool) -> None:
        """Twilio is chosen only when it can work: credentials, a public address, a number."""
        provider = cleaned.get("provider") or ""
        on_twilio = provider == "twilio" or (
            provider == "" and _installation("LEADLINE_PROVIDER").lower() == "twilio"
        )
        if not on_twilio:
            return
        sender = cleaned.get("twilio_from") or ""
        if provider == "twilio":
            if own_account:
                complete = bool(cleaned.get("twilio_auth_token") and sender)
            else:
                complete = all(
                    _installation(name)
                    for name in ("LEADLINE_TWILIO_ACCOUNT_SID", "LEADLINE_TWILIO_AUTH_TOKEN")
                ) and bool(sender or _installation("LEADLINE_TWILIO_FROM"))
            if not complete:
                self.add_error(
                    "provider",
                    "Twilio is not set up for this company: enter its Account SID, Auth Token "
                    "and sender, or ask the installation's operator to set LEADLINE_TWILIO_*.",
                )
                return
            if not _installation("LEADLINE_PUBLIC_URL"):
                self.add_error(
                    "provider",
                    "Twilio needs the installation's public address (LEADLINE_PUBLIC_URL) to "
                    "deliver replies and call progress: ask the installation's operator to set it.",
                )
                return
        if own_account or sender:
            return
        self._check_default_number_is_free()

    def _check_default_number_is_free(self) -> None:
        # Inbound texts and calls to the installation's number reach its only company;
        # a second one would make them reach nobody.
        saved = self.instance
        uses_twilio = Q(provider="twilio")
        if _installation("LEADLINE_PROVIDER").lower() == "twilio":
            uses_twilio |= Q(provider="")
        on_default = Company.objects.filter(
            uses_twilio,
            Q(twilio_account_sid="") | Q(twilio_auth_token=""),
            twilio_from="",
        )
        if saved.pk:
            if on_default.filter(pk=saved.pk).exists():
                return  # already there: nothing changes
            on_default = on_default.exclude(pk=saved.pk)
        if on_default.exists():
            self.add_error(
                "twilio_from",
                "Another company already uses the installation's number. Connect your own "
                "Twilio account with your own number, or ask the installation's operator for "
                "a number of your own.",
            )

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

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        superuser = bool(getattr(request.user, "is_superuser", False))
        # The sender rules differ for the installation's operator (CompanyForm).
        return type(form.__name__, (form,), {"by_superuser": superuser})

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

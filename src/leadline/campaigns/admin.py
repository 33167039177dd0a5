from itertools import pairwise
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from leadline.accounts.admin import TenantAdmin, admin_site
from leadline.accounts.models import User
from leadline.campaigns.models import Campaign
from leadline.campaigns.services import set_campaign_enabled
from leadline.capacity.job_types import JOB_TYPES
from leadline.kit.durations import parse_duration


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = (
            "name",
            "goal",
            "channel",
            "skills",
            "cadence",
            "abandon_after",
            "escalation_rules",
            "enabled",
        )

    def clean_skills(self) -> list[str]:
        skills = self.cleaned_data.get("skills") or []
        if not isinstance(skills, list) or not all(isinstance(s, str) for s in skills):
            raise forms.ValidationError('Give a list of job types, e.g. ["ac_repair"].')
        unknown = [s for s in skills if s not in JOB_TYPES]
        if unknown:
            raise forms.ValidationError(
                f"Unknown job types: {', '.join(unknown)}. Known: {', '.join(JOB_TYPES)}."
            )
        return skills

    def clean_cadence(self) -> list[str]:
        cadence = self.cleaned_data.get("cadence")
        if not isinstance(cadence, list) or not cadence:
            raise forms.ValidationError('Give a list of offsets, e.g. ["0m", "1h", "1d", "3d"].')
        try:
            offsets = [parse_duration(str(step)) for step in cadence]
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if any(later <= earlier for earlier, later in pairwise(offsets)):
            raise forms.ValidationError("Each touch must come after the one before it.")
        return [str(step) for step in cadence]

    def clean_abandon_after(self) -> str:
        value = str(self.cleaned_data.get("abandon_after") or "")
        try:
            parse_duration(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return value


@admin.register(Campaign, site=admin_site)
class CampaignAdmin(TenantAdmin):
    form = CampaignForm
    list_display = ("name", "goal", "channel", "enabled")
    list_filter = ("goal", "channel", "enabled")
    formfield_overrides = {
        models.JSONField: {"widget": forms.Textarea(attrs={"rows": 4, "cols": 80})}
    }

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "enabled" in form.changed_data and not obj.enabled:
            # Switching off ends what the campaign still has open (Terminated), like the API.
            actor = request.user if isinstance(request.user, User) else None
            set_campaign_enabled(campaign=obj, enabled=False, actor=actor)

from django import forms
from django.contrib import admin
from django.db import models

from leadline.accounts.admin import TenantAdmin, admin_site
from leadline.campaigns.models import Campaign


@admin.register(Campaign, site=admin_site)
class CampaignAdmin(TenantAdmin):
    list_display = ("name", "goal", "channel", "enabled")
    list_filter = ("goal", "channel", "enabled")
    formfield_overrides = {
        models.JSONField: {"widget": forms.Textarea(attrs={"rows": 4, "cols": 80})}
    }

from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "leadline.campaigns"
    label = "campaigns"

from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "leadline.crm"
    label = "crm"

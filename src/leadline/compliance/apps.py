from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "leadline.compliance"
    label = "compliance"

from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "leadline.interactions"
    label = "interactions"

from django.apps import AppConfig


class CapacityConfig(AppConfig):
    name = "leadline.capacity"
    label = "capacity"

from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "leadline.channels"
    label = "channels"
    verbose_name = "Channels"

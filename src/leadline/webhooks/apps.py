"""Webhooks out: signed deliveries of interaction events to the endpoints a company registers."""

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "leadline.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from leadline.interactions.models import InteractionEvent
        from leadline.interactions.signals import event_recorded
        from leadline.webhooks.receivers import on_event_recorded

        event_recorded.connect(
            on_event_recorded, sender=InteractionEvent, dispatch_uid="webhooks.on_event_recorded"
        )

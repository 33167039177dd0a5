"""Follows the timeline: every recorded event may become webhook deliveries."""

from __future__ import annotations

from typing import Any

from leadline.interactions.models import InteractionEvent


def on_event_recorded(sender: Any, *, event: InteractionEvent, **kwargs: Any) -> None:
    # Imported here: the app registry is ready by the time a signal fires.
    from leadline.webhooks.services import record_webhook_events

    record_webhook_events(event=event)

"""Background entry point of webhooks out: one attempt at one delivery."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_webhook(delivery_id: int) -> str:
    """POST one delivery to its endpoint if it is due, and record the answer."""
    from leadline.webhooks import services

    return services.attempt_delivery(delivery_id=delivery_id)

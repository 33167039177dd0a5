"""Webhook endpoints a company registers, and one outbox row per event and endpoint."""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.core.validators import URLValidator
from django.db import models

from leadline.accounts.models import Company
from leadline.kit import clock
from leadline.kit.tenancy import CompanyManager


class EventType(models.TextChoices):
    STATUS_CHANGED = "interaction.status_changed", "Interaction status changed"
    ESCALATED = "interaction.escalated", "Interaction escalated"
    CONVERTED = "interaction.converted", "Interaction converted"
    OPTED_OUT = "lead.opted_out", "Lead opted out"
    MESSAGE_RECEIVED = "message.received", "Message received from the lead"


EVENT_TYPES: tuple[str, ...] = tuple(EventType.values)

SECRET_PREFIX = "whsec_"  # noqa: S105 - a label in front of the random part


def generate_secret() -> str:
    """A new signing secret: the whole string, prefix included, is the HMAC key."""
    return SECRET_PREFIX + secrets.token_hex(32)


http_url = URLValidator(schemes=["http", "https"], message="Enter an http:// or https:// URL.")


class WebhookEndpoint(models.Model):
    """A URL of the company's own systems that receives the events it subscribed to."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField("URL", max_length=500, validators=[http_url])
    secret = models.CharField(max_length=80, default=generate_secret, editable=False)
    events = models.JSONField(default=list, help_text="The event types sent to this URL.")
    enabled = models.BooleanField(default=True)
    description = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects: ClassVar = CompanyManager()

    class Meta:
        verbose_name = "webhook endpoint"
        ordering: ClassVar = ["created_at", "id"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return bool(self.enabled and event_type in (self.events or []))


class WebhookDelivery(models.Model):
    """One event to one endpoint: the outbox row, its attempts and the last response.

    The row is written in the transaction of the event itself, so an event that
    happened is never lost and one that rolled back is never sent. `event_id` is the
    same on every attempt and for every endpoint that receives the event.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField("event id")
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    payload = models.JSONField()
    # The timeline row the event came from (its id is the payload's `sequence`).
    source_event_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_response_body = models.TextField(blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar = CompanyManager()

    class Meta:
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_event_once")
        ]
        indexes: ClassVar = [
            models.Index(fields=["company", "-created_at"], name="ix_webhook_recent"),
            models.Index(fields=["state", "next_attempt_at"], name="ix_webhook_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} ({self.state})"

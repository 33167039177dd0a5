"""What the channels keep of their own: the carrier webhooks already taken in."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from leadline.accounts.models import Company
from leadline.kit.tenancy import CompanyManager


class WebhookReceipt(models.Model):
    """A carrier webhook id (e.g. an inbound MessageSid) that has been taken in once.

    The unique key, not a look-up first, makes a retried or concurrent second
    delivery of the same webhook a no-op: its insert fails and its transaction
    stores nothing.
    """

    class Kind(models.TextChoices):
        INBOUND_SMS = "inbound_sms", "Inbound text"

    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    provider = models.CharField(max_length=20, default="twilio")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    external_id = models.CharField(max_length=64)
    received_at = models.DateTimeField()

    objects: ClassVar = CompanyManager()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["provider", "kind", "external_id"], name="webhook_receipt_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.kind} {self.external_id}"

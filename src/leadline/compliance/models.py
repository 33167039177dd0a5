"""The opt-out registry: numbers a company must not contact automatically."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from leadline.accounts.models import Company
from leadline.kit.tenancy import CompanyManager


class OptOut(models.Model):
    """One phone number that opted out of one company's automated messages and calls."""

    class Method(models.TextChoices):
        KEYWORD = "keyword", "Keyword (STOP, ...)"
        WORDS = "words", "Request in words"
        WRONG_NUMBER = "wrong_number", "Wrong number"
        CARRIER = "carrier", "Carrier report (21610)"
        MANUAL = "manual", "Entered by a team member"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="opt_outs")
    phone = models.CharField(max_length=20)
    opted_out_at = models.DateTimeField()
    method = models.CharField(max_length=20, choices=Method.choices)
    raw_text = models.TextField(blank=True)
    # A later START/UNSTOP/YES re-subscribes; the row stays as the record of both.
    active = models.BooleanField(default=True)
    resubscribed_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar = CompanyManager()

    class Meta:
        verbose_name = "opt-out"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["company", "phone"], name="opt_out_one_per_number")
        ]

    def __str__(self) -> str:
        return f"{self.phone} ({'opted out' if self.active else 're-subscribed'})"

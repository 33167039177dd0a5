"""API tokens (stored hashed) and the per-token request counters of the rate limit."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from leadline.accounts.models import Company
from leadline.kit.tenancy import CompanyManager


class ApiToken(models.Model):
    """A bearer token that acts as its user: the user's company and permissions, nothing more.

    Only the SHA-256 of the whole token is kept; the `prefix` (its public first part)
    finds the row and tells tokens apart in the admin. The secret is shown once.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects: ClassVar = CompanyManager()

    class Meta:
        verbose_name = "API token"
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name or 'API token'} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class RateWindow(models.Model):
    """How many requests a token made in one fixed minute.

    Kept in the database so that the limit holds across every web process.
    """

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["token", "window_start"], name="rate_window_once")
        ]

    def __str__(self) -> str:
        return f"{self.token_id} @ {self.window_start:%H:%M}: {self.count}"

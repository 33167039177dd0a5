"""Campaigns: what the agent is trying to do, on which channel, with which skills and rules."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

from leadline.accounts.models import Company
from leadline.kit.tenancy import CompanyManager


class Goal(models.TextChoices):
    SPEED_TO_LEAD = "speed_to_lead", "Speed to Lead"
    INBOUND_SMS = "inbound_sms", "Inbound SMS"


class Channel(models.TextChoices):
    SMS = "sms", "SMS Agent"
    VOICE = "voice", "Voice Agent"


# Offsets from the first touch: immediately, +1 hour, +1 day, +3 days.
DEFAULT_CADENCE = ["0m", "1h", "1d", "3d"]
DEFAULT_ABANDON_AFTER = "24h"


def default_cadence() -> list[str]:
    return list(DEFAULT_CADENCE)


def default_escalation_rules() -> dict[str, Any]:
    return {
        "human_request": {"enabled": True},
        "negative_sentiment": {"enabled": True, "threshold": -0.5},
        "skill_handling": {"enabled": True},
        "availability": {"enabled": True, "horizon_days": 14},
        "agent_issue": {"enabled": True, "misunderstood_in_a_row": 3},
    }


class Campaign(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=200)
    goal = models.CharField(max_length=20, choices=Goal.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    skills = models.JSONField(default=list, blank=True, help_text="Job types the agent may book.")
    cadence = models.JSONField(
        default=default_cadence,
        blank=True,
        help_text='Offsets of each touch from the first, e.g. ["0m", "1h", "1d", "3d"].',
    )
    abandon_after = models.CharField(
        max_length=10,
        default=DEFAULT_ABANDON_AFTER,
        help_text="How long after the last follow-up a silent lead is Abandoned.",
    )
    escalation_rules = models.JSONField(default=default_escalation_rules, blank=True)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar = CompanyManager()

    class Meta:
        ordering: ClassVar = ["name"]
        indexes: ClassVar = [
            models.Index(fields=["company", "goal", "enabled"], name="campaign_goal")
        ]

    def __str__(self) -> str:
        return self.name

"""Arrival windows per trade per day, and the rule that generates them."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import F, Q

from leadline.accounts.models import TRADES, Company
from leadline.kit.tenancy import CompanyManager

WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


class CapacityRule(models.Model):
    """The usual week: on this weekday, this trade has an arrival window with N slots."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="capacity_rules")
    trade = models.CharField(max_length=20, choices=TRADES)
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS)
    start_time = models.TimeField()
    end_time = models.TimeField()
    slots = models.PositiveSmallIntegerField(default=2)

    objects: ClassVar = CompanyManager()

    class Meta:
        ordering: ClassVar = ["trade", "weekday", "start_time"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["company", "trade", "weekday", "start_time"], name="capacity_rule_unique"
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="capacity_rule_order"
            ),
        ]

    def __str__(self) -> str:
        hours = f"{self.start_time:%H:%M}-{self.end_time:%H:%M}"
        return f"{self.get_trade_display()} {self.get_weekday_display()} {hours}"


class ArrivalWindow(models.Model):
    """One arrival window on one day for one trade, with how many jobs it takes."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="arrival_windows")
    trade = models.CharField(max_length=20, choices=TRADES)
    date = models.DateField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField()
    booked = models.PositiveSmallIntegerField(default=0)

    objects: ClassVar = CompanyManager()

    class Meta:
        ordering: ClassVar = ["starts_at", "trade"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["company", "trade", "starts_at"], name="arrival_window_unique"
            ),
            # The database itself refuses an overbooking, whatever the code above it does.
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="arrival_window_not_overbooked"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="arrival_window_order"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["company", "trade", "starts_at"], name="arrival_window_lookup")
        ]

    def __str__(self) -> str:
        return f"{self.get_trade_display()} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)

"""Customers, leads, opportunities, jobs, notes and follow-up tasks."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from leadline.accounts.models import Company
from leadline.capacity.job_types import JOB_TYPE_CHOICES
from leadline.kit.tenancy import CompanyManager


class Customer(models.Model):
    """A household the company has served or is serving."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="customers")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    zip = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField()

    objects: ClassVar = CompanyManager()

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["company", "phone"], name="customer_company_phone")
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Lead(models.Model):
    """A person who asked for service (web form, API, inbound text)."""

    class Source(models.TextChoices):
        WEB_FORM = "web_form", "Web form"
        API = "api", "API"
        INBOUND_SMS = "inbound_sms", "Inbound SMS"
        PHONE = "phone", "Phone"
        REFERRAL = "referral", "Referral"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="leads")
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    # E.164 when the number is valid; otherwise the digits as given (the agent then fails).
    phone = models.CharField(max_length=20)
    email = models.EmailField(blank=True)
    zip = models.CharField(max_length=10, blank=True)
    address = models.CharField(max_length=300, blank=True)
    note = models.TextField(blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.WEB_FORM)
    created_at = models.DateTimeField()
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_leads"
    )
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Set by a takeover: from this moment the agent sends nothing to this lead.
    agent_paused_at = models.DateTimeField(null=True, blank=True)
    agent_paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects: ClassVar = CompanyManager()

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["company", "phone"], name="lead_company_phone"),
            models.Index(fields=["company", "-created_at"], name="lead_company_created"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.phone

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Opportunity(models.Model):
    """A sale in progress for a customer (a replacement estimate, say)."""

    class Stage(models.TextChoices):
        OPEN = "open", "Open"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="opportunities")
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="opportunities"
    )
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="opportunities"
    )
    title = models.CharField(max_length=200)
    job_type = models.CharField(max_length=60, choices=JOB_TYPE_CHOICES, blank=True)
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.OPEN)
    estimated_value = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField()

    objects: ClassVar = CompanyManager()

    class Meta:
        verbose_name_plural = "opportunities"

    def __str__(self) -> str:
        return self.title


class Job(models.Model):
    """A booking: a job type in an arrival window, booked by the agent or a person."""

    class BookedBy(models.TextChoices):
        AGENT = "agent", "Agent"
        HUMAN = "human", "Human"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        COMPLETED = "completed", "Completed"
        CANCELED = "canceled", "Canceled"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="jobs")
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    opportunity = models.ForeignKey(
        Opportunity, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    interaction = models.ForeignKey(
        "interactions.Interaction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    job_type = models.CharField(max_length=60, choices=JOB_TYPE_CHOICES)
    arrival_window = models.ForeignKey(
        "capacity.ArrivalWindow", on_delete=models.PROTECT, related_name="jobs"
    )
    arrival_start = models.DateTimeField()
    arrival_end = models.DateTimeField()
    booked_by = models.CharField(max_length=10, choices=BookedBy.choices)
    booked_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    created_at = models.DateTimeField()

    objects: ClassVar = CompanyManager()

    def __str__(self) -> str:
        return f"{self.get_job_type_display()} at {self.arrival_start:%Y-%m-%d %H:%M}"


class Note(models.Model):
    """A note a person logged on a lead."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="notes")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField()

    objects: ClassVar = CompanyManager()

    def __str__(self) -> str:
        return self.body[:60]


class Task(models.Model):
    """A follow-up task on a lead, assigned to a teammate."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="tasks")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    objects: ClassVar = CompanyManager()

    class Meta:
        indexes: ClassVar = [
            models.Index(
                fields=["company", "assignee", "done", "due_date"], name="task_assignee_open"
            )
        ]

    def __str__(self) -> str:
        return self.title

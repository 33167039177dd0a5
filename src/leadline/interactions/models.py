"""Interactions (one conversation of the agent with a lead), their messages, calls and timeline."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from leadline.accounts.models import Company
from leadline.campaigns.models import Campaign, Channel, Goal
from leadline.crm.models import Customer, Lead, Opportunity
from leadline.interactions import statuses
from leadline.kit.tenancy import CompanyManager


class RecordType(models.TextChoices):
    LEAD = "lead", "Lead"
    CUSTOMER = "customer", "Customer"
    OPPORTUNITY = "opportunity", "Opportunity"


class Engagement(models.TextChoices):
    NONE = "", "None"
    HOT = "hot", "Hot"
    WARM = "warm", "Warm"
    COOL = "cool", "Cool"
    COLD = "cold", "Cold"


class Author(models.TextChoices):
    AGENT = "agent", "Agent"
    LEAD = "lead", "Lead"
    HUMAN = "human", "Team member"
    SYSTEM = "system", "System"


# The list's order (newest first; the keyset pages follow it) ...
_LISTED = ("-last_activity_at", "-id")
# ... and what the counters above the list read, after it (see Interaction.Meta).
_COUNTED = ("status_group", "inbound_count", "lead")


class Interaction(models.Model):
    """One conversation of a campaign with one lead, from first touch to outcome.

    The list page filters and sorts a million of these, so what it needs is kept on
    the row (counts, last activity, the lead's name and phone) and indexed per filter.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="interactions")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="interactions")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="interactions")
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="interactions"
    )
    opportunity = models.ForeignKey(
        Opportunity, null=True, blank=True, on_delete=models.SET_NULL, related_name="interactions"
    )
    record_type = models.CharField(
        max_length=12, choices=RecordType.choices, default=RecordType.LEAD
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    goal = models.CharField(max_length=20, choices=Goal.choices)
    status = models.CharField(max_length=32, choices=statuses.CHOICES, default="started")
    status_group = models.CharField(max_length=12, default=statuses.Group.ACTIVE.value)
    escalated = models.BooleanField(default=False)
    engagement = models.CharField(max_length=6, choices=Engagement.choices, blank=True, default="")
    # Copied from the lead so that search and the list need no join.
    lead_name = models.CharField(max_length=201, blank=True)
    lead_phone = models.CharField(max_length=20, blank=True)
    started_at = models.DateTimeField()
    last_activity_at = models.DateTimeField()
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    last_outbound_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    inbound_count = models.PositiveIntegerField(default=0)
    outbound_count = models.PositiveIntegerField(default=0)
    # How many touches of the cadence have gone out (first message included).
    touches_sent = models.PositiveSmallIntegerField(default=0)
    # When the next cadence touch or the abandonment check is due (None when nothing is).
    next_touch_at = models.DateTimeField(null=True, blank=True)
    # What the agent has understood so far (job type, offered windows, ...): the brain's memory.
    agent_state = models.JSONField(default=dict, blank=True)
    summary = models.TextField(blank=True)
    # True only on the lead's first interaction (set when it is started, never later); at
    # most one per lead. The counters count distinct leads as "rows minus the others, plus
    # the leads of the others that have no first row in the set", which reads only the
    # (rare) other rows. False is always safe: such rows are just counted the slow way.
    first_of_lead = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects: ClassVar = CompanyManager()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["lead"], condition=models.Q(first_of_lead=True), name="one_first_per_lead"
            )
        ]
        # The list indexes end with what the counters read (status_group, inbound_count,
        # lead): counting a filtered range then reads the index alone, no table row. SQLite
        # picks such a covering index by itself; PostgreSQL does index-only scans once the
        # table is vacuumed. The columns come after id, so the keyset order is unchanged.
        indexes: ClassVar = [
            models.Index(fields=["company", *_LISTED, *_COUNTED], name="ix_recent_counted"),
            models.Index(
                fields=["company", "status", *_LISTED, *_COUNTED], name="ix_status_counted"
            ),
            models.Index(
                fields=["company", "status_group", *_LISTED, "inbound_count", "lead"],
                name="ix_group_counted",
            ),
            models.Index(fields=["company", "escalated", *_LISTED], name="ix_escalated"),
            models.Index(fields=["company", "goal", *_LISTED, *_COUNTED], name="ix_goal_counted"),
            models.Index(
                fields=["company", "channel", *_LISTED, *_COUNTED], name="ix_channel_counted"
            ),
            models.Index(
                fields=["company", "record_type", *_LISTED, *_COUNTED], name="ix_type_counted"
            ),
            models.Index(fields=["company", "lead_phone"], name="ix_phone"),
            models.Index(fields=["company", "started_at"], name="ix_started"),
            # The rows that are not their lead's first, for the distinct-lead counters.
            models.Index(
                fields=["company", "last_activity_at"],
                condition=models.Q(first_of_lead=False),
                name="ix_not_first",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead_name or self.lead_phone} ({self.status_label})"

    @property
    def status_label(self) -> str:
        return statuses.label_of(self.status)

    @property
    def status_info(self) -> statuses.Status:
        return statuses.get(self.status)

    @property
    def is_open(self) -> bool:
        return self.status in statuses.OPEN_CODES


class InteractionDayCount(models.Model):
    """How many interactions have their last activity on one UTC day, per list filter value.

    Kept exact by database triggers on the interactions table (see interactions.rollup and
    migration 0004), so every write path keeps it, bulk loads and cascades included. The
    counters above the list add these up for the whole days of a time range.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    goal = models.CharField(max_length=20)
    channel = models.CharField(max_length=10)
    record_type = models.CharField(max_length=12)
    status = models.CharField(max_length=32)
    conversations = models.IntegerField(default=0)
    # Of those, how many have at least one inbound message.
    replied = models.IntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["company", "day", "goal", "channel", "record_type", "status"],
                name="interaction_day_count_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.goal}/{self.channel}/{self.record_type} {self.status}"


class Message(models.Model):
    """One text (or, for voice, one spoken turn is a CallTurn instead)."""

    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"

    class Delivery(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        UNDELIVERED = "undelivered", "Undelivered"
        FAILED = "failed", "Failed"
        RECEIVED = "received", "Received"
        UNKNOWN = "unknown", "Unknown"
        BLOCKED = "blocked", "Not sent (compliance)"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    author = models.CharField(max_length=10, choices=Author.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    provider_id = models.CharField(max_length=64, null=True, blank=True)
    delivery_status = models.CharField(
        max_length=12, choices=Delivery.choices, default=Delivery.QUEUED
    )
    error_code = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar = CompanyManager()

    class Meta:
        ordering: ClassVar = ["created_at", "id"]
        indexes: ClassVar = [
            models.Index(fields=["interaction", "created_at"], name="ix_message_thread")
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["company", "provider_id"],
                condition=models.Q(provider_id__isnull=False),
                name="message_provider_id_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:50]}"


class Call(models.Model):
    """One voice call of the Voice Agent, with its transcript turns and recording."""

    class Outcome(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        NO_ANSWER = "no_answer", "No answer"
        BUSY = "busy", "Busy"
        VOICEMAIL = "voicemail", "Voicemail"
        FAILED = "failed", "Failed"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="calls")
    provider_id = models.CharField(max_length=64, null=True, blank=True)
    direction = models.CharField(max_length=10, default="outbound")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.IN_PROGRESS)
    recording_id = models.CharField(max_length=64, blank=True)
    recording_duration = models.PositiveIntegerField(null=True, blank=True)

    objects: ClassVar = CompanyManager()

    class Meta:
        ordering: ClassVar = ["started_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["company", "provider_id"],
                condition=models.Q(provider_id__isnull=False),
                name="call_provider_id_once",
            )
        ]

    def __str__(self) -> str:
        return f"Call {self.started_at:%Y-%m-%d %H:%M} ({self.outcome})"


class CallTurn(models.Model):
    """One spoken turn of a call's transcript."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="turns")
    seq = models.PositiveIntegerField()
    speaker = models.CharField(max_length=10, choices=Author.choices)
    text = models.TextField()
    at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["call", "seq"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["call", "seq"], name="call_turn_seq")
        ]

    def __str__(self) -> str:
        return f"{self.speaker}: {self.text[:50]}"


class InteractionEvent(models.Model):
    """The timeline: every status change and human action, with who and when.

    It is also the audit trail and the feed that live pages follow by id.
    """

    class Kind(models.TextChoices):
        STATUS_CHANGED = "status_changed", "Status changed"
        MESSAGE_IN = "message_in", "Message received"
        MESSAGE_OUT = "message_out", "Message sent"
        DELIVERY = "delivery", "Delivery update"
        CALL = "call", "Call"
        TAKEOVER = "takeover", "Takeover"
        NOTE = "note", "Note"
        TASK = "task", "Task"
        BOOKING = "booking", "Booking"
        OPT_OUT = "opt_out", "Opt-out"
        SYSTEM = "system", "System"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor_kind = models.CharField(max_length=10, choices=Author.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=32, blank=True)
    to_status = models.CharField(max_length=32, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    objects: ClassVar = CompanyManager()

    class Meta:
        ordering: ClassVar = ["id"]
        indexes: ClassVar = [
            models.Index(fields=["company", "id"], name="ix_event_feed"),
            models.Index(fields=["lead", "created_at"], name="ix_event_lead"),
            models.Index(fields=["interaction", "created_at"], name="ix_event_interaction"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.from_status}->{self.to_status}"

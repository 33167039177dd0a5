"""Companies (the tenants), their users, and what each user may do."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models

TRADES = [
    ("hvac", "HVAC"),
    ("plumbing", "Plumbing"),
    ("electrical", "Electrical"),
    ("garage_doors", "Garage doors"),
]


class Company(models.Model):
    """A home-service business: the tenant. Nothing is shared between companies."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    phone = models.CharField(max_length=20, help_text="The office number, E.164 (+15125550100).")
    time_zone = models.CharField(max_length=64, default="America/Chicago")
    service_area_zips = models.JSONField(default=list, blank=True)
    trades = models.JSONField(default=list, blank=True)
    # What the agent may say about prices, brands and hours: the company's own words.
    prices = models.JSONField(default=dict, blank=True)
    brands = models.JSONField(default=list, blank=True)
    business_hours = models.CharField(max_length=200, blank=True)
    high_activity_messages = models.PositiveIntegerField(
        default=5, help_text="Messages within the window that make an interaction High Activity."
    )
    high_activity_minutes = models.PositiveIntegerField(default=60)
    # A company may narrow the quiet-hours window further: {"start": "09:00", "end": "20:00"}.
    outreach_window = models.JSONField(default=dict, blank=True)
    # The carrier: "" follows the installation (LEADLINE_PROVIDER); blank Twilio fields
    # fall back to the installation's LEADLINE_TWILIO_* defaults.
    provider = models.CharField(
        max_length=20,
        blank=True,
        choices=[("", "Installation default"), ("simulator", "Simulator"), ("twilio", "Twilio")],
        help_text="Where texts and calls go. Installation default follows LEADLINE_PROVIDER.",
    )
    twilio_account_sid = models.CharField(
        "Twilio Account SID",
        max_length=64,
        blank=True,
        help_text="AC...; leave empty to use the installation's account.",
    )
    twilio_auth_token = models.CharField("Twilio Auth Token", max_length=128, blank=True)
    twilio_from = models.CharField(
        "Twilio sender",
        max_length=64,
        blank=True,
        help_text="The Twilio number (E.164) or Messaging Service SID (MG...) texts come from.",
    )
    # The last sending-programme problem the carrier reported (Twilio 30007, 30034):
    # shown to administrators on the company settings page until they dismiss it.
    sending_problem = models.CharField(max_length=300, blank=True)
    sending_problem_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "companies"
        constraints: ClassVar = [
            # Twilio's webhooks find the company by the number or service that was
            # called: two companies with one sender would receive each other's leads.
            models.UniqueConstraint(
                fields=["twilio_from"],
                condition=~models.Q(twilio_from=""),
                name="company_twilio_sender_unique",
                violation_error_message="Another company already sends from this number.",
            ),
        ]
        permissions: ClassVar = [
            ("view_customer_chats", "View Customer Chats"),
            ("send_message", "Send Message"),
            ("listen_call_recording", "Listen to Call Recording"),
            ("administer_company", "Administer company"),
        ]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("a user needs an email address")
        email = self.normalize_email(email).lower()
        extra.setdefault("username", email)
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in with an email address."""

    email = models.EmailField(unique=True)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.CASCADE, related_name="users"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def save(self, *args: object, **kwargs: object) -> None:
        self.email = (self.email or "").lower()
        if not self.username:
            self.username = self.email
        super().save(*args, **kwargs)  # type: ignore[arg-type]

"""Writes of the API app: issuing and revoking tokens, counting requests for the rate limit."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F

from leadline.accounts.models import User
from leadline.api.models import ApiToken, RateWindow
from leadline.kit import clock
from leadline.kit.errors import DomainError

# What every token starts with, so a leaked one is recognisable (not a secret).
TOKEN_PREFIX = "ll"  # noqa: S105
NAME_MAX_LENGTH = 100
# last_used_at is written at most this often per token: a busy integration would
# otherwise turn every read into a write.
LAST_USED_GRANULARITY = timedelta(minutes=1)


def hash_secret(token: str) -> str:
    """The SHA-256 (hex) of a whole token: what the database keeps."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def split_token(token: str) -> tuple[str, str] | None:
    """(prefix, secret) of a token written as ll_<prefix>_<secret>, or None."""
    parts = (token or "").strip().split("_")
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


@dataclass(frozen=True)
class IssuedToken:
    """A new token and its secret, which is shown this once and never stored."""

    token: ApiToken
    secret: str


@transaction.atomic
def create_token(*, user: User, name: str = "") -> IssuedToken:
    """Issue a token that acts as `user` (an active user of a company)."""
    if not user.is_active:
        raise DomainError(f"{user.email} is deactivated; a token would not work")
    if user.company_id is None:
        raise DomainError(f"{user.email} belongs to no company; an API token acts for a company")
    label = (name or "").strip()
    if len(label) > NAME_MAX_LENGTH:
        raise DomainError(f"A token name can be at most {NAME_MAX_LENGTH} characters long")
    while True:
        # Hex keeps "_" out of the parts, so the token splits back unambiguously.
        prefix = secrets.token_hex(6)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_hex(24)}"
    token = ApiToken.objects.create(
        company_id=user.company_id,
        user=user,
        name=label,
        prefix=prefix,
        secret_hash=hash_secret(secret),
        created_at=clock.now(),
    )
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def revoke_token(*, token: ApiToken) -> ApiToken:
    """Revoke a token at once (kept for the record); revoking twice changes nothing."""
    now = clock.now()
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    token.refresh_from_db(fields=["revoked_at"])
    return token


def authenticate(*, secret: str) -> ApiToken | None:
    """The live token with this secret whose user is active in its company, else None.

    Marks the token used (at most once a minute).
    """
    parts = split_token(secret)
    if parts is None:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__company", "company")
        .filter(prefix=parts[0])
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, hash_secret(secret.strip())):
        return None
    user = token.user
    if token.revoked_at is not None or not user.is_active or user.company_id != token.company_id:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@dataclass(frozen=True)
class RateVerdict:
    allowed: bool
    count: int
    retry_after: int  # whole seconds until the window ends


def count_request(*, token: ApiToken, limit: int) -> RateVerdict:
    """Count one request of the token in the current fixed minute and say if it may run."""
    now = clock.now()
    start = now.replace(second=0, microsecond=0)
    retry_after = max(1, int((start + timedelta(minutes=1) - now).total_seconds() + 0.999))
    with transaction.atomic():
        updated = RateWindow.objects.filter(token=token, window_start=start).update(
            count=F("count") + 1
        )
        if not updated:
            try:
                with transaction.atomic():
                    RateWindow.objects.create(token=token, window_start=start, count=1)
            except IntegrityError:
                # Another process opened the window first: count in it.
                RateWindow.objects.filter(token=token, window_start=start).update(
                    count=F("count") + 1
                )
            else:
                # A new minute: the token's older windows are of no more use.
                RateWindow.objects.filter(token=token, window_start__lt=start).delete()
        count = (
            RateWindow.objects.filter(token=token, window_start=start)
            .values_list("count", flat=True)
            .first()
            or 0
        )
    return RateVerdict(allowed=count <= limit, count=count, retry_after=retry_after)

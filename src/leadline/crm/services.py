"""Writes of the CRM: leads coming in, and leads going away (deleted or merged)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from leadline.accounts.models import Company, User
from leadline.crm.models import Lead
from leadline.interactions.models import Author
from leadline.interactions.services import record_event, terminate_open_interactions
from leadline.kit import clock
from leadline.kit.errors import DomainError
from leadline.kit.phone import normalise_phone


@transaction.atomic
def create_lead(
    *,
    company: Company,
    phone: str,
    source: str = Lead.Source.WEB_FORM,
    first_name: str = "",
    last_name: str = "",
    zip: str = "",
    note: str = "",
    email: str = "",
    address: str = "",
    created_at: datetime | None = None,
) -> Lead:
    """Record a new lead; the number is kept in E.164 when it is valid, as typed otherwise."""
    return Lead.objects.create(
        company=company,
        phone=normalise_phone(phone),
        source=source,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        zip=zip.strip(),
        note=note.strip(),
        email=email.strip(),
        address=address.strip(),
        created_at=created_at or clock.now(),
    )


@transaction.atomic
def delete_lead(*, lead: Lead, actor: User | None = None) -> Lead:
    """Delete a lead (kept for the record): whatever is open with it is Terminated."""
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    if locked.deleted_at is None:
        locked.deleted_at = clock.now()
        locked.save(update_fields=["deleted_at"])
    lead.deleted_at = locked.deleted_at
    terminate_open_interactions(lead=locked, reason="The lead was deleted")
    record_event(
        interaction=None,
        lead=locked,
        kind="system",
        actor_kind=Author.HUMAN if actor else Author.SYSTEM,
        actor=actor,
        detail="Lead deleted",
    )
    return lead


@transaction.atomic
def merge_leads(*, source: Lead, target: Lead, actor: User | None = None) -> Lead:
    """Merge a duplicate lead into another: the duplicate's open interactions are Terminated."""
    if source.pk == target.pk:
        raise DomainError("A lead cannot be merged into itself")
    if source.company_id != target.company_id:
        raise DomainError("Leads of different companies cannot be merged")
    locked = Lead.objects.select_for_update().get(pk=source.pk)
    locked.merged_into = target
    locked.save(update_fields=["merged_into"])
    source.merged_into = target
    terminate_open_interactions(
        lead=locked, reason=f"The lead was merged into {target.full_name or target.phone}"
    )
    record_event(
        interaction=None,
        lead=locked,
        kind="system",
        actor_kind=Author.HUMAN if actor else Author.SYSTEM,
        actor=actor,
        detail=f"Merged into lead #{target.pk}",
        data={"merged_into": target.pk},
    )
    return target

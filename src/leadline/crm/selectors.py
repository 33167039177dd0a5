"""Reads of the CRM; every query starts from the company."""

from __future__ import annotations

from django.db.models import QuerySet

from leadline.accounts.models import Company
from leadline.crm.models import Lead
from leadline.kit.errors import NotFound


def leads_for(*, company: Company) -> QuerySet[Lead]:
    """The company's leads that are not deleted, newest first."""
    return Lead.objects.for_company(company).filter(deleted_at__isnull=True).order_by("-created_at")


def get_lead(*, company: Company, lead_id: int) -> Lead:
    """One lead of the company; NotFound for any other id."""
    try:
        return leads_for(company=company).get(pk=lead_id)
    except (Lead.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("no such lead") from exc


def find_lead_by_phone(*, company: Company, phone: str) -> Lead | None:
    """The lead with this number (E.164), following merges to the surviving lead."""
    lead = leads_for(company=company).filter(phone=phone).first()
    seen: set[int] = set()
    while lead is not None and lead.merged_into_id is not None and lead.pk not in seen:
        seen.add(lead.pk)
        lead = Lead.objects.for_company(company).filter(pk=lead.merged_into_id).first()
    return lead

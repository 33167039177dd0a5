"""Reads the API needs beyond the domain's own selectors; every query starts from the company."""

from __future__ import annotations

from django.db.models import F, Prefetch, QuerySet

from leadline.accounts.models import Company, User
from leadline.accounts.selectors import company_users
from leadline.campaigns.models import Campaign
from leadline.crm.models import Lead, Note, Task
from leadline.crm.selectors import get_lead, leads_for
from leadline.interactions.models import Interaction
from leadline.kit.errors import NotFound


def _with_interactions(company: Company, leads: QuerySet[Lead]) -> QuerySet[Lead]:
    return leads.prefetch_related(
        Prefetch(
            "interactions",
            queryset=Interaction.objects.for_company(company).order_by("-last_activity_at", "-id"),
        )
    )


def lead_page(
    *, company: Company, phone: str | None, after: int | None, limit: int
) -> tuple[list[Lead], int | None]:
    """A page of the company's leads, newest first (by id), and the id to continue after."""
    leads = leads_for(company=company).order_by("-id")
    if phone is not None:
        leads = leads.filter(phone=phone)
    if after is not None:
        leads = leads.filter(id__lt=after)
    rows = list(_with_interactions(company, leads)[: limit + 1])
    following = rows[limit - 1].pk if len(rows) > limit else None
    return rows[:limit], following


def lead_with_interactions(*, company: Company, lead_id: int) -> Lead:
    """One lead of the company with its interactions; NotFound for any other id."""
    get_lead(company=company, lead_id=lead_id)
    return _with_interactions(company, leads_for(company=company)).get(pk=lead_id)


def lead_notes(*, company: Company, lead_id: int) -> list[Note]:
    """The notes of one of the company's leads, newest first."""
    lead = get_lead(company=company, lead_id=lead_id)
    return list(Note.objects.for_company(company).filter(lead=lead).order_by("-created_at", "-id"))


def lead_tasks(*, company: Company, lead_id: int) -> list[Task]:
    """The follow-up tasks of one of the company's leads, soonest due first (undated last)."""
    lead = get_lead(company=company, lead_id=lead_id)
    return list(
        Task.objects.for_company(company)
        .filter(lead=lead)
        .order_by(F("due_date").asc(nulls_last=True), "created_at", "id")
    )


def teammate(*, company: Company, user_id: int) -> User | None:
    """An active user of the company, or None."""
    return company_users(company=company).filter(pk=user_id).first()


def campaigns_of(*, company: Company) -> list[Campaign]:
    """The company's campaigns by name."""
    return list(Campaign.objects.for_company(company).order_by("name", "id"))


def get_campaign(*, company: Company, campaign_id: int) -> Campaign:
    """One campaign of the company; NotFound for any other id."""
    campaign = Campaign.objects.for_company(company).filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound("no such campaign")
    return campaign

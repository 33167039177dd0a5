"""Reads of the CRM; every query starts from the company."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q, QuerySet

from leadline.accounts.models import Company, User
from leadline.agent.summary import job_type_for
from leadline.campaigns.models import Channel
from leadline.capacity.job_types import JOB_TYPES, JobType
from leadline.capacity.models import ArrivalWindow
from leadline.capacity.selectors import free_windows
from leadline.crm.models import Customer, Job, Lead, Note, Opportunity, Task
from leadline.interactions import statuses
from leadline.interactions.models import Call, Interaction, InteractionEvent, Message
from leadline.interactions.selectors import timeline_for_lead
from leadline.kit.errors import NotFound

# A record page lists at most this many of each related kind (newest first).
RECORD_LIST_LIMIT = 100
# How far ahead the booking picker offers arrival windows.
BOOKING_DAYS = 14


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


# ---- the records behind the Interactions links -----------------------------------------


def _newest_interactions(company: Company, match: Q) -> list[Interaction]:
    return list(
        Interaction.objects.for_company(company)
        .filter(match)
        .select_related("campaign")
        .order_by("-last_activity_at", "-id")[:RECORD_LIST_LIMIT]
    )


def _newest_jobs(company: Company, match: Q) -> list[Job]:
    return list(
        Job.objects.for_company(company)
        .filter(match)
        .select_related("lead", "booked_by_user")
        .order_by("-arrival_start", "-id")[:RECORD_LIST_LIMIT]
    )


@dataclass(frozen=True)
class CustomerRecord:
    """A customer with what hangs off it, newest first."""

    customer: Customer
    leads: list[Lead]
    opportunities: list[Opportunity]
    jobs: list[Job]
    interactions: list[Interaction]


def customer_record(*, company: Company, customer_id: int) -> CustomerRecord:
    """One customer of the company with its leads, opportunities, jobs and interactions."""
    try:
        customer = Customer.objects.for_company(company).get(pk=customer_id)
    except (Customer.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("no such customer") from exc
    leads = list(leads_for(company=company).filter(customer=customer)[:RECORD_LIST_LIMIT])
    opportunities = list(
        Opportunity.objects.for_company(company)
        .filter(customer=customer)
        .select_related("lead")
        .order_by("-created_at", "-id")[:RECORD_LIST_LIMIT]
    )
    # An interaction or a job may name the customer directly or only through its lead.
    return CustomerRecord(
        customer=customer,
        leads=leads,
        opportunities=opportunities,
        jobs=_newest_jobs(company, Q(customer=customer) | Q(lead__customer=customer)),
        interactions=_newest_interactions(
            company, Q(customer=customer) | Q(lead__customer=customer)
        ),
    )


@dataclass(frozen=True)
class OpportunityRecord:
    """An opportunity with its interactions and jobs, newest first."""

    opportunity: Opportunity
    interactions: list[Interaction]
    jobs: list[Job]


def opportunity_record(*, company: Company, opportunity_id: int) -> OpportunityRecord:
    """One opportunity of the company with its customer, lead, interactions and jobs."""
    try:
        opportunity = (
            Opportunity.objects.for_company(company)
            .select_related("customer", "lead")
            .get(pk=opportunity_id)
        )
    except (Opportunity.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("no such opportunity") from exc
    return OpportunityRecord(
        opportunity=opportunity,
        interactions=_newest_interactions(company, Q(opportunity=opportunity)),
        jobs=_newest_jobs(company, Q(opportunity=opportunity)),
    )


def reply_interaction(interactions: list[Interaction]) -> Interaction | None:
    """The conversation a person's reply joins: the latest taken over, else open, else any.

    A reply is a text, so at each step an SMS conversation comes before a voice one.
    """
    if not interactions:
        return None
    newest_first = sorted(
        interactions,
        key=lambda i: (i.channel == Channel.SMS, i.last_activity_at, i.pk),
        reverse=True,
    )
    for wanted in ({"takeover"}, statuses.OPEN_CODES):
        for interaction in newest_first:
            if interaction.status in wanted:
                return interaction
    return newest_first[0]


@dataclass(frozen=True)
class LeadRecord:
    """A lead with everything the lead record shows.

    `calls` is None when the reader may not hear recordings: calls and their
    transcripts are then never read (only counted), so no page can leak them.
    """

    lead: Lead
    opportunities: list[Opportunity]
    interactions: list[Interaction]
    jobs: list[Job]
    notes: list[Note]
    tasks: list[Task]
    events: list[InteractionEvent]
    messages: list[Message]
    calls: list[Call] | None
    call_count: int

    @property
    def is_paused(self) -> bool:
        return self.lead.agent_paused_at is not None

    @property
    def is_gone(self) -> bool:
        """Deleted or merged: the record is kept for reading, nothing is done with it."""
        return self.lead.deleted_at is not None or self.lead.merged_into_id is not None

    @property
    def reply_to(self) -> Interaction | None:
        return reply_interaction(self.interactions)

    @property
    def bookable(self) -> list[Interaction]:
        return [i for i in self.interactions if statuses.can_change(i.status, "converted.human")]

    @property
    def dismissable(self) -> list[Interaction]:
        return [i for i in self.interactions if statuses.can_change(i.status, "dismissed.human")]

    @property
    def open_tasks(self) -> list[Task]:
        return [t for t in self.tasks if not t.done]

    @property
    def done_tasks(self) -> list[Task]:
        return [t for t in self.tasks if t.done]


def lead_record(*, company: Company, lead_id: int, with_calls: bool) -> LeadRecord:
    """One lead of the company (deleted and merged ones too, to read) with its whole story."""
    try:
        lead = (
            Lead.objects.for_company(company)
            .select_related("customer", "agent_paused_by", "merged_into")
            .get(pk=lead_id)
        )
    except (Lead.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("no such lead") from exc
    interactions = list(
        Interaction.objects.for_company(company)
        .filter(lead=lead)
        .select_related("campaign", "opportunity")
        .order_by("-last_activity_at", "-id")
    )
    messages = list(
        Message.objects.for_company(company)
        .filter(interaction__lead=lead)
        .select_related("author_user")
        .order_by("created_at", "id")
    )
    call_rows = Call.objects.for_company(company).filter(interaction__lead=lead)
    calls: list[Call] | None = None
    if with_calls:
        calls = list(call_rows.prefetch_related("turns").order_by("started_at", "id"))
        call_count = len(calls)
    else:
        call_count = call_rows.count()
    return LeadRecord(
        lead=lead,
        opportunities=list(
            Opportunity.objects.for_company(company)
            .filter(Q(lead=lead) | Q(interactions__lead=lead))
            .distinct()
            .order_by("-created_at", "-id")
        ),
        interactions=interactions,
        jobs=_newest_jobs(company, Q(lead=lead)),
        notes=list(
            Note.objects.for_company(company)
            .filter(lead=lead)
            .select_related("author")
            .order_by("-created_at", "-id")
        ),
        tasks=list(
            Task.objects.for_company(company)
            .filter(lead=lead)
            .select_related("assignee", "created_by")
            .order_by(F("due_date").asc(nulls_last=True), "created_at", "id")
        ),
        events=list(timeline_for_lead(company=company, lead_id=lead.pk)),
        messages=messages,
        calls=calls,
        call_count=call_count,
    )


# ---- follow-up tasks ---------------------------------------------------------------------


def get_task(*, company: Company, lead_id: int, task_id: int) -> Task:
    """One task of one of the company's leads; NotFound for any other pair of ids."""
    try:
        return (
            Task.objects.for_company(company)
            .select_related("lead", "assignee")
            .get(pk=task_id, lead_id=lead_id)
        )
    except (Task.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("no such task") from exc


def open_tasks_for(*, company: Company, user: User, limit: int = 50) -> list[Task]:
    """The user's open follow-up tasks in the company, soonest due first (undated last)."""
    return list(
        Task.objects.for_company(company)
        .filter(assignee=user, done=False, lead__deleted_at__isnull=True)
        .select_related("lead")
        .order_by(F("due_date").asc(nulls_last=True), "created_at", "id")[:limit]
    )


# ---- booking from the lead record --------------------------------------------------------


def company_job_types(*, company: Company) -> list[JobType]:
    """The job types of the trades the company serves (all of them when none is set)."""
    trades = set(company.trades or [])
    return [jt for jt in JOB_TYPES.values() if not trades or jt.trade in trades]


@dataclass(frozen=True)
class BookingOptions:
    """What the Book job picker offers: conversations that can be booked, job types, windows."""

    lead: Lead
    interactions: list[Interaction]
    job_types: list[JobType]
    job_type: str | None
    windows: list[ArrivalWindow]


def booking_options(
    *, company: Company, lead_id: int, job_type: str | None = None
) -> BookingOptions:
    """Free arrival windows for the lead's job, and the conversations a booking can close.

    Without a (known) `job_type` the picker starts from what the agent understood.
    """
    lead = get_lead(company=company, lead_id=lead_id)
    interactions = [
        i
        for i in Interaction.objects.for_company(company)
        .filter(lead=lead)
        .select_related("campaign", "lead")
        .order_by("-last_activity_at", "-id")
        if statuses.can_change(i.status, "converted.human")
    ]
    job_types = company_job_types(company=company)
    known = {jt.code for jt in job_types}
    chosen = job_type if job_type in known else None
    if chosen is None and interactions:
        guessed = job_type_for(interactions[0])
        chosen = guessed if guessed in known else None
    windows = (
        list(free_windows(company=company, job_type=chosen, days=BOOKING_DAYS)) if chosen else []
    )
    return BookingOptions(
        lead=lead,
        interactions=interactions,
        job_types=job_types,
        job_type=chosen,
        windows=windows,
    )

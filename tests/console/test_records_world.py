"""The small world the records tests share: a company whose lead has a customer, an
opportunity, a conversation with texts and a call, a job and a task. No tests here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.test import Client

from leadline.accounts.models import Company, User
from leadline.campaigns.models import Campaign, Channel
from leadline.capacity.models import ArrivalWindow
from leadline.crm.models import Customer, Job, Lead, Note, Opportunity, Task
from leadline.interactions.models import (
    Author,
    Call,
    CallTurn,
    Interaction,
    InteractionEvent,
    Message,
)
from leadline.interactions.services import change_status
from tests.builders import (
    make_campaign,
    make_customer,
    make_interaction,
    make_lead,
    make_user,
    make_window,
)

# Tuesday 10 March 2026, 10:00 in Chicago (CDT, UTC-5): inside the allowed hours in Texas.
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
TRANSCRIPT_LINE = "The furnace makes a banging noise every night"
AGENT_TEXT = "Hi Dana, this is Test Company about your AC. Reply STOP to opt out."
LEAD_TEXT = "Yes please, it is blowing warm air"


@dataclass
class World:
    company: Company
    customer: Customer
    lead: Lead
    opportunity: Opportunity
    campaign: Campaign
    interaction: Interaction
    call: Call
    window: ArrivalWindow
    task: Task
    csr: User


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def build_world(company: Company) -> World:
    """A lead in Active: Hot on SMS with two texts, a recorded Voice Agent call, an
    opportunity, an earlier job and an open task for the CSR."""
    csr = make_user(company, role="CSR", first_name="Sam", last_name="Patel")
    customer = make_customer(
        company,
        first_name="Dana",
        last_name="Ruiz",
        email="dana@example.test",
        address="1401 S Congress Ave",
        zip="78704",
    )
    lead = make_lead(
        company,
        customer=customer,
        email="dana@example.test",
        address="1401 S Congress Ave",
        created_at=NOW - timedelta(hours=2),
    )
    opportunity = Opportunity.objects.create(
        company=company,
        customer=customer,
        lead=lead,
        title="AC replacement estimate",
        job_type="hvac_replacement_estimate",
        estimated_value=Decimal("8400"),
        created_at=NOW - timedelta(hours=2),
    )
    campaign = make_campaign(company)
    interaction = make_interaction(company, campaign=campaign, lead=lead)
    Interaction.objects.filter(pk=interaction.pk).update(opportunity=opportunity)
    interaction.refresh_from_db()
    for n, (direction, author, body, delivery) in enumerate(
        [
            ("outbound", Author.AGENT, AGENT_TEXT, Message.Delivery.DELIVERED),
            ("inbound", Author.LEAD, LEAD_TEXT, Message.Delivery.RECEIVED),
        ]
    ):
        Message.objects.create(
            company=company,
            interaction=interaction,
            direction=direction,
            author=author,
            body=body,
            delivery_status=delivery,
            created_at=NOW - timedelta(minutes=50 - n),
        )
    change_status(interaction=interaction, to="active.hot", actor_kind=Author.AGENT)
    voice = make_campaign(company, name="Speed to Lead: Voice", channel=Channel.VOICE)
    voice_interaction = make_interaction(company, campaign=voice, lead=lead)
    call = Call.objects.create(
        company=company,
        interaction=voice_interaction,
        started_at=NOW - timedelta(minutes=40),
        ended_at=NOW - timedelta(minutes=38),
        outcome=Call.Outcome.COMPLETED,
        recording_id="RE123",
        recording_duration=95,
    )
    CallTurn.objects.create(
        call=call, seq=1, speaker=Author.LEAD, text=TRANSCRIPT_LINE, at=NOW - timedelta(minutes=39)
    )
    # The pipeline writes each spoken turn on the timeline too, with the words as its detail.
    InteractionEvent.objects.create(
        company=company,
        interaction=voice_interaction,
        lead=lead,
        kind=InteractionEvent.Kind.CALL,
        actor_kind=Author.LEAD,
        detail=TRANSCRIPT_LINE,
        data={"call_id": call.pk, "turn": 1},
        created_at=NOW - timedelta(minutes=39),
    )
    window = make_window(company, starts_at=NOW + timedelta(days=1))
    earlier = make_window(company, starts_at=NOW - timedelta(days=20))
    Job.objects.create(
        company=company,
        lead=lead,
        customer=customer,
        opportunity=opportunity,
        job_type="hvac_tune_up",
        arrival_window=earlier,
        arrival_start=earlier.starts_at,
        arrival_end=earlier.ends_at,
        booked_by=Job.BookedBy.AGENT,
        status=Job.Status.COMPLETED,
        created_at=NOW - timedelta(days=21),
    )
    task = Task.objects.create(
        company=company,
        lead=lead,
        title="Call back about the estimate",
        assignee=csr,
        created_by=csr,
        due_date=NOW.date() + timedelta(days=1),
        created_at=NOW - timedelta(hours=1),
    )
    return World(
        company=company,
        customer=customer,
        lead=lead,
        opportunity=opportunity,
        campaign=campaign,
        interaction=interaction,
        call=call,
        window=window,
        task=task,
        csr=csr,
    )


def snapshot(world: World) -> tuple[object, ...]:
    """Everything a refused POST must leave as it was."""
    lead = Lead.objects.get(pk=world.lead.pk)
    return (
        lead.agent_paused_at,
        tuple(
            Interaction.objects.filter(lead=lead).order_by("id").values_list("status", flat=True)
        ),
        Message.objects.filter(interaction__lead=lead).count(),
        Note.objects.filter(lead=lead).count(),
        tuple(Task.objects.filter(lead=lead).order_by("id").values_list("done", flat=True)),
        Job.objects.filter(lead=lead).count(),
        InteractionEvent.objects.filter(lead=lead).count(),
        ArrivalWindow.objects.get(pk=world.window.pk).booked,
    )


def lead_url(world: World, suffix: str = "") -> str:
    return f"/leads/{world.lead.pk}/{suffix}"

"""Reads of interactions; every query starts from the actor's company."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from leadline.accounts.models import Company
from leadline.interactions import statuses
from leadline.interactions.models import Call, Interaction, InteractionEvent, Message
from leadline.kit.errors import NotFound


def interactions_for(*, company: Company) -> QuerySet[Interaction]:
    """The company's interactions, most recent activity first."""
    return Interaction.objects.for_company(company).order_by("-last_activity_at", "-id")


def get_interaction(*, company: Company, interaction_id: int) -> Interaction:
    """One interaction of the company; NotFound for any other id, including another company's."""
    try:
        return (
            Interaction.objects.for_company(company)
            .select_related("lead", "customer", "opportunity", "campaign")
            .get(pk=interaction_id)
        )
    except (Interaction.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("no such interaction") from exc


def timeline_for_lead(*, company: Company, lead_id: int) -> QuerySet[InteractionEvent]:
    """Everything that happened around a lead, oldest first."""
    return (
        InteractionEvent.objects.for_company(company)
        .filter(lead_id=lead_id)
        .select_related("actor")
        .order_by("created_at", "id")
    )


def events_since(
    *, company: Company, after_id: int, limit: int = 200
) -> QuerySet[InteractionEvent]:
    """The live feed: events of the company newer than a cursor."""
    return (
        InteractionEvent.objects.for_company(company).filter(id__gt=after_id).order_by("id")[:limit]
    )


def status_group_counts(*, company: Company) -> dict[str, int]:
    """How many of the company's interactions are in each status group."""
    counts = {group.value: 0 for group in statuses.Group}
    rows = (
        Interaction.objects.for_company(company)
        .values("status_group")
        .annotate(n=Count("id"))
        .values_list("status_group", "n")
    )
    for group, n in rows:
        counts[group] = n
    counts["total"] = sum(counts.values())
    return counts


@dataclass(frozen=True)
class InteractionDetail:
    """An interaction with its thread, as the detail drawer shows it.

    `calls` is None when the reader may not hear recordings: the calls and their
    transcripts are then never read, so no page can leak them.
    """

    interaction: Interaction
    messages: list[Message]
    calls: list[Call] | None
    has_calls: bool


def interaction_detail(
    *, company: Company, interaction_id: int, with_calls: bool
) -> InteractionDetail:
    """One interaction of the company with its messages (and calls only `with_calls`)."""
    interaction = get_interaction(company=company, interaction_id=interaction_id)
    messages = list(
        Message.objects.for_company(company)
        .filter(interaction=interaction)
        .select_related("author_user")
        .order_by("created_at", "id")
    )
    call_rows = Call.objects.for_company(company).filter(interaction=interaction)
    calls: list[Call] | None = None
    if with_calls:
        calls = list(call_rows.prefetch_related("turns").order_by("started_at", "id"))
        has_calls = bool(calls)
    else:
        has_calls = call_rows.exists()
    return InteractionDetail(
        interaction=interaction, messages=messages, calls=calls, has_calls=has_calls
    )


def get_call(*, company: Company, interaction_id: int, call_id: int) -> Call:
    """One call of one of the company's interactions; NotFound for anything else."""
    try:
        return Call.objects.for_company(company).get(pk=call_id, interaction_id=interaction_id)
    except (Call.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("no such call") from exc

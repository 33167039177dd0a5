"""Reads for the simulator phone: the company's conversations as a phone shows them.

Every query starts from the actor's company, so another company's id is not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, Subquery
from django_tasks_db.models import DBTaskResult

from leadline.accounts.models import Company
from leadline.channels import tasks as channel_tasks
from leadline.crm.models import Lead
from leadline.interactions.models import Call, CallTurn, Interaction, Message
from leadline.interactions.selectors import interaction_detail
from leadline.kit.errors import NotFound

# The tasks in which the agent answers the lead (their first argument is the id of the
# lead's message or spoken turn).
_ANSWER_TEXT = channel_tasks.handle_inbound_sms.module_path
_ANSWER_TURN = channel_tasks.handle_call_turn.module_path
# Task rows that have not finished yet (django-tasks' READY and RUNNING).
_UNFINISHED = ("READY", "RUNNING")
# Answer tasks are run within a second by a running worker, so only a handful are ever
# unfinished; this bounds the read if the worker is down and they pile up.
_PENDING_SCAN = 500


# Where a new texter's number comes from after the business's own area code.
_FICTION_AREAS = (
    "512", "737", "210", "214", "254", "281", "325", "346", "361", "409", "430", "432",
    "469", "682", "713", "726", "806", "817", "830", "832", "903", "915", "936",
    "940", "945", "956", "972", "979", "303", "312", "404", "415", "602", "617", "702",
)  # fmt: skip


@dataclass(frozen=True)
class PhoneConversation:
    """One line of the phone's conversation list: the newest conversation of a lead."""

    interaction: Interaction
    last_text: str


@dataclass(frozen=True)
class PhoneThread:
    """One conversation as the lead's phone shows it.

    `calls` is None when the reader may not hear call recordings (the transcripts are
    then never read); `live_call` is the call in progress, if any. `waiting_since` is
    when the lead wrote or said what the agent has not answered yet (None when the
    agent is not working on an answer).
    """

    interaction: Interaction
    messages: list[Message]
    calls: list[Call] | None
    has_calls: bool
    live_call: Call | None
    waiting_since: datetime | None


def phone_conversations(*, company: Company, limit: int = 30) -> list[PhoneConversation]:
    """The company's most recent conversations, one per lead, newest activity first."""
    last_text = Subquery(
        Message.objects.filter(interaction_id=OuterRef("pk"))
        .order_by("-created_at", "-id")
        .values("body")[:1]
    )
    # A lead with several conversations is listed once, by its newest; reading twice the
    # limit leaves room for those repeats without scanning the whole table.
    rows = (
        Interaction.objects.for_company(company)
        .order_by("-last_activity_at", "-id")
        .annotate(last_text=last_text)[: limit * 2]
    )
    seen: set[int] = set()
    result: list[PhoneConversation] = []
    for row in rows:
        if row.lead_id in seen:
            continue
        seen.add(row.lead_id)
        result.append(PhoneConversation(interaction=row, last_text=row.last_text or ""))
        if len(result) == limit:
            break
    return result


def _waiting_since(interaction: Interaction) -> datetime | None:
    rows = DBTaskResult.objects.filter(
        status__in=_UNFINISHED, task_path__in=(_ANSWER_TEXT, _ANSWER_TURN)
    ).values_list("task_path", "args_kwargs")[:_PENDING_SCAN]
    message_ids: set[int] = set()
    turn_ids: set[int] = set()
    for path, args_kwargs in rows:
        args = (args_kwargs or {}).get("args") or []
        if not args or not isinstance(args[0], int):
            continue
        (message_ids if path == _ANSWER_TEXT else turn_ids).add(args[0])
    moments: list[datetime] = []
    if message_ids:
        first = (
            Message.objects.filter(pk__in=message_ids, interaction_id=interaction.pk)
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if first is not None:
            moments.append(first)
    if turn_ids:
        first = (
            CallTurn.objects.filter(pk__in=turn_ids, call__interaction_id=interaction.pk)
            .order_by("at")
            .values_list("at", flat=True)
            .first()
        )
        if first is not None:
            moments.append(first)
    return min(moments) if moments else None


def phone_thread(*, company: Company, interaction_id: int, with_calls: bool) -> PhoneThread:
    """One of the company's conversations with its texts, calls and the agent's pending answer."""
    detail = interaction_detail(
        company=company, interaction_id=interaction_id, with_calls=with_calls
    )
    return PhoneThread(
        interaction=detail.interaction,
        messages=detail.messages,
        calls=detail.calls,
        has_calls=detail.has_calls,
        live_call=live_call_of(company=company, interaction_id=interaction_id),
        waiting_since=_waiting_since(detail.interaction),
    )


def agent_text(*, company: Company, interaction_id: int, message_id: int) -> Message:
    """A text the company sent to the lead in this conversation; NotFound for anything else."""
    try:
        return (
            Message.objects.for_company(company)
            .select_related("interaction")
            .get(
                pk=message_id,
                interaction_id=interaction_id,
                direction=Message.Direction.OUTBOUND,
            )
        )
    except (Message.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("no such message") from exc


def live_call_of(*, company: Company, interaction_id: int) -> Call | None:
    """The call in progress in one of the company's conversations, if any."""
    return (
        Call.objects.for_company(company)
        .filter(interaction_id=interaction_id, outcome=Call.Outcome.IN_PROGRESS)
        .select_related("interaction")
        .order_by("-started_at", "-id")
        .first()
    )


def unused_number(*, company: Company) -> str:
    """A fictional number that none of the company's leads has (offered to a new texter).

    It is one of the 555-01XX numbers kept for fiction, in the business's own area code
    first, then in others; "" when every one of them is taken.
    """
    digits = "".join(ch for ch in company.phone if ch.isdigit())
    own = digits[1:4] if len(digits) == 11 and digits.startswith("1") else ""
    areas = [own] if own else []
    areas += [area for area in _FICTION_AREAS if area != own]
    for area in areas:
        candidates = [f"+1{area}55501{n:02d}" for n in range(100)]
        taken = set(
            Lead.objects.for_company(company)
            .filter(phone__in=candidates)
            .values_list("phone", flat=True)
        )
        taken.add(f"+{digits}")
        free = next((number for number in candidates if number not in taken), "")
        if free:
            return free
    return ""

"""Writes of the CRM: leads coming in and going away (deleted or merged), and what a
team member does on the lead record (notes, follow-up tasks, takeover, reply, book, dismiss).
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction

from leadline.accounts.models import Company, User
from leadline.capacity.job_types import JOB_TYPES
from leadline.capacity.models import ArrivalWindow
from leadline.crm.models import Job, Lead, Note, Task
from leadline.crm.selectors import reply_interaction
from leadline.interactions.listing import company_zone
from leadline.interactions.models import Author, Interaction, InteractionEvent, Message
from leadline.interactions.services import (
    book_as_human,
    dismiss,
    record_event,
    send_human_message,
    take_over,
    terminate_open_interactions,
)
from leadline.kit import clock
from leadline.kit.errors import Conflict, DomainError, InvalidInput, NoCapacity
from leadline.kit.phone import normalise_phone

NOTE_MAX_LENGTH = 5000
TASK_TITLE_MAX_LENGTH = 200
DISMISS_REASON_MAX_LENGTH = 300


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


# ---- what a team member does on the lead record ------------------------------------------

# Twilio's limit for one outgoing text (it is split into segments below that).
REPLY_MAX_LENGTH = 1600


def _refuse_if_gone(lead: Lead) -> None:
    if lead.deleted_at is not None:
        raise DomainError("This lead was deleted; its record is kept for reading only.")
    if lead.merged_into_id is not None:
        raise DomainError("This lead was merged into another one; work on that lead instead.")


def _interaction_of(lead: Lead, interaction_id: int | None) -> Interaction:
    if interaction_id is None:
        raise DomainError("Choose the conversation.")
    found = (
        Interaction.objects.for_company(lead.company_id)
        .filter(lead=lead, pk=interaction_id)
        .select_related("lead")
        .first()
    )
    if found is None:
        raise DomainError("That conversation is not one of this lead's.")
    return found


@transaction.atomic
def add_note(*, lead: Lead, author: User | None, body: str) -> Note:
    """Log a note on a lead; it goes on the lead's timeline (and so the audit trail) too."""
    text = (body or "").strip()
    if not text:
        raise DomainError("A note needs some text.")
    if len(text) > NOTE_MAX_LENGTH:
        raise DomainError(f"A note can be at most {NOTE_MAX_LENGTH:,} characters long.")
    _refuse_if_gone(lead)
    note = Note.objects.create(
        company_id=lead.company_id, lead=lead, author=author, body=text, created_at=clock.now()
    )
    record_event(
        interaction=None,
        lead=lead,
        kind=InteractionEvent.Kind.NOTE,
        actor_kind=Author.HUMAN if author else Author.SYSTEM,
        actor=author,
        detail=text[:200],
        data={"note_id": note.pk},
    )
    return note


@transaction.atomic
def create_task(
    *,
    lead: Lead,
    actor: User | None,
    title: str,
    assignee_id: int | None,
    due_date: date | None = None,
) -> Task:
    """Assign a follow-up task on a lead to an active teammate, with an optional due date."""
    text = (title or "").strip()
    if not text:
        raise DomainError("A task needs a title.")
    if len(text) > TASK_TITLE_MAX_LENGTH:
        raise DomainError(f"A task title can be at most {TASK_TITLE_MAX_LENGTH} characters long.")
    _refuse_if_gone(lead)
    assignee = (
        User.objects.filter(company_id=lead.company_id, is_active=True, pk=assignee_id).first()
        if assignee_id is not None
        else None
    )
    if assignee is None:
        raise InvalidInput("Choose a teammate to assign the task to.", field="assignee_id")
    today = clock.now().astimezone(company_zone(lead.company)).date()
    if due_date is not None and due_date < today:
        raise InvalidInput("A due date cannot be in the past.", field="due_date")
    task = Task.objects.create(
        company_id=lead.company_id,
        lead=lead,
        title=text,
        assignee=assignee,
        created_by=actor,
        due_date=due_date,
        created_at=clock.now(),
    )
    record_event(
        interaction=None,
        lead=lead,
        kind=InteractionEvent.Kind.TASK,
        actor_kind=Author.HUMAN if actor else Author.SYSTEM,
        actor=actor,
        detail=f"Task for {assignee}: {text}",
        data={"task_id": task.pk, "action": "created"},
    )
    return task


@transaction.atomic
def complete_task(*, task: Task, actor: User | None) -> Task:
    """Mark a follow-up task done (once); the timeline says who did it and when."""
    locked = Task.objects.select_for_update().get(pk=task.pk)
    if locked.done:
        raise Conflict("That task is already done.")
    locked.done = True
    locked.done_at = clock.now()
    locked.save(update_fields=["done", "done_at"])
    task.done, task.done_at = locked.done, locked.done_at
    record_event(
        interaction=None,
        lead=task.lead,
        kind=InteractionEvent.Kind.TASK,
        actor_kind=Author.HUMAN if actor else Author.SYSTEM,
        actor=actor,
        detail=f"Done: {locked.title}",
        data={"task_id": locked.pk, "action": "done"},
    )
    return task


@transaction.atomic
def take_over_lead(*, lead: Lead, actor: User | None) -> list[Interaction]:
    """Take the lead from the agent (interactions.services.take_over), once.

    A second takeover (a double click, two teammates at once) is refused, so the
    timeline says exactly once who took over and when.
    """
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    _refuse_if_gone(locked)
    if locked.agent_paused_at is not None:
        by = (
            User.objects.filter(pk=locked.agent_paused_by_id).first()
            if locked.agent_paused_by_id is not None
            else None
        )
        raise Conflict(
            f"This lead was already taken over{f' by {by}' if by else ''}; "
            "the agent is paused for it."
        )
    return take_over(lead=lead, actor=actor)


@transaction.atomic
def reply_to_lead(*, lead: Lead, actor: User | None, body: str) -> Message:
    """A team member texts the lead from the lead record, which needs a takeover first.

    The text joins the conversation `reply_interaction` picks (the one taken over).
    """
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    _refuse_if_gone(locked)
    if locked.agent_paused_at is None:
        raise Conflict("Take over first to reply: the agent is still handling this lead.")
    if len((body or "").strip()) > REPLY_MAX_LENGTH:
        raise DomainError(f"A text can be at most {REPLY_MAX_LENGTH:,} characters long.")
    target = reply_interaction(
        list(Interaction.objects.for_company(locked.company_id).filter(lead=locked))
    )
    if target is None:
        raise DomainError("There is no conversation with this lead to reply in yet.")
    return send_human_message(interaction=target, actor=actor, body=body)


@transaction.atomic
def book_job_for_lead(
    *,
    lead: Lead,
    actor: User | None,
    interaction_id: int | None,
    window_id: int | None,
    job_type: str,
) -> Job:
    """A team member books a job for the lead into a free arrival window: Converted: Human."""
    _refuse_if_gone(lead)
    interaction = _interaction_of(lead, interaction_id)
    known = JOB_TYPES.get(job_type)
    if known is None:
        raise InvalidInput("Choose a job type to book.", field="job_type")
    window = (
        ArrivalWindow.objects.for_company(lead.company_id).filter(pk=window_id).first()
        if window_id is not None
        else None
    )
    if window is None:
        raise InvalidInput("Choose an arrival window.", field="window_id")
    if window.trade != known.trade:
        raise InvalidInput(
            f"{known.label} is not booked into {window.get_trade_display()} windows.",
            field="window_id",
        )
    if window.starts_at <= clock.now():
        raise InvalidInput(
            "That arrival window has already begun. Pick a later one.", field="window_id"
        )
    try:
        return book_as_human(interaction=interaction, actor=actor, window=window, job_type=job_type)
    except NoCapacity as exc:
        raise NoCapacity("That arrival window is full now. Pick another one.") from exc


@transaction.atomic
def dismiss_for_lead(
    *, lead: Lead, actor: User | None, interaction_id: int | None, reason: str
) -> Interaction:
    """A team member dismisses one of the lead's conversations, saying why: Dismissed: Human."""
    _refuse_if_gone(lead)
    text = (reason or "").strip()
    if not text:
        raise DomainError("Say why it is dismissed: the reason goes on the timeline.")
    if len(text) > DISMISS_REASON_MAX_LENGTH:
        raise DomainError(f"A reason can be at most {DISMISS_REASON_MAX_LENGTH} characters long.")
    interaction = _interaction_of(lead, interaction_id)
    return dismiss(interaction=interaction, actor=actor, reason=text)

"""Domain rows as the API's response schemas (every field set, so none goes missing)."""

from __future__ import annotations

from django.urls import reverse

from leadline.capacity.models import ArrivalWindow
from leadline.crm.models import Job, Lead, Note, Task
from leadline.interactions.listing import Counters, escalation_reason
from leadline.interactions.models import Call, Interaction, InteractionEvent, Message

from . import schemas


def interaction_brief(interaction: Interaction) -> schemas.InteractionBrief:
    return schemas.InteractionBrief(
        id=interaction.pk,
        campaign_id=interaction.campaign_id,
        goal=interaction.goal,
        channel=interaction.channel,
        status=interaction.status,
        status_label=interaction.status_label,
        status_group=interaction.status_group,
    )


def lead(row: Lead) -> schemas.LeadOut:
    return schemas.LeadOut(
        id=row.pk,
        first_name=row.first_name,
        last_name=row.last_name,
        phone=row.phone,
        email=row.email,
        zip=row.zip,
        address=row.address,
        note=row.note,
        source=row.source,
        created_at=row.created_at,
        customer_id=row.customer_id,
        merged_into_id=row.merged_into_id,
        agent_paused_at=row.agent_paused_at,
        interactions=[interaction_brief(i) for i in row.interactions.all()],
    )


def _interaction_fields(row: Interaction) -> dict[str, object]:
    return {
        "id": row.pk,
        "lead_id": row.lead_id,
        "customer_id": row.customer_id,
        "opportunity_id": row.opportunity_id,
        "campaign_id": row.campaign_id,
        "lead_name": row.lead_name,
        "lead_phone": row.lead_phone,
        "record_type": row.record_type,
        "goal": row.goal,
        "channel": row.channel,
        "status": row.status,
        "status_label": row.status_label,
        "status_group": row.status_group,
        "escalated": row.escalated,
        "escalation_reason": escalation_reason(row.status),
        "engagement": row.engagement,
        "started_at": row.started_at,
        "last_activity_at": row.last_activity_at,
        "closed_at": row.closed_at,
        "message_count": row.message_count,
        "inbound_count": row.inbound_count,
        "outbound_count": row.outbound_count,
    }


def interaction(row: Interaction) -> schemas.InteractionOut:
    return schemas.InteractionOut(**_interaction_fields(row))  # type: ignore[arg-type]


def counters(figures: Counters) -> schemas.CountersOut:
    return schemas.CountersOut(
        escalated=figures.escalated,
        high_activity=figures.high_activity,
        conversations=figures.conversations,
        leads=figures.leads,
        replied_leads=figures.replied_leads,
        converted=figures.converted,
        response_rate=figures.response_rate,
        conversion_rate=figures.conversion_rate,
    )


def message(row: Message) -> schemas.MessageOut:
    return schemas.MessageOut(
        kind="message",
        id=row.pk,
        interaction_id=row.interaction_id,
        direction=row.direction,
        author=row.author,
        author_user_id=row.author_user_id,
        body=row.body,
        delivery_status=row.delivery_status,
        error_code=row.error_code,
        created_at=row.created_at,
        sent_at=row.sent_at,
    )


def call(row: Call, *, keeps_recordings: bool) -> schemas.CallOut:
    recording = (
        reverse("api-v1:call_recording", args=[row.interaction_id, row.pk])
        if row.recording_id and keeps_recordings
        else None
    )
    return schemas.CallOut(
        kind="call",
        id=row.pk,
        interaction_id=row.interaction_id,
        direction=row.direction,
        outcome=row.outcome,
        started_at=row.started_at,
        ended_at=row.ended_at,
        duration_seconds=row.recording_duration,
        transcript=[
            schemas.TurnOut(seq=t.seq, speaker=t.speaker, text=t.text, at=t.at)
            for t in row.turns.all()
        ],
        recording_url=recording,
    )


def interaction_detail(
    row: Interaction, messages: list[Message], calls: list[Call] | None, *, keeps_recordings: bool
) -> schemas.InteractionDetailOut:
    entries: list[tuple[object, int, int, schemas.MessageOut | schemas.CallOut]] = [
        (m.created_at, 0, m.pk, message(m)) for m in messages
    ]
    entries += [
        (c.started_at, 1, c.pk, call(c, keeps_recordings=keeps_recordings)) for c in calls or []
    ]
    entries.sort(key=lambda entry: entry[:3])
    return schemas.InteractionDetailOut(
        **_interaction_fields(row),  # type: ignore[arg-type]
        summary=row.summary.strip(),
        thread=[entry for *_, entry in entries],
    )


def note(row: Note) -> schemas.NoteOut:
    return schemas.NoteOut(
        id=row.pk,
        lead_id=row.lead_id,
        body=row.body,
        author_id=row.author_id,
        created_at=row.created_at,
    )


def task(row: Task) -> schemas.TaskOut:
    return schemas.TaskOut(
        id=row.pk,
        lead_id=row.lead_id,
        title=row.title,
        assignee_id=row.assignee_id,
        created_by_id=row.created_by_id,
        due_date=row.due_date,
        done=row.done,
        done_at=row.done_at,
        created_at=row.created_at,
    )


def job(row: Job) -> schemas.JobOut:
    return schemas.JobOut(
        id=row.pk,
        lead_id=row.lead_id,
        interaction_id=row.interaction_id,
        job_type=row.job_type,
        arrival_window_id=row.arrival_window_id,
        arrival_start=row.arrival_start,
        arrival_end=row.arrival_end,
        booked_by=row.booked_by,
        booked_by_user_id=row.booked_by_user_id,
        status=row.status,
        created_at=row.created_at,
    )


def window(row: ArrivalWindow) -> schemas.WindowOut:
    return schemas.WindowOut(
        id=row.pk,
        trade=row.trade,
        date=row.date,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        capacity=row.capacity,
        booked=row.booked,
        free=max(0, row.capacity - row.booked),
    )


def event(row: InteractionEvent, *, with_spoken_words: bool) -> schemas.EventOut:
    fields: dict[str, object] = {
        "id": row.pk,
        "kind": row.kind,
        "interaction_id": row.interaction_id,
        "lead_id": row.lead_id,
        "actor_kind": row.actor_kind,
        "actor_id": row.actor_id,
        "from_status": row.from_status,
        "to_status": row.to_status,
        "created_at": row.created_at,
    }
    # A call event's detail is what was said on the call: only for those who may listen.
    if row.kind != InteractionEvent.Kind.CALL or with_spoken_words:
        fields["detail"] = row.detail
    return schemas.EventOut(**fields)  # type: ignore[arg-type]

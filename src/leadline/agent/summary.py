"""The Overview Summary of an interaction: two to four plain sentences for a busy CSR.

Who the lead is, what they need, what was offered and decided, and why it ended
or what is pending. It is rebuilt from the database whenever the interaction
changes (each status change and each handled turn), so it never drifts from the
thread it describes. It is written from rules, not by a model, so it is the same
on every run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from leadline.agent.understanding import detect_need
from leadline.capacity.job_types import JOB_TYPES, label_of
from leadline.capacity.models import ArrivalWindow
from leadline.compliance.selectors import is_opted_out
from leadline.crm.models import Job
from leadline.interactions import statuses
from leadline.interactions.models import Author, Interaction, InteractionEvent, Message
from leadline.kit.phone import format_phone


def guess_job_type(text: str) -> str | None:
    """The job type a short note most likely means ("AC not cooling" -> ac_repair), or None."""
    lowered = (text or "").lower().strip()
    if not lowered:
        return None
    for code, job_type in JOB_TYPES.items():
        if job_type.label.lower() == lowered or code == lowered:
            return code
    return detect_need(lowered).job_type


def need_phrase(job_type: str) -> str:
    """A job type as it reads inside a sentence: "AC repair", "leak repair"."""
    label = label_of(job_type)
    # "Garage door opener" names a thing, not a job: "needs garage door opener service".
    if label.rsplit(" ", 1)[-1].lower() not in _JOB_WORDS:
        label += " service"
    if label.split(" ", 1)[0].isupper():
        return label
    return label[0].lower() + label[1:]


_JOB_WORDS = {"repair", "estimate", "tune-up", "cleaning", "installation", "service"}


def _state_job_type(state: dict[str, Any]) -> str | None:
    for key in ("job_type", "need", "job"):
        value = state.get(key)
        if isinstance(value, str) and value in JOB_TYPES:
            return value
        if isinstance(value, dict):
            code = value.get("job_type") or value.get("code")
            if isinstance(code, str) and code in JOB_TYPES:
                return code
    return None


def job_type_for(interaction: Interaction) -> str | None:
    """What the lead needs: the booked job, what the agent understood, or the lead's note."""
    job = Job.objects.filter(interaction_id=interaction.pk).order_by("-id").first()
    if job is not None:
        return job.job_type
    known = _state_job_type(interaction.agent_state or {}) or guess_job_type(interaction.lead.note)
    if known:
        return known
    said = Message.objects.filter(interaction_id=interaction.pk, author=Author.LEAD).order_by("id")
    for body in said.values_list("body", flat=True)[:5]:
        guessed = guess_job_type(body)
        if guessed:
            return guessed
    return None


def _offered_window_ids(state: dict[str, Any]) -> list[int]:
    for key in ("offered", "offered_windows", "offered_window_ids", "windows"):
        value = state.get(key)
        if isinstance(value, list):
            ids: list[int] = []
            for item in value:
                if isinstance(item, int):
                    ids.append(item)
                elif isinstance(item, dict):
                    value_id = item.get("window_id", item.get("id"))
                    if isinstance(value_id, int):
                        ids.append(value_id)
            if ids:
                return ids
    return []


def _zone(interaction: Interaction) -> ZoneInfo:
    try:
        return ZoneInfo(interaction.company.time_zone)
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def describe_window(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> str:
    """'Wed, Mar 4, 8-10 am' in the company's time zone."""
    start = starts_at.astimezone(zone)
    end = ends_at.astimezone(zone)

    def hour(moment: datetime) -> str:
        h = moment.hour % 12 or 12
        return f"{h}:{moment.minute:02d}" if moment.minute else str(h)

    same_half = (start.hour < 12) == (end.hour < 12)
    suffix_end = "am" if end.hour < 12 else "pm"
    suffix_start = "" if same_half else (" am" if start.hour < 12 else " pm")
    return f"{start:%a, %b} {start.day}, {hour(start)}{suffix_start}-{hour(end)} {suffix_end}"


def _last_status_detail(interaction: Interaction) -> str:
    event = (
        InteractionEvent.objects.filter(
            interaction_id=interaction.pk,
            kind=InteractionEvent.Kind.STATUS_CHANGED,
            to_status=interaction.status,
        )
        .order_by("-id")
        .first()
    )
    return (event.detail if event else "").strip().rstrip(".")


def _quote(text: str, limit: int = 80) -> str:
    text = " ".join((text or "").split())
    return f'"{text[: limit - 3]}..."' if len(text) > limit else f'"{text}"'


def build_summary(interaction: Interaction) -> str:
    """Two to four plain sentences about the interaction as it is now."""
    lead = interaction.lead
    zone = _zone(interaction)
    name = lead.full_name or f"A lead at {format_phone(lead.phone)}"
    place = f" ({lead.zip})" if lead.zip else ""
    job_type = job_type_for(interaction)
    note = " ".join((lead.note or "").split())
    if job_type:
        need = f"needs {need_phrase(job_type)}"
        if note and note.lower() != label_of(job_type).lower():
            need += f' (note: "{note[:80]}")'
    elif note:
        need = f'wrote "{note[:80]}"'
    else:
        need = "has not said yet what they need"
    sentences = [f"{name}{place} {need}."]

    job = Job.objects.filter(interaction_id=interaction.pk).order_by("-id").first()
    outbound = Message.objects.filter(
        interaction_id=interaction.pk, direction=Message.Direction.OUTBOUND
    ).exclude(delivery_status=Message.Delivery.BLOCKED)
    agent_texts = outbound.filter(author=Author.AGENT).count()
    replies = interaction.inbound_count
    if job is not None:
        who = "The agent" if job.booked_by == Job.BookedBy.AGENT else "A team member"
        sentences.append(
            f"{who} booked {need_phrase(job.job_type)} for "
            f"{describe_window(job.arrival_start, job.arrival_end, zone)}."
        )
    else:
        offered_ids = _offered_window_ids(interaction.agent_state or {})
        offered = list(
            ArrivalWindow.objects.filter(company_id=interaction.company_id, pk__in=offered_ids)
        )
        if offered:
            offered.sort(key=lambda w: w.starts_at)
            listed = " or ".join(describe_window(w.starts_at, w.ends_at, zone) for w in offered[:3])
            sentences.append(f"The agent offered {listed}.")
        elif replies == 0 and (agent_texts or interaction.touches_sent):
            touches = max(agent_texts, interaction.touches_sent)
            plural = "s" if touches != 1 else ""
            sentences.append(f"The lead has not replied to {touches} agent message{plural}.")
        elif replies:
            plural = "ies" if replies != 1 else "y"
            sentences.append(f"The lead sent {replies} repl{plural}; nothing is booked yet.")

    sentences.append(_outcome_sentence(interaction, zone))
    return " ".join(s for s in sentences if s)


_ENGAGEMENT_WORDS = {
    "active.hot": "The lead is replying within minutes",
    "active.warm": "The lead has replied",
    "active.cool": "The lead's replies are short and slow",
    "active.cold": "The lead has gone quiet",
}


def _outcome_sentence(interaction: Interaction, zone: ZoneInfo) -> str:
    status = interaction.status
    detail = _last_status_detail(interaction)
    last_lead = (
        Message.objects.filter(interaction_id=interaction.pk, author=Author.LEAD)
        .order_by("-created_at", "-id")
        .values_list("body", flat=True)
        .first()
    )
    if status == "started":
        if interaction.next_touch_at:
            when = interaction.next_touch_at.astimezone(zone)
            due = f"{when:%a %b} {when.day}, {when:%H:%M}"
            return f"Waiting for a first reply; the next message is due {due}."
        return "Waiting for a first reply."
    if status.startswith("active"):
        mood = _ENGAGEMENT_WORDS.get(status, "The conversation is going")
        if status == "active.cold":
            return f"{mood}; the agent keeps following up."
        return f"{mood}; the agent is waiting for their next answer."
    if status.startswith("converted"):
        return "Nothing is pending."
    if status.startswith("escalated"):
        why = interaction.status_info.meaning
        quoted = f" The lead wrote {_quote(last_lead)}." if last_lead else ""
        return f"Escalated because {why}; waiting for a team member.{quoted}"
    if status == "dismissed.agent":
        return f"The agent closed it: {_lower(detail) or 'outside the service area or declined'}."
    if status.startswith("dismissed"):
        return f"A team member dismissed it: {detail or 'no reason given'}."
    if status == "abandoned":
        return "The whole follow-up cadence went unanswered, so it was closed as Abandoned."
    if status == "opt_out":
        how = detail or "The lead opted out"
        if is_opted_out(company=interaction.company, phone=interaction.lead.phone):
            return f"{how}; nothing more will be sent to this number."
        return f"{how}; the number has since re-subscribed, but this conversation stays closed."
    if status == "failed":
        reason = _lower(detail) or "the number is not reachable"
        return f"The agent could not reach the lead: {reason}."
    if status == "terminated":
        return f"The system ended it: {detail or 'the campaign or the lead went away'}."
    if status == "takeover":
        return _takeover_sentence(interaction)
    return f"Status: {interaction.status_label}."


def _takeover_sentence(interaction: Interaction) -> str:
    """Who took over and, when the agent had escalated first, why it had."""
    changes = InteractionEvent.objects.filter(
        interaction_id=interaction.pk, kind=InteractionEvent.Kind.STATUS_CHANGED
    ).select_related("actor")
    takeover = changes.filter(to_status="takeover").order_by("-id").first()
    who = "A team member"
    if takeover is not None and takeover.actor is not None:
        who = takeover.actor.get_full_name() or who
    escalation = (
        changes.filter(to_status__startswith="escalated")
        .order_by("-id")
        .values_list("to_status", flat=True)
        .first()
    )
    why = ""
    if escalation:
        why = f" after the agent escalated it because {statuses.get(escalation).meaning}"
    return f"{who} took over{why}; the agent sends nothing more to this lead."


def _lower(text: str) -> str:
    """A detail placed after a colon reads in lower case ("the number could not ...")."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def refresh_summary(*, interaction: Interaction) -> str:
    """Rebuild and store the Overview Summary of an interaction."""
    fresh = Interaction.objects.select_related("lead", "company").get(pk=interaction.pk)
    text = build_summary(fresh)
    Interaction.objects.filter(pk=interaction.pk).update(summary=text)
    interaction.summary = text
    return text

"""The policy: builds what the brain sees, asks it, and applies its decision through services.

Order of precedence for everything a lead says, whatever any brain would decide:

1. Compliance: HELP/INFO gets the help answer; an opt-out (keyword, words, wrong
   number) closes every open interaction with that number and sends one
   confirmation; START/UNSTOP/YES after an opt-out re-subscribes. An opted-out
   number gets nothing else.
2. People: after a takeover, or while the interaction is escalated, the message is
   stored and the agent stays silent.
3. The brain decides; the policy books, escalates, dismisses or replies.

Compliance confirmations and help answers are written by the system (author
"system"), not by the agent. Every text then leaves through the outbox, where the
gate is checked again at the moment of sending.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from leadline.accounts.models import Company
from leadline.agent import engagement
from leadline.agent.registry import get_brain
from leadline.agent.summary import refresh_summary
from leadline.agent.types import (
    Action,
    CompanyProfile,
    Conversation,
    Decision,
    Turn,
    WindowOption,
)
from leadline.campaigns.models import Campaign, default_escalation_rules
from leadline.capacity.job_types import JOB_TYPES, label_of
from leadline.capacity.models import ArrivalWindow
from leadline.capacity.selectors import free_windows
from leadline.capacity.services import book_window, open_windows
from leadline.channels import services as channel_services
from leadline.compliance import gate, rules
from leadline.compliance import services as compliance_services
from leadline.compliance.selectors import is_opted_out
from leadline.crm.models import Job, Lead
from leadline.interactions import statuses
from leadline.interactions import tasks as interaction_tasks
from leadline.interactions.models import (
    Author,
    Call,
    CallTurn,
    Interaction,
    InteractionEvent,
    Message,
)
from leadline.interactions.services import (
    change_status,
    close_for_opt_out,
    queue_outbound_message,
    record_event,
)
from leadline.kit import clock
from leadline.kit.errors import NoCapacity
from leadline.kit.phone import format_phone

logger = logging.getLogger(__name__)

DEFAULT_HORIZON_DAYS = 14
# A window is offered only when it starts at least this long from now, so that the
# office can route a technician; same-day windows later in the day are still offered.
DEFAULT_MIN_NOTICE_HOURS = 4
_OFFER_KEYS = ("offered", "shown", "offered_windows", "offered_window_ids", "windows")


# ---------------------------------------------------------------- what the brain sees


def escalation_rules_of(campaign: Campaign) -> dict[str, Any]:
    """The campaign's escalation rules over the defaults, rule by rule."""
    merged: dict[str, Any] = default_escalation_rules()
    for name, value in (campaign.escalation_rules or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(name), dict):
            merged[name] = {**merged[name], **value}
        else:
            merged[name] = value
    return merged


def company_profile(company: Company, campaign: Campaign) -> CompanyProfile:
    return CompanyProfile(
        name=company.name,
        phone=company.phone,
        time_zone=company.time_zone,
        service_area_zips=tuple(str(z) for z in company.service_area_zips or ()),
        skills=tuple(s for s in campaign.skills or () if s in JOB_TYPES),
        prices={str(k): str(v) for k, v in (company.prices or {}).items()},
        brands=tuple(str(b) for b in company.brands or ()),
        business_hours=company.business_hours,
        escalation_rules=escalation_rules_of(campaign),
    )


def _availability(rules_: dict[str, Any]) -> tuple[int, timedelta]:
    availability = rules_.get("availability") or {}
    horizon = int(availability.get("horizon_days", DEFAULT_HORIZON_DAYS) or DEFAULT_HORIZON_DAYS)
    notice = float(availability.get("min_notice_hours", DEFAULT_MIN_NOTICE_HOURS) or 0)
    return max(horizon, 1), timedelta(hours=notice)


def window_finder(
    company: Company, *, horizon_days: int, min_notice: timedelta
) -> Callable[[str, int], list[WindowOption]]:
    """What the brain calls to see free arrival windows for a job type, soonest first."""

    def find(job_type: str, limit: int) -> list[WindowOption]:
        if job_type not in JOB_TYPES:
            return []
        windows = free_windows(
            company=company,
            job_type=job_type,
            after=clock.now() + min_notice,
            days=horizon_days,
            limit=max(int(limit), 1),
        )
        return [WindowOption(w.pk, w.starts_at, w.ends_at) for w in windows]

    return find


def _turns(interaction: Interaction) -> tuple[Turn, ...]:
    """The thread as the brain sees it: what the lead, the agent and people said.

    Compliance messages (HELP answers, opt-out and re-subscribe confirmations) are the
    system's, not part of the conversation, and texts never sent are left out.
    """
    turns: list[tuple[datetime, int, Turn]] = []
    messages = (
        Message.objects.filter(interaction_id=interaction.pk)
        .exclude(delivery_status__in=[Message.Delivery.BLOCKED, Message.Delivery.FAILED])
        .exclude(author=Author.SYSTEM)
        .order_by("created_at", "id")
    )
    for m in messages:
        at = m.sent_at or m.created_at
        turns.append((at, 0, Turn(author=m.author, body=m.body, at=at)))
    spoken = (
        CallTurn.objects.filter(call__interaction_id=interaction.pk)
        .exclude(speaker=Author.SYSTEM)
        .order_by("at", "seq")
    )
    for t in spoken:
        turns.append((t.at, 1, Turn(author=t.speaker, body=t.text, at=t.at)))
    turns.sort(key=lambda item: (item[0], item[1]))
    return tuple(turn for _, _, turn in turns)


def conversation_for(interaction: Interaction) -> Conversation:
    """Everything the brain may know about this conversation, as plain data."""
    company = interaction.company
    campaign = interaction.campaign
    profile = company_profile(company, campaign)
    horizon, notice = _availability(profile.escalation_rules)
    # Arrival windows are laid out lazily from the capacity rules, a little past the horizon.
    open_windows(company=company, days=horizon + 2)
    lead = interaction.lead
    return Conversation(
        company=profile,
        channel=interaction.channel,
        goal=interaction.goal,
        lead_first_name=lead.first_name,
        lead_zip=lead.zip,
        lead_note=lead.note,
        turns=_turns(interaction),
        state=dict(interaction.agent_state or {}),
        now=clock.now(),
        find_windows=window_finder(company, horizon_days=horizon, min_notice=notice),
    )


# ---------------------------------------------------------------- saying things


def _has_texted_before(interaction: Interaction) -> bool:
    return (
        Message.objects.filter(
            interaction_id=interaction.pk,
            direction=Message.Direction.OUTBOUND,
            author__in=[Author.AGENT, Author.SYSTEM],
        )
        .exclude(delivery_status=Message.Delivery.BLOCKED)
        .exists()
    )


def say(
    interaction: Interaction,
    text: str,
    *,
    kind: gate.SendKind,
    call: Call | None = None,
    author: str = Author.AGENT,
) -> None:
    """Speak on the live call, or queue a text (the first one names the business and STOP)."""
    if not text:
        return
    if call is not None and call.outcome == Call.Outcome.IN_PROGRESS:
        channel_services.speak(call=call, text=text, speaker=author)
        return
    if author == Author.AGENT and not _has_texted_before(interaction):
        text = rules.ensure_first_message_compliant(text, interaction.company.name)
    queue_outbound_message(interaction=interaction, body=text, author=author, kind=kind.value)


# ---------------------------------------------------------------- compliance first


def opt_out(
    interaction: Interaction, *, method: str, raw_text: str, call: Call | None = None
) -> str:
    """The lead opted out: record it, close every open interaction with the number, confirm once."""
    company = interaction.company
    phone = interaction.lead.phone
    _, created = compliance_services.record_opt_out(
        company=company, phone=phone, method=method, raw_text=raw_text
    )
    how = "said it is a wrong number" if method == "wrong_number" else "opted out"
    # Words spoken on a call belong to the transcript, which only Listen to Call Recording
    # may read: the timeline (seen by every viewer and the API) says what, not the words.
    if call is not None:
        closing, detail = f"The lead {how} on a call", f"Opt-out ({method}) on a call"
    else:
        closing = f'The lead {how}: "{raw_text[:120]}"'
        detail = f"Opt-out ({method}): {raw_text[:200]}"
    close_for_opt_out(company_id=company.pk, phone=phone, detail=closing)
    record_event(
        interaction=interaction,
        lead=interaction.lead,
        kind=InteractionEvent.Kind.OPT_OUT,
        actor_kind=Author.LEAD,
        detail=detail,
        data={"method": method, "new": created, "spoken": call is not None},
    )
    if created:
        say(
            interaction,
            rules.opt_out_confirmation(company.name),
            kind=gate.SendKind.OPT_OUT_CONFIRMATION,
            call=call,
            author=Author.SYSTEM,
        )
    if call is not None:
        channel_services.end_call(call=call)
    return f"opt_out ({method})"


def _resubscribe(interaction: Interaction, *, call: Call | None) -> str:
    company = interaction.company
    compliance_services.resubscribe(company=company, phone=interaction.lead.phone)
    record_event(
        interaction=interaction,
        lead=interaction.lead,
        kind=InteractionEvent.Kind.OPT_OUT,
        actor_kind=Author.LEAD,
        detail="The lead re-subscribed",
    )
    say(
        interaction,
        rules.resubscribe_confirmation(company.name),
        kind=gate.SendKind.RESUBSCRIBE_CONFIRMATION,
        call=call,
        author=Author.SYSTEM,
    )
    refresh_summary(interaction=interaction)
    return "resubscribed"


# ---------------------------------------------------------------- handling a turn


def handle_inbound(*, message: Message) -> str:
    """Answer one text of the lead (run by the worker, once per stored inbound text).

    The interaction row is locked for the whole turn, so two texts of the same lead are
    handled one after the other. Compliance keywords are acted on in every text; the
    brain answers only the latest one, so two quick texts get one answer.
    """
    with transaction.atomic():
        interaction = _lock(message.interaction_id)
        newer = Message.objects.filter(
            interaction_id=interaction.pk, pk__gt=message.pk, author=Author.LEAD
        ).exists()
        return _handle(interaction, text=message.body, call=None, is_latest=not newer)


def handle_spoken_turn(*, turn: CallTurn) -> str:
    """Answer what the lead just said on a call."""
    with transaction.atomic():
        interaction = _lock(turn.call.interaction_id)
        call = Call.objects.get(pk=turn.call_id)
        newer = CallTurn.objects.filter(call=call, seq__gt=turn.seq, speaker=Author.LEAD)
        live = call if call.outcome == Call.Outcome.IN_PROGRESS else None
        return _handle(interaction, text=turn.text, call=live, is_latest=not newer.exists())


def _lock(interaction_id: int) -> Interaction:
    # The interaction row only: a lock on the joined company and campaign rows would
    # hold up (and deadlock with) every lead intake of the company.
    return (
        Interaction.objects.select_for_update(of=("self",))
        .select_related("company", "campaign", "lead")
        .get(pk=interaction_id)
    )


def _handle(interaction: Interaction, *, text: str, call: Call | None, is_latest: bool) -> str:
    company = interaction.company
    lead = Lead.objects.get(pk=interaction.lead_id)
    interaction.lead = lead
    if rules.is_help(text):
        say(
            interaction,
            rules.help_reply(company.name, format_phone(company.phone)),
            kind=gate.SendKind.HELP_REPLY,
            call=call,
            author=Author.SYSTEM,
        )
        return "help"
    method = rules.classify_opt_out(text, lead_first_name=lead.first_name or None)
    if method:
        return opt_out(interaction, method=method, raw_text=text, call=call)
    if is_opted_out(company=company, phone=lead.phone):
        if rules.is_resubscribe(text):
            return _resubscribe(interaction, call=call)
        return "stored: the number is opted out"
    if lead.agent_paused_at is not None or interaction.status == "takeover":
        return "stored: a team member has taken over"
    if interaction.status in statuses.ESCALATED_CODES:
        return "stored: waiting for a team member"
    if not is_latest:
        return "stored: a newer message will be answered"
    if interaction.status == "converted.agent":
        return _after_booking(interaction, text=text, call=call)
    if interaction.status not in statuses.ACTIVE_CODES:
        return f"stored: {interaction.status}"
    decision = _ask_brain(interaction)
    outcome = apply_decision(interaction, decision, call=call, text=text)
    after_turn(interaction)
    return outcome


def _ask_brain(interaction: Interaction) -> Decision:
    """The brain's answer; a brain that breaks (an LLM endpoint down) hands over to a person."""
    try:
        with transaction.atomic():
            return get_brain().respond(conversation_for(interaction))
    except Exception:
        logger.exception("the brain failed on interaction %s", interaction.pk)
        return Decision(
            reply="Thanks! A member of our team will get back to you shortly.",
            action=Action.ESCALATE,
            reason="agent_issue",
            state=dict(interaction.agent_state or {}),
        )


def _after_booking(interaction: Interaction, *, text: str, call: Call | None) -> str:
    """The agent booked it; the lead writes again (thanks, a question, a new date).

    The interaction stays Converted: Agent. The brain may answer; when it would hand
    over (a reschedule, say), the timeline records that a person is needed.
    """
    decision = _ask_brain(interaction)
    _save_state(interaction, dict(decision.state or {}))
    if decision.action == Action.OPT_OUT:
        return opt_out(interaction, method="words", raw_text=text, call=call)
    if decision.action == Action.ESCALATE:
        record_event(
            interaction=interaction,
            lead=interaction.lead,
            kind=InteractionEvent.Kind.SYSTEM,
            actor_kind=Author.AGENT,
            detail=f"After the booking the lead needs a person: {_why(decision, 'follow-up')}",
        )
    say(interaction, decision.reply or "", kind=gate.SendKind.REPLY, call=call)
    refresh_summary(interaction=interaction)
    return "answered after the booking"


def after_turn(interaction: Interaction) -> None:
    """Keep the engagement label and the summary current, and plan the next re-check."""
    interaction.refresh_from_db()
    if interaction.status in statuses.ACTIVE_CODES:
        update_engagement(interaction)
        now = clock.now()
        for delay in (engagement.HOT_WINDOW + timedelta(minutes=1), engagement.COLD_AFTER):
            interaction_tasks.recheck_engagement.using(run_after=now + delay).enqueue(
                interaction.pk
            )
    refresh_summary(interaction=interaction)


def _save_state(interaction: Interaction, state: dict[str, Any]) -> None:
    interaction.agent_state = state
    Interaction.objects.filter(pk=interaction.pk).update(agent_state=state)


def _forget_window(state: dict[str, Any], window_id: int) -> dict[str, Any]:
    cleaned = dict(state)
    for key in _OFFER_KEYS:
        value = cleaned.get(key)
        if isinstance(value, list):
            cleaned[key] = [
                item
                for item in value
                if item != window_id
                and not (isinstance(item, dict) and item.get("window_id") == window_id)
            ]
    return cleaned


def apply_decision(
    interaction: Interaction, decision: Decision, *, call: Call | None, text: str
) -> str:
    """Carry out what the brain decided, through services, then say its reply."""
    _save_state(interaction, dict(decision.state or {}))
    reply_kind = gate.SendKind.REPLY
    action = decision.action
    if action == Action.OPT_OUT:
        method = decision.reason if decision.reason in ("wrong_number", "keyword") else "words"
        return opt_out(interaction, method=method, raw_text=text, call=call)
    if action == Action.RESUBSCRIBE:
        if is_opted_out(company=interaction.company, phone=interaction.lead.phone):
            return _resubscribe(interaction, call=call)
        say(interaction, decision.reply or "", kind=reply_kind, call=call)
        return "reply"
    if action == Action.BOOK:
        job = _book(interaction, decision)
        if job is None:
            return _booking_failed(interaction, decision, call=call)
        say(interaction, decision.reply or "", kind=reply_kind, call=call)
        return f"booked job {job.pk}"
    if action == Action.ESCALATE:
        code = f"escalated.{decision.reason}" if decision.reason else "escalated"
        if code not in statuses.BY_CODE:
            code = "escalated"
        change_status(
            interaction=interaction,
            to=code,
            actor_kind=Author.AGENT,
            detail=_why(decision, statuses.get(code).meaning),
        )
        say(interaction, decision.reply or "", kind=reply_kind, call=call)
        return f"escalated ({decision.reason or 'general'})"
    if action == Action.DISMISS:
        change_status(
            interaction=interaction,
            to="dismissed.agent",
            actor_kind=Author.AGENT,
            detail=_DISMISSALS.get(decision.reason, _why(decision, "declined")),
        )
        say(interaction, decision.reply or "", kind=reply_kind, call=call)
        if call is not None:
            channel_services.end_call(call=call)
        return f"dismissed ({decision.reason or 'general'})"
    say(interaction, decision.reply or "", kind=reply_kind, call=call)
    return "reply" if decision.reply else "silent"


def _booking_failed(interaction: Interaction, decision: Decision, *, call: Call | None) -> str:
    """Someone took the last slot of the chosen window first: offer again."""
    interaction.agent_state = _forget_window(interaction.agent_state, decision.window_id or 0)
    try:
        with transaction.atomic():
            again = get_brain().booking_failed(
                conversation_for(interaction), decision.window_id or 0
            )
    except Exception:
        logger.exception("the brain failed after a lost window on interaction %s", interaction.pk)
        again = None
    if isinstance(again, Decision) and again.action != Action.BOOK:
        return "window taken: " + apply_decision(interaction, again, call=call, text="")
    _save_state(interaction, interaction.agent_state)
    say(
        interaction,
        "Sorry, that arrival window was just taken. Could you pick another of the times "
        "I offered, or tell me a day that works?",
        kind=gate.SendKind.REPLY,
        call=call,
    )
    return "window taken: asked again"


_DISMISSALS = {
    "outside_service_area": "the address is outside the service area",
    "declined": "the lead declined",
    "outside_skills": "the job is outside what the company does",
}


def _why(decision: Decision, fallback: str) -> str:
    reason = (decision.reason or "").replace("_", " ").strip()
    return reason or fallback


def _book(interaction: Interaction, decision: Decision) -> Job | None:
    if decision.window_id is None:
        return None
    window = (
        ArrivalWindow.objects.for_company(interaction.company_id)
        .filter(pk=decision.window_id)
        .first()
    )
    job_type = decision.job_type or (interaction.agent_state or {}).get("job_type")
    if window is None or not isinstance(job_type, str) or job_type not in JOB_TYPES:
        return None
    try:
        with transaction.atomic():
            job = book_window(
                window=window,
                job_type=job_type,
                booked_by=Job.BookedBy.AGENT,
                lead=interaction.lead,
                interaction_id=interaction.pk,
            )
    except NoCapacity:
        return None
    record_event(
        interaction=interaction,
        lead=interaction.lead,
        kind=InteractionEvent.Kind.BOOKING,
        actor_kind=Author.AGENT,
        detail=f"Booked {label_of(job_type)} for {window.starts_at.isoformat()}",
        data={"job_id": job.pk, "window_id": window.pk},
    )
    change_status(
        interaction=interaction,
        to="converted.agent",
        actor_kind=Author.AGENT,
        detail=f"The agent booked {label_of(job_type).lower()}",
    )
    return job


# ---------------------------------------------------------------- engagement


def _replies(interaction: Interaction) -> list[engagement.Reply]:
    thread: list[tuple[datetime, int, int, bool, str]] = []
    texts = Message.objects.filter(interaction_id=interaction.pk).exclude(
        delivery_status=Message.Delivery.BLOCKED
    )
    for m in texts:
        inbound = m.direction == Message.Direction.INBOUND
        thread.append((m.sent_at or m.created_at, 0, m.pk, inbound, m.body))
    for t in CallTurn.objects.filter(call__interaction_id=interaction.pk):
        thread.append((t.at, 1, t.pk, t.speaker == Author.LEAD, t.text))
    thread.sort(key=lambda item: item[:3])
    return engagement.replies_from([(at, lead, body) for at, _, _, lead, body in thread])


def update_engagement(interaction: Interaction) -> str | None:
    """Move an active interaction to the Active: label its replies earn (if it changed)."""
    if interaction.status not in statuses.ACTIVE_CODES:
        return None
    label = engagement.engagement_of(_replies(interaction), now=clock.now())
    if label is None:
        return None
    target = statuses.ENGAGEMENT_STATUSES[label]
    if interaction.status != target:
        change_status(
            interaction=interaction,
            to=target,
            actor_kind=Author.SYSTEM,
            detail=f"Engagement: {label}",
        )
    return label


def recheck_engagement(*, interaction_id: int) -> str:
    """Let engagement decay while the lead is silent (Hot to Warm, then Cold after a day)."""
    with transaction.atomic():
        interaction = _lock(interaction_id)
        if interaction.status not in statuses.ACTIVE_CODES:
            return f"skipped: {interaction.status}"
        label = update_engagement(interaction)
        if label is not None:
            refresh_summary(interaction=interaction)
        return label or "no replies"


def mark_cold(interaction: Interaction) -> None:
    """A follow-up goes out to a lead who has not answered: Active: Cold."""
    if interaction.status in statuses.ACTIVE_CODES and interaction.status != "active.cold":
        change_status(
            interaction=interaction,
            to="active.cold",
            actor_kind=Author.SYSTEM,
            detail="No reply; follow-ups continue",
        )

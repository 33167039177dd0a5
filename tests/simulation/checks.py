"""Checks every played scenario must pass, whatever its story: nothing the agent sends
breaks quiet hours, an opt-out or a takeover."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from leadline.accounts.models import Company
from leadline.compliance.gate import Locale, is_inside_window, lead_locales
from leadline.compliance.models import OptOut
from leadline.crm.models import Lead
from leadline.interactions.models import InteractionEvent, Message
from leadline.kit.phone import parse_phone

REPLY_GRACE = timedelta(minutes=15)


def played_lead() -> Lead:
    company = Company.objects.filter(slug__startswith="simulated-").latest("id")
    return Lead.objects.filter(company=company).latest("id")


def _locales(lead: Lead) -> tuple[Locale, ...]:
    return lead_locales(
        lead_zip=lead.zip,
        lead_phone_e164=parse_phone(lead.phone).e164,
        company_time_zone=lead.company.time_zone,
    )


def agent_messages_in_quiet_hours(output: dict[str, Any], lead: Lead) -> list[str]:
    """Agent messages outside the allowed window that are not a reply to a fresh lead message."""
    locales = _locales(lead)
    problems = []
    last_lead_at: datetime | None = None
    for m in output["messages"]:
        at = datetime.fromisoformat(m["at"])
        if m["author"] == "lead":
            last_lead_at = at
            continue
        if m["author"] != "agent":
            continue
        if all(is_inside_window(locale, at) for locale in locales):
            continue
        fresh_reply = last_lead_at is not None and at - last_lead_at < REPLY_GRACE
        if not fresh_reply:
            problems.append(f"{m['at']} {m['body'][:60]}")
    return problems


def _shown_agent_texts(lead: Lead) -> list[Message]:
    return list(
        Message.objects.filter(
            interaction__lead=lead,
            author="agent",
            direction="outbound",
            provider_id__isnull=False,
        ).order_by("sent_at", "id")
    )


def _queued_event_id(message: Message) -> int:
    event = InteractionEvent.objects.filter(
        kind=InteractionEvent.Kind.MESSAGE_OUT, data__message_id=message.pk
    ).first()
    return event.pk if event else 0


def agent_messages_after_takeover(lead: Lead) -> list[str]:
    lead.refresh_from_db()
    if lead.agent_paused_at is None:
        return []
    takeover = (
        InteractionEvent.objects.filter(lead=lead, kind=InteractionEvent.Kind.TAKEOVER)
        .order_by("id")
        .first()
    )
    assert takeover is not None
    problems = []
    for m in _shown_agent_texts(lead):
        assert m.sent_at is not None
        if m.sent_at > lead.agent_paused_at or _queued_event_id(m) > takeover.pk:
            problems.append(m.body[:60])
    problems.extend(
        t.text[:60]
        for t in _agent_turns(lead)
        if t.at > lead.agent_paused_at or _turn_after(t, takeover.pk)
    )
    return problems


def _agent_turns(lead: Lead) -> list[Any]:
    from leadline.interactions.models import CallTurn

    return list(CallTurn.objects.filter(call__interaction__lead=lead, speaker="agent"))


def _turn_after(turn: Any, event_id: int) -> bool:
    event = (
        InteractionEvent.objects.filter(kind=InteractionEvent.Kind.CALL, data__call_id=turn.call_id)
        .filter(data__turn=turn.seq)
        .first()
    )
    return event is not None and event.pk > event_id


def agent_messages_after_opt_out(lead: Lead) -> list[str]:
    opt_out = OptOut.objects.filter(company=lead.company, phone=lead.phone).first()
    if opt_out is None:
        return []
    marker = InteractionEvent.objects.filter(lead=lead, to_status="opt_out").order_by("id").first()
    problems = []
    for m in _shown_agent_texts(lead):
        assert m.sent_at is not None
        if opt_out.resubscribed_at is not None and m.sent_at >= opt_out.resubscribed_at:
            continue
        if m.sent_at > opt_out.opted_out_at or (
            marker is not None and _queued_event_id(m) > marker.pk
        ):
            problems.append(m.body[:60])
    for t in _agent_turns(lead):
        if t.at > opt_out.opted_out_at or (marker is not None and _turn_after(t, marker.pk)):
            problems.append(t.text[:60])
    return problems


def assert_run_is_compliant(output: dict[str, Any]) -> None:
    lead = played_lead()
    assert agent_messages_in_quiet_hours(output, lead) == [], "agent message in quiet hours"
    assert agent_messages_after_opt_out(lead) == [], "agent message after an opt-out"
    assert agent_messages_after_takeover(lead) == [], "agent message after a takeover"

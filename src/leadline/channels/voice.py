"""The Voice Agent on a carrier that drives the call with webhooks (Twilio).

Twilio asks what to say; Leadline answers in TwiML. When the callee picks up, Twilio
POSTs to /webhooks/twilio/voice (with `AnsweredBy`, answering-machine detection is on)
and plays our answer. Every `<Gather input="speech">` sends what the lead said
(`SpeechResult`) to its action URL, the same path with `said` and `quiet` in the query,
and plays the TwiML we answer to that.

So, unlike the simulator, nothing is pushed to the carrier while the conversation runs:
every spoken line is a CallTurn row (the agent's, written by the policy through
channels.services.speak, or the system's compliance lines written here), and the answer
to a webhook renders the non-lead turns written after `said`, the last turn already
rendered. The action URL is signed with the rest of the request, so `said` can be
trusted: nothing is said twice, nothing written is lost, and a repeated webhook (a
retry) gets the answer the first one got. While a webhook is being answered, speak()
and end_call() leave the carrier alone for that call (`answers_in_twiml`): the words
and the hang-up go out in the TwiML.

Outcomes: a machine (`AnsweredBy` machine_*) is Voicemail, with a short message when
compliance allows; fax, busy, no-answer and canceled are unanswered attempts (the
cadence's next touch follows, as it does for any touch the lead did not answer);
failed fails the interaction when nothing ever got through.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import IntegrityError, transaction
from twilio.twiml.voice_response import VoiceResponse

from leadline.accounts.models import Company
from leadline.channels.base import Provider, public_url, twilio_account_for
from leadline.compliance import gate
from leadline.compliance.selectors import is_opted_out
from leadline.crm.models import Lead
from leadline.interactions.models import Author, Call, CallTurn, Interaction, InteractionEvent
from leadline.interactions.services import add_call_turn, record_event
from leadline.kit import clock
from leadline.kit.phone import format_phone

logger = logging.getLogger(__name__)

VOICE_PATH = "/webhooks/twilio/voice"
STATUS_PATH = "/webhooks/twilio/voice/status"
RECORDING_PATH = "/webhooks/twilio/voice/recording"

# Carriers whose calls are run by their webhooks asking for TwiML.
WEBHOOK_DRIVEN = frozenset({"twilio"})

# Twilio's final call statuses -> Call.Outcome (None: answered or not, from the turns).
FINAL_STATUSES: dict[str, str | None] = {
    "completed": None,
    "busy": Call.Outcome.BUSY,
    "no-answer": Call.Outcome.NO_ANSWER,
    "canceled": Call.Outcome.NO_ANSWER,
    "failed": Call.Outcome.FAILED,
}

REPROMPT = "Sorry, I didn't catch that. Are you still there?"
GOODBYE_UNKNOWN = "Sorry, we can't continue this call. Goodbye."
GOODBYE_CLOSED = "Sorry to have bothered you. Goodbye."
HANDOFF = "Thanks for your time. A member of our team will follow up with you. Goodbye."
INBOUND_QUESTION = "How can we help you today?"


def silence_goodbye(company: Company) -> str:
    """What the agent says before hanging up on a line that stays silent."""
    return (
        "Sorry, I can't hear you, so I'll let you go. You can call us back any time at "
        f"{format_phone(company.phone)}. Goodbye."
    )


def call_notice(company_name: str) -> str:
    """Who is calling, that the call is recorded, and how to stop our calls."""
    return (
        f"Hello, this is {company_name}. This call may be recorded. "
        "If you'd rather not get calls from us, say stop at any time."
    )


def needs_notice(company_name: str, opening: str) -> bool:
    """Whether the opening leaves out the business name, the recording notice or the opt-out."""
    text = opening.casefold()
    return not (company_name.casefold() in text and "recorded" in text and "say stop" in text)


def voicemail_text(company: Company, lead: Lead) -> str:
    """A short voicemail: who called, a number to call back, how to opt out."""
    hello = f"Hi {lead.first_name}, this" if lead.first_name else "Hi, this"
    return (
        f"{hello} is {company.name} calling about your service request. "
        f"Please call us back at {format_phone(company.phone)}. "
        "If you'd rather not get calls from us, tell us when you call back. Thank you."
    )


def drives_calls_by_webhook(provider: Provider) -> bool:
    """Whether the carrier asks us for each call's words (TwiML) instead of being told."""
    return provider.name in WEBHOOK_DRIVEN


def caller_id_for(company: Company, provider: Provider) -> str:
    """The number a call comes from: the company's Twilio number, else its office number.

    A Messaging Service (MG...) cannot place calls; the office number must then be a
    number of the Twilio account or a verified caller ID there.
    """
    if drives_calls_by_webhook(provider):
        sender = twilio_account_for(company).sender
        if sender and not sender.startswith("MG"):
            return sender
    return company.phone


# ---------------------------------------------------------------- the webhook in progress

_answering: ContextVar[frozenset[str]] = ContextVar("leadline_twiml_calls", default=frozenset())


@contextmanager
def answering(call_sid: str) -> Iterator[None]:
    """While a webhook of this call is answered, its words and hang-up go out in the TwiML."""
    token = _answering.set(_answering.get() | {call_sid})
    try:
        yield
    finally:
        _answering.reset(token)


def answers_in_twiml(call_id: str) -> bool:
    """Whether the call's next words and hang-up are rendered in the TwiML being written."""
    return bool(call_id) and call_id in _answering.get()


# ---------------------------------------------------------------- rendering


def status_callback_url() -> str:
    """Where Twilio reports a call's progress and its final status."""
    return public_url(STATUS_PATH)


def action_url(*, said: int, quiet: int) -> str:
    """Where a Gather sends the lead's words: the last turn rendered, silences so far."""
    return public_url(f"{VOICE_PATH}?said={said}&quiet={quiet}")


def hang_up_twiml(text: str) -> str:
    """TwiML that says one line and ends the call."""
    response = VoiceResponse()
    response.say(text)
    response.hangup()
    return str(response)


def empty_twiml() -> str:
    return str(VoiceResponse())


def render(call: Call, *, after: int, quiet: int) -> str:
    """The call's non-lead turns after `after`, in a speech Gather, or before a hang-up."""
    turns = list(CallTurn.objects.filter(call_id=call.pk, seq__gt=after).order_by("seq"))
    lines = [turn.text for turn in turns if turn.speaker != Author.LEAD]
    last = turns[-1].seq if turns else after
    response = VoiceResponse()
    if call.outcome != Call.Outcome.IN_PROGRESS:
        for line in lines:
            response.say(line)
        response.hangup()
        return str(response)
    gather = response.gather(
        input="speech",
        action=action_url(said=last, quiet=quiet),
        method="POST",
        speech_timeout="auto",
        # An empty or timed-out Gather comes back to us too, so silence is ours to handle.
        action_on_empty_result=True,
        language="en-US",
    )
    for line in lines:
        gather.say(line)
    return str(response)


# ---------------------------------------------------------------- reading and locking


def _find_call(call_sid: str, company: Company | None) -> Call | None:
    if not call_sid:
        return None
    calls = Call.objects.for_company(company) if company is not None else Call.objects.all()
    return calls.filter(provider_id=call_sid).first()


def _lock(call: Call) -> Call:
    # The policy locks the interaction before it ends a call: lock in the same order.
    Interaction.objects.select_for_update().filter(pk=call.interaction_id).first()
    return Call.objects.select_for_update().get(pk=call.pk)


def _last_seq(call: Call) -> int:
    return int(
        CallTurn.objects.filter(call_id=call.pk)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
        or 0
    )


def _pending_opening(call: Call) -> str:
    """The agent's opening written when the call was placed, said once a person answers."""
    event = (
        InteractionEvent.objects.filter(
            interaction_id=call.interaction_id,
            kind=InteractionEvent.Kind.CALL,
            data__call_id=call.pk,
            data__has_key="opening",
        )
        .order_by("id")
        .first()
    )
    return str(event.data.get("opening") or "") if event is not None else ""


def _may_speak(interaction: Interaction, lead: Lead) -> bool:
    return (
        interaction.is_open
        and lead.agent_paused_at is None
        and not is_opted_out(company=interaction.company, phone=lead.phone)
    )


def _voicemail_allowed(interaction: Interaction, lead: Lead) -> bool:
    if not _may_speak(interaction, lead):
        return False
    verdict = gate.check(
        company=interaction.company,
        lead=lead,
        kind=gate.SendKind.OUTREACH,
        now=clock.now(),
        last_inbound_at=interaction.last_inbound_at,
    )
    return verdict.allowed


def _end(call: Call, *, outcome: str | None = None, error_code: str = "") -> Call:
    from leadline.channels.services import end_call

    return end_call(call=call, outcome=outcome, error_code=error_code)


# ---------------------------------------------------------------- the webhooks


def _take_inbound(company: Company, *, from_phone: str, call_sid: str) -> Call | None:
    from leadline.channels.services import start_inbound_call

    try:
        with transaction.atomic():
            return start_inbound_call(company=company, from_phone=from_phone, provider_id=call_sid)
    except IntegrityError:
        # The same call's webhook, concurrently: the other request stored it.
        return _find_call(call_sid, company)
    except ValueError as exc:
        # Not a number we can call back, or no voice campaign to take the call.
        logger.warning("inbound call %s not taken: %s", call_sid, exc)
        return None


def answer_call(
    *,
    call_sid: str,
    answered_by: str = "",
    company: Company | None = None,
    direction: str = "",
    from_phone: str = "",
) -> str:
    """Twilio says the call was picked up: greet a person, leave a voicemail on a machine.

    A call to the company's Twilio number (Direction inbound) becomes a call on the
    caller's conversation; the agent greets and listens.
    """
    found = _find_call(call_sid, company)
    if found is None and direction == "inbound" and company is not None and from_phone:
        found = _take_inbound(company, from_phone=from_phone, call_sid=call_sid)
    if found is None:
        logger.warning("voice webhook for unknown call %s", call_sid)
        return hang_up_twiml(GOODBYE_UNKNOWN)
    with answering(call_sid), transaction.atomic():
        call = _lock(found)
        if call.outcome != Call.Outcome.IN_PROGRESS:
            return render(call, after=_last_seq(call), quiet=0)
        if CallTurn.objects.filter(call_id=call.pk).exists():
            # The same webhook again (Twilio retried): answer as the first time.
            return render(call, after=0, quiet=0)
        interaction = Interaction.objects.select_related("company", "lead").get(
            pk=call.interaction_id
        )
        company = interaction.company
        lead = interaction.lead
        machine = answered_by.lower().startswith("machine")
        if machine or answered_by.lower() == "fax":
            left = machine and _voicemail_allowed(interaction, lead)
            if left:
                add_call_turn(call=call, speaker=Author.AGENT, text=voicemail_text(company, lead))
            call = _end(call, outcome=Call.Outcome.VOICEMAIL if machine else Call.Outcome.NO_ANSWER)
            return render(call, after=0, quiet=0)
        if call.direction == "outbound" and not _may_speak(interaction, lead):
            # Taken over or opted out while the phone rang: no conversation now.
            add_call_turn(call=call, speaker=Author.SYSTEM, text=GOODBYE_CLOSED)
            call = _end(call)
            return render(call, after=0, quiet=0)
        opening = _pending_opening(call)
        if needs_notice(company.name, opening):
            add_call_turn(call=call, speaker=Author.SYSTEM, text=call_notice(company.name))
        add_call_turn(call=call, speaker=Author.AGENT, text=opening or INBOUND_QUESTION)
        return render(call, after=0, quiet=0)


def take_turn(
    *,
    call_sid: str,
    speech: str,
    said: int | None,
    quiet: int = 0,
    company: Company | None = None,
) -> str:
    """What the lead said (or their silence) on a Gather: store it, answer with the agent."""
    from leadline.agent import policy

    found = _find_call(call_sid, company)
    if found is None:
        logger.warning("speech webhook for unknown call %s", call_sid)
        return hang_up_twiml(GOODBYE_UNKNOWN)
    with answering(call_sid), transaction.atomic():
        call = _lock(found)
        if said is None:
            # A Gather we did not render (no `said`): everything so far was said.
            said = _last_seq(call)
        if CallTurn.objects.filter(call_id=call.pk, seq__gt=said).exists():
            # Already answered (a retried webhook): the same answer again.
            heard = CallTurn.objects.filter(
                call_id=call.pk, seq__gt=said, speaker=Author.LEAD
            ).exists()
            return render(call, after=said, quiet=0 if heard else quiet + 1)
        if call.outcome != Call.Outcome.IN_PROGRESS:
            return render(call, after=said, quiet=quiet)
        interaction = Interaction.objects.select_related("company").get(pk=call.interaction_id)
        text = speech.strip()
        if not text:
            if quiet >= 1:
                add_call_turn(
                    call=call, speaker=Author.SYSTEM, text=silence_goodbye(interaction.company)
                )
                call = _end(call)
            else:
                add_call_turn(call=call, speaker=Author.SYSTEM, text=REPROMPT)
            return render(call, after=said, quiet=quiet + 1)
        turn = add_call_turn(call=call, speaker=Author.LEAD, text=text)
        policy.handle_spoken_turn(turn=turn)
        call.refresh_from_db()
        answered = CallTurn.objects.filter(call_id=call.pk, seq__gt=turn.seq).exists()
        if call.outcome == Call.Outcome.IN_PROGRESS and not answered:
            # The agent stays silent (taken over, waiting for a person): end kindly.
            add_call_turn(call=call, speaker=Author.SYSTEM, text=HANDOFF)
            call = _end(call)
        return render(call, after=said, quiet=0)


def call_status(
    *,
    call_sid: str,
    status: str,
    answered_by: str = "",
    error_code: str = "",
    company: Company | None = None,
) -> Call | None:
    """Twilio's status callback: a final status ends the call with its outcome, once."""
    status = status.lower()
    if status not in FINAL_STATUSES:
        return None  # queued, initiated, ringing, in-progress: nothing to keep
    found = _find_call(call_sid, company)
    if found is None:
        logger.info("status callback for unknown call %s", call_sid)
        return None
    outcome = FINAL_STATUSES[status]
    if status == "completed" and answered_by.lower().startswith("machine"):
        outcome = Call.Outcome.VOICEMAIL
    with answering(call_sid):
        # The call is over at the carrier: there is nothing to hang up.
        return _end(found, outcome=outcome, error_code=error_code)


# Call.recording_id's column width: a longer id is not one of Twilio's (RE + 32 hex).
RECORDING_ID_LENGTH = 64


@transaction.atomic
def recording_ready(
    *,
    call_sid: str,
    recording_sid: str,
    status: str = "completed",
    duration: str = "",
    company: Company | None = None,
) -> Call | None:
    """Twilio's recording callback: link the finished recording (its id, never a URL)."""
    if (status or "completed").lower() != "completed" or not recording_sid:
        return None
    if len(recording_sid) > RECORDING_ID_LENGTH:
        logger.warning("recording callback for %s with an id that is not Twilio's", call_sid)
        return None
    found = _find_call(call_sid, company)
    if found is None:
        logger.info("recording callback for unknown call %s", call_sid)
        return None
    call = Call.objects.select_for_update().get(pk=found.pk)
    # Whole seconds, as Twilio sends them; anything else (or absurd) is not stored.
    seconds = int(duration) if duration.isdigit() and int(duration) <= 86_400 else None
    if call.recording_id == recording_sid and call.recording_duration == seconds:
        return call
    call.recording_id = recording_sid
    call.recording_duration = seconds
    call.save(update_fields=["recording_id", "recording_duration"])
    interaction = Interaction.objects.select_related("lead").get(pk=call.interaction_id)
    record_event(
        interaction=interaction,
        lead=interaction.lead,
        kind=InteractionEvent.Kind.CALL,
        actor_kind=Author.SYSTEM,
        detail="Call recording saved" + (f" ({seconds} s)" if seconds is not None else ""),
        data={"call_id": call.pk, "recording": True},
    )
    return call

"""Twilio's voice webhooks: the call answered and each spoken turn (TwiML), status, recording.

Thin: each view checks the signature (require_twilio_signature: 403 and nothing stored
otherwise), reads Twilio's parameters and calls one service of channels/voice.py.
Twilio waits for the TwiML of a voice request, so the agent answers inline; a request
that cannot be handled still gets valid TwiML (a polite goodbye), never an error page,
because Twilio would read an error page to the lead as "an application error".
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse

from leadline.channels import voice
from leadline.channels.twilio_signature import require_twilio_signature, twilio_company

logger = logging.getLogger(__name__)

TWIML = "text/xml; charset=utf-8"


def _twiml(body: str) -> HttpResponse:
    return HttpResponse(body, content_type=TWIML)


def _number(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() else None


@require_twilio_signature
def voice_call(request: HttpRequest) -> HttpResponse:
    """POST /webhooks/twilio/voice: the call was answered, or a Gather brings the lead's words."""
    params = request.POST
    call_sid = params.get("CallSid", "")
    company = twilio_company(request)
    said = _number(request.GET.get("said"))
    try:
        if said is not None or "SpeechResult" in params:
            body = voice.take_turn(
                call_sid=call_sid,
                speech=params.get("SpeechResult", ""),
                said=said,
                quiet=_number(request.GET.get("quiet")) or 0,
                company=company,
            )
        else:
            body = voice.answer_call(
                call_sid=call_sid,
                answered_by=params.get("AnsweredBy", ""),
                company=company,
                direction=params.get("Direction", ""),
                from_phone=params.get("From", ""),
            )
    except Exception:
        # Whatever broke, the lead hears a goodbye instead of Twilio's error message.
        logger.exception("voice webhook for call %s failed", call_sid)
        body = voice.hang_up_twiml(voice.GOODBYE_UNKNOWN)
    return _twiml(body)


@require_twilio_signature
def voice_status(request: HttpRequest) -> HttpResponse:
    """POST /webhooks/twilio/voice/status: the call's progress; a final status ends it."""
    params = request.POST
    voice.call_status(
        call_sid=params.get("CallSid", ""),
        status=params.get("CallStatus", ""),
        answered_by=params.get("AnsweredBy", ""),
        error_code=params.get("ErrorCode", ""),
        company=twilio_company(request),
    )
    return _twiml(voice.empty_twiml())


@require_twilio_signature
def voice_recording(request: HttpRequest) -> HttpResponse:
    """POST /webhooks/twilio/voice/recording: the call's recording is ready (its id is kept)."""
    params = request.POST
    voice.recording_ready(
        call_sid=params.get("CallSid", ""),
        recording_sid=params.get("RecordingSid", ""),
        status=params.get("RecordingStatus", ""),
        duration=params.get("RecordingDuration", ""),
        company=twilio_company(request),
    )
    return _twiml(voice.empty_twiml())

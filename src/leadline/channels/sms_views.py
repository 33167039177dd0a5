"""Twilio's SMS webhooks: an inbound text and a delivery status callback.

Both are signature-checked before anything is read (twilio_signature). They
answer at once: the inbound text is stored and the agent answers it in the
worker; a status callback moves the text's delivery status forward.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse

from leadline.channels import services
from leadline.channels.twilio import delivery_status
from leadline.channels.twilio_signature import require_twilio_signature, twilio_company

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def _empty_twiml() -> HttpResponse:
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


@require_twilio_signature
def inbound_sms(request: HttpRequest) -> HttpResponse:
    """POST /webhooks/twilio/sms: a lead texted one of our numbers."""
    company = twilio_company(request)
    sid = request.POST.get("MessageSid") or request.POST.get("SmsSid") or ""
    from_phone = request.POST.get("From", "")
    body = request.POST.get("Body", "")
    if company is None:
        # Signed by the installation's account, but no company sends from that number.
        logger.warning("inbound text to %s: no company uses this number", request.POST.get("To"))
        return _empty_twiml()
    if not sid or not from_phone:
        logger.warning("inbound text without MessageSid or From ignored")
        return _empty_twiml()
    try:
        services.receive_twilio_sms(
            company=company, message_sid=sid, from_phone=from_phone, body=body
        )
    except ValueError as exc:
        # A sender we cannot take as a lead (e.g. a short code): nothing for the agent to do.
        logger.warning("inbound text %s from %r not taken in: %s", sid, from_phone, exc)
    return _empty_twiml()


@require_twilio_signature
def sms_status(request: HttpRequest) -> HttpResponse:
    """POST /webhooks/twilio/sms/status: Twilio's delivery status of a text we sent."""
    company = twilio_company(request)
    sid = request.POST.get("MessageSid") or request.POST.get("SmsSid") or ""
    status = request.POST.get("MessageStatus") or request.POST.get("SmsStatus") or ""
    error_code = request.POST.get("ErrorCode", "")
    if company is not None and sid and status:
        services.report_delivery(
            company=company,
            provider_id=sid,
            status=delivery_status(status),
            error_code=error_code,
        )
    else:
        logger.info("status callback for unknown text %s ignored", sid)
    return HttpResponse("", content_type="text/plain")

"""Twilio webhooks prove they come from Twilio with X-Twilio-Signature.

Twilio signs the address it called (LEADLINE_PUBLIC_URL + path + query, never the
address the request has after a proxy) and the POSTed parameters with the auth
token of the account the number belongs to. `require_twilio_signature` checks
that before the view runs: a missing or wrong signature is a 403 and the view
never runs, so nothing is stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

from leadline.accounts.models import Company
from leadline.channels.base import provider_name, public_url, twilio_account_for
from leadline.interactions.models import Call, Message
from leadline.kit.phone import normalise_phone

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]
_COMPANY_ATTRIBUTE = "twilio_company"


def _phone(value: str) -> str:
    try:
        return normalise_phone(value)
    except ValueError:
        return value


def company_for_twilio_request(params: Mapping[str, Any]) -> Company | None:
    """The company a Twilio request is about (whose auth token signs it), if any is known.

    In order: the company of the message or call whose SID the request names; the
    company whose Twilio sender is the Messaging Service, the To or the From number;
    the single company that uses the installation's default sender. None means the
    installation's default account signs it.
    """
    for key, model in (("MessageSid", Message), ("SmsSid", Message), ("CallSid", Call)):
        sid = str(params.get(key) or "")
        if sid:
            row = model.objects.filter(provider_id=sid).only("company_id").first()
            if row is not None:
                return Company.objects.filter(pk=row.company_id).first()
    senders = [
        str(params.get(key) or "") for key in ("MessagingServiceSid", "To", "From", "Called")
    ]
    senders = [value for value in senders if value]
    if not senders:
        return None
    numbers = {_phone(value) for value in senders} | set(senders)
    by_sender = Company.objects.filter(twilio_from__in=numbers).order_by("id").first()
    if by_sender is not None:
        return by_sender
    default_sender = twilio_account_for(None).sender
    if default_sender and default_sender in numbers:
        uses_twilio = Q(provider="twilio")
        if provider_name() == "twilio":
            uses_twilio |= Q(provider="")
        on_default = Company.objects.filter(uses_twilio, twilio_from="")
        candidates = list(on_default.order_by("id")[:2])
        if len(candidates) == 1:
            return candidates[0]
    return None


def signed_url(request: HttpRequest) -> str:
    """The address Twilio signed: LEADLINE_PUBLIC_URL + the path and query it called."""
    query = request.META.get("QUERY_STRING", "")
    return public_url(request.path) + (f"?{query}" if query else "")


def twilio_company(request: HttpRequest) -> Company | None:
    """The company a signature-checked Twilio request belongs to (None: the default account)."""
    company: Company | None = getattr(request, _COMPANY_ATTRIBUTE, None)
    return company


def require_twilio_signature(view: View) -> View:
    """Run `view` only for a POST that carries a valid X-Twilio-Signature; else 403 (405)."""

    @csrf_exempt
    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        signature = request.headers.get(SIGNATURE_HEADER, "")
        company = company_for_twilio_request(request.POST)
        token = twilio_account_for(company).auth_token
        algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER, ""))
        url = signed_url(request)
        valid = bool(
            signature
            and token
            and RequestValidator(token).validate(url, request.POST, signature, algorithm)
        )
        if not valid:
            logger.warning(
                "rejected a Twilio webhook to %s: %s signature",
                request.path,
                "wrong" if signature else "missing",
            )
            return HttpResponseForbidden(
                "The Twilio signature is missing or wrong.", content_type="text/plain"
            )
        setattr(request, _COMPANY_ATTRIBUTE, company)
        return view(request, *args, **kwargs)

    return checked

"""Twilio webhooks prove they come from Twilio with X-Twilio-Signature.

Twilio signs the address it called (LEADLINE_PUBLIC_URL + path + query, never the
address the request has after a proxy) and the POSTed parameters with the auth
token of the account the number belongs to. `require_twilio_signature` checks
that before the view runs: a missing or wrong signature is a 403 and the view
never runs, so nothing is stored.

Which company a request is about decides whose token checks it and where what it
carries is stored, so it is decided only from what the sender cannot choose
(`company_for_twilio_request`): the message or call SID we stored, else the number
or Messaging Service that was called. The caller's number (From) never picks a
company, and only companies that use Twilio are candidates.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django.conf import settings
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
# The parameters that name our side of a request Twilio received for us.
CALLED_SIDE = ("MessagingServiceSid", "To", "Called")
# A company without both its own SID and token uses the installation's account.
ON_INSTALLATION_ACCOUNT = Q(twilio_account_sid="") | Q(twilio_auth_token="")


def _phone(value: str) -> str:
    try:
        return normalise_phone(value)
    except ValueError:
        return value


def uses_twilio() -> Q:
    """Companies whose texts and calls go through Twilio (their own choice or the default)."""
    chosen = Q(provider="twilio")
    if provider_name() == "twilio":
        chosen |= Q(provider="")
    return chosen


def installation_sender() -> str:
    """The installation's default sender (LEADLINE_TWILIO_FROM), "" when none is set."""
    return str(getattr(settings, "LEADLINE_TWILIO_FROM", "") or "").strip()


def _by_stored_sid(params: Mapping[str, Any]) -> tuple[bool, Company | None]:
    """(whether a SID of ours is named, the Twilio company it belongs to)."""
    for key, model in (("MessageSid", Message), ("SmsSid", Message), ("CallSid", Call)):
        sid = str(params.get(key) or "")
        if not sid:
            continue
        row = model.objects.filter(provider_id=sid).only("company_id").first()
        if row is not None:
            return True, Company.objects.filter(uses_twilio(), pk=row.company_id).first()
    return False, None


def _is_delivery_status(params: Mapping[str, Any]) -> bool:
    # A status callback is about a text we sent: its To is the lead, never our number.
    status = str(params.get("MessageStatus") or "").lower()
    return bool(status) and status != "received"


def company_for_twilio_request(params: Mapping[str, Any]) -> Company | None:
    """The Twilio company a request is about (whose token signs it); None: nobody's.

    In order: the company of the message or call whose SID we stored (status
    callbacks, a call's later webhooks, a retried inbound text); else the company
    whose sender is the Messaging Service, the To or the Called number; else, for
    the installation's default sender, the single company on it. From is never
    read. None means no company: the installation's account signs it, nothing of a
    company is touched.
    """
    named, owner = _by_stored_sid(params)
    if named or _is_delivery_status(params):
        return owner
    called = [str(params.get(key) or "").strip() for key in CALLED_SIDE]
    called = [value for value in called if value]
    if not called:
        return None
    numbers = {_phone(value) for value in called} | set(called)
    default_sender = installation_sender()
    twilio_companies = Company.objects.filter(uses_twilio())
    # The installation's number is never a company's own sender (the settings form
    # refuses it): a row that says so anyway does not route.
    own_senders = twilio_companies.filter(twilio_from__in=numbers - {"", default_sender})
    matches = list(own_senders.order_by("id")[:3])
    if len(matches) > 1:
        # The Messaging Service and the number are different companies' senders: the
        # account the request is for decides, and if it cannot, nobody gets it.
        account = str(params.get("AccountSid") or "")
        matches = [c for c in matches if twilio_account_for(c).account_sid == account]
        if len(matches) != 1:
            logger.warning("Twilio request to %s matches several companies", sorted(numbers))
            return None
    if matches:
        return matches[0]
    if default_sender and default_sender in numbers:
        on_default = twilio_companies.filter(ON_INSTALLATION_ACCOUNT, twilio_from="")
        candidates = list(on_default.order_by("id")[:2])
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            logger.warning("several companies use the installation's number %s", default_sender)
    return None


def account_matches(params: Mapping[str, Any], company: Company | None) -> bool:
    """Whether the request's AccountSid (when it has one) is the account that signs for it."""
    sent = str(params.get("AccountSid") or "")
    expected = twilio_account_for(company).account_sid
    return not sent or not expected or sent == expected


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
        if not account_matches(request.POST, company):
            # Signed, but for another account than the one that owns the number: a
            # company must not receive what was sent to another account's number.
            logger.warning("rejected a Twilio webhook to %s: another account", request.path)
            return HttpResponseForbidden(
                "The request is for another Twilio account.", content_type="text/plain"
            )
        setattr(request, _COMPANY_ATTRIBUTE, company)
        return view(request, *args, **kwargs)

    return checked

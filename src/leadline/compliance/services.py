"""Writes to the opt-out registry: opting out and re-subscribing."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from leadline.accounts.models import Company
from leadline.compliance.models import OptOut
from leadline.kit import clock
from leadline.kit.phone import normalise_phone


@transaction.atomic
def record_opt_out(
    *,
    company: Company,
    phone: str,
    method: OptOut.Method | str,
    raw_text: str = "",
    at: datetime | None = None,
) -> tuple[OptOut, bool]:
    """Opt `phone` out of `company`'s automated sends; True when it was not opted out before."""
    number = normalise_phone(phone)
    moment = at or clock.now()
    method = OptOut.Method(method)
    registry = OptOut.objects.for_company(company)
    # The conditional update and the unique (company, phone) row make a second STOP,
    # even one racing the first in another process, report False: one confirmation only.
    renewed = registry.filter(phone=number, active=False).update(
        active=True, opted_out_at=moment, method=method, raw_text=raw_text, resubscribed_at=None
    )
    if renewed:
        _put_on_timeline(company, number, method)
        return registry.get(phone=number), True
    try:
        with transaction.atomic():
            opt_out = OptOut.objects.create(
                company=company, phone=number, opted_out_at=moment, method=method, raw_text=raw_text
            )
    except IntegrityError:
        return registry.get(phone=number), False
    _put_on_timeline(company, number, method)
    return opt_out, True


# The agent puts the opt-outs it hears (keyword, words, wrong number) on the timeline of the
# conversation they happened in. A carrier report or an entry by a team member has no such
# conversation, so the registry records those itself: the timeline, the live pages and the
# lead.opted_out webhook learn of every opt-out.
_RECORDED_HERE = frozenset({OptOut.Method.CARRIER, OptOut.Method.MANUAL})


def _put_on_timeline(company: Company, number: str, method: OptOut.Method) -> None:
    if method not in _RECORDED_HERE:
        return
    # Imported here: interactions' services import the channels and the agent, which import this.
    from leadline.crm.selectors import find_lead_by_phone
    from leadline.interactions.models import Author, InteractionEvent
    from leadline.interactions.services import record_event

    lead = find_lead_by_phone(company=company, phone=number)
    if lead is None:
        return
    record_event(
        interaction=None,
        lead=lead,
        kind=InteractionEvent.Kind.OPT_OUT,
        actor_kind=Author.SYSTEM,
        detail=f"Opt-out ({method.label})",
        data={"method": method.value, "new": True},
    )


@transaction.atomic
def resubscribe(*, company: Company, phone: str, at: datetime | None = None) -> bool:
    """Lift `phone`'s opt-out with `company` (START, UNSTOP, YES); True when there was one."""
    lifted = (
        OptOut.objects.for_company(company)
        .filter(phone=normalise_phone(phone), active=True)
        .update(active=False, resubscribed_at=at or clock.now())
    )
    return lifted > 0

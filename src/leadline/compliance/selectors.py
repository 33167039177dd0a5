"""Reads of the opt-out registry."""

from __future__ import annotations

from leadline.accounts.models import Company
from leadline.compliance.models import OptOut
from leadline.kit.phone import normalise_phone


def is_opted_out(*, company: Company, phone: str) -> bool:
    """Whether `phone` has an active opt-out with `company`."""
    return (
        OptOut.objects.for_company(company)
        .filter(phone=normalise_phone(phone), active=True)
        .exists()
    )


def active_opt_out(*, company: Company, phone: str) -> OptOut | None:
    """The active opt-out of `phone` with `company`, if there is one."""
    return (
        OptOut.objects.for_company(company)
        .filter(phone=normalise_phone(phone), active=True)
        .first()
    )

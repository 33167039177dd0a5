"""Selectors start from the actor's company: another company's rows are simply not there."""

from __future__ import annotations

import pytest

from leadline.accounts.models import Company
from leadline.capacity.selectors import free_windows
from leadline.crm.models import Lead
from leadline.interactions.models import Interaction, InteractionEvent
from leadline.interactions.selectors import (
    events_since,
    get_interaction,
    interactions_for,
    status_group_counts,
    timeline_for_lead,
)
from leadline.interactions.services import change_status
from leadline.kit.errors import NotFound
from tests.builders import make_interaction, make_window

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_tenants(company: Company, other_company: Company) -> tuple[Interaction, Interaction]:
    """One interaction in each company, with the same phone number and name."""
    ours = make_interaction(company)
    theirs = make_interaction(other_company)
    change_status(interaction=theirs, to="escalated.human_request")
    return ours, theirs


def test_interactions_for_lists_only_the_company_own(
    company: Company, two_tenants: tuple[Interaction, Interaction]
) -> None:
    ours, _ = two_tenants
    assert list(interactions_for(company=company)) == [ours]


def test_get_interaction_finds_the_company_own(
    company: Company, two_tenants: tuple[Interaction, Interaction]
) -> None:
    ours, _ = two_tenants
    assert get_interaction(company=company, interaction_id=ours.pk) == ours


def test_get_interaction_of_another_company_is_not_found(
    company: Company, two_tenants: tuple[Interaction, Interaction]
) -> None:
    _, theirs = two_tenants
    with pytest.raises(NotFound):
        get_interaction(company=company, interaction_id=theirs.pk)


@pytest.mark.parametrize("bad_id", ["abc", "1; DROP TABLE", None, 10**12])
def test_get_interaction_with_a_malformed_or_unknown_id_is_not_found(
    company: Company, bad_id: object
) -> None:
    with pytest.raises(NotFound):
        get_interaction(company=company, interaction_id=bad_id)  # type: ignore[arg-type]


def test_timeline_of_another_company_lead_is_empty(
    company: Company, two_tenants: tuple[Interaction, Interaction]
) -> None:
    ours, theirs = two_tenants
    assert timeline_for_lead(company=company, lead_id=theirs.lead_id).count() == 0
    assert timeline_for_lead(company=company, lead_id=ours.lead_id).count() == 1


def test_events_since_carries_only_the_company_own_events(
    company: Company, other_company: Company, two_tenants: tuple[Interaction, Interaction]
) -> None:
    ours, _ = two_tenants
    feed = list(events_since(company=company, after_id=0))
    assert [event.interaction_id for event in feed] == [ours.pk]
    assert InteractionEvent.objects.filter(company=other_company).count() == 2


def test_status_counters_count_only_the_company_own(
    company: Company, two_tenants: tuple[Interaction, Interaction]
) -> None:
    counts = status_group_counts(company=company)
    assert counts["total"] == 1
    assert counts["escalated"] == 0


def test_free_windows_never_offer_another_company_capacity(
    company: Company, other_company: Company
) -> None:
    ours = make_window(company)
    make_window(other_company, starts_at=ours.starts_at)

    assert list(free_windows(company=company, job_type="ac_repair")) == [ours]


def test_for_company_none_is_empty(two_tenants: tuple[Interaction, Interaction]) -> None:
    assert Interaction.objects.for_company(None).count() == 0
    assert Lead.objects.for_company(None).count() == 0
    assert list(interactions_for(company=None)) == []  # type: ignore[arg-type]


def test_for_company_accepts_a_company_id(
    company: Company, two_tenants: tuple[Interaction, Interaction]
) -> None:
    ours, _ = two_tenants
    assert list(Interaction.objects.for_company(company.pk)) == [ours]

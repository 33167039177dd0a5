"""The status table of the product brief and the rules for moving between statuses."""

from __future__ import annotations

from unittest import mock

import pytest

from leadline.accounts.models import Company
from leadline.interactions import statuses
from leadline.interactions.models import Author, Interaction, InteractionEvent
from leadline.interactions.services import change_status
from leadline.kit.errors import InvalidTransition
from tests.builders import make_campaign, make_interaction, make_lead, make_user

# The table of the product brief, in its order, spelled exactly as users see it.
BRIEF_TABLE = [
    ("active", "Started"),
    ("active", "Active: Hot"),
    ("active", "Active: Warm"),
    ("active", "Active: Cool"),
    ("active", "Active: Cold"),
    ("active", "Active"),
    ("converted", "Converted: Agent"),
    ("converted", "Converted: Human"),
    ("converted", "Converted"),
    ("escalated", "Escalated (Agent Issue)"),
    ("escalated", "Escalated (Availability)"),
    ("escalated", "Escalated (Skill/Handling)"),
    ("escalated", "Escalated (Human Request)"),
    ("escalated", "Escalated (Negative Sentiment)"),
    ("escalated", "Escalated"),
    ("closed", "Dismissed: Agent"),
    ("closed", "Dismissed: Human"),
    ("closed", "Dismissed"),
    ("closed", "Abandoned"),
    ("closed", "Opt-out"),
    ("closed", "Failed"),
    ("closed", "Terminated"),
    ("closed", "Takeover"),
]

FINAL_CODES = [
    "converted.agent",
    "converted.human",
    "converted",
    "dismissed.agent",
    "dismissed.human",
    "dismissed",
    "abandoned",
    "opt_out",
    "failed",
    "terminated",
]

ALL_CODES = [s.code for s in statuses.STATUSES]
ROW_FIELDS = ("status", "status_group", "escalated", "engagement", "closed_at", "updated_at")


def _row(interaction: Interaction) -> tuple[object, ...]:
    fresh = Interaction.objects.get(pk=interaction.pk)
    return tuple(getattr(fresh, field) for field in ROW_FIELDS)


def test_every_status_of_the_brief_exists_with_its_exact_label_and_group() -> None:
    assert [(s.group.value, s.label) for s in statuses.STATUSES] == BRIEF_TABLE


def test_status_codes_and_labels_are_unique() -> None:
    assert len(statuses.BY_CODE) == len(statuses.STATUSES) == 23
    assert len(statuses.BY_LABEL) == len(statuses.STATUSES)


def test_the_interaction_status_field_offers_exactly_the_brief_labels() -> None:
    field = Interaction._meta.get_field("status")
    assert [label for _, label in field.choices] == [label for _, label in BRIEF_TABLE]


def test_every_allowed_target_is_a_known_status() -> None:
    assert set(statuses.ALLOWED) == set(ALL_CODES)
    for targets in statuses.ALLOWED.values():
        assert targets <= set(ALL_CODES)


@pytest.mark.parametrize("final", FINAL_CODES)
def test_a_final_status_allows_no_change(final: str) -> None:
    assert statuses.ALLOWED[final] == frozenset()
    assert not statuses.get(final).is_open


def test_after_a_takeover_a_person_can_only_book_dismiss_or_the_lead_opt_out() -> None:
    assert statuses.ALLOWED["takeover"] == {
        "converted.human",
        "converted",
        "dismissed.human",
        "dismissed",
        "opt_out",
        "terminated",
    }


def test_an_escalated_interaction_cannot_be_closed_by_the_agent_alone() -> None:
    for code in statuses.ESCALATED_CODES:
        assert not statuses.ALLOWED[code] & {"converted.agent", "dismissed.agent", "abandoned"}
        assert not statuses.ALLOWED[code] & statuses.ACTIVE_CODES


@pytest.mark.django_db
@pytest.mark.parametrize("from_code", ALL_CODES)
def test_a_forbidden_change_is_refused_and_leaves_no_trace(
    company: Company, from_code: str
) -> None:
    interaction = make_interaction(company, status=from_code)
    before_row = _row(interaction)
    before_events = InteractionEvent.objects.count()
    forbidden = [to for to in ALL_CODES if to not in statuses.ALLOWED[from_code]]
    assert from_code in forbidden

    for to in forbidden:
        with pytest.raises(InvalidTransition) as excinfo:
            change_status(interaction=interaction, to=to)
        assert statuses.label_of(to) in str(excinfo.value)

    assert InteractionEvent.objects.count() == before_events
    assert _row(interaction) == before_row
    assert interaction.status == from_code


@pytest.mark.django_db
@pytest.mark.parametrize("from_code", [c for c in ALL_CODES if statuses.ALLOWED[c]])
def test_every_allowed_change_writes_one_event_with_from_to_and_actor(
    company: Company, from_code: str
) -> None:
    csr = make_user(company, role="CSR")
    campaign = make_campaign(company)
    lead = make_lead(company)
    for to in sorted(statuses.ALLOWED[from_code]):
        interaction = make_interaction(company, campaign=campaign, lead=lead, status=from_code)
        last_event_id = InteractionEvent.objects.latest("id").id

        change_status(interaction=interaction, to=to, actor_kind=Author.HUMAN, actor=csr)

        events = list(InteractionEvent.objects.filter(id__gt=last_event_id))
        assert len(events) == 1, (from_code, to)
        event = events[0]
        assert (event.kind, event.from_status, event.to_status) == ("status_changed", from_code, to)
        assert (event.actor_kind, event.actor_id) == ("human", csr.pk)
        assert (event.interaction_id, event.lead_id) == (interaction.pk, lead.pk)
        assert Interaction.objects.get(pk=interaction.pk).status == to


@pytest.mark.django_db
def test_a_status_change_is_undone_when_its_event_cannot_be_written(company: Company) -> None:
    interaction = make_interaction(company)
    before_row = _row(interaction)
    before_events = InteractionEvent.objects.count()

    with (
        mock.patch(
            "leadline.interactions.services.record_event", side_effect=RuntimeError("disk full")
        ),
        pytest.raises(RuntimeError, match="disk full"),
    ):
        change_status(interaction=interaction, to="escalated.human_request")

    assert _row(interaction) == before_row
    assert InteractionEvent.objects.count() == before_events


@pytest.mark.django_db
@pytest.mark.parametrize("to", sorted(statuses.ALLOWED["started"]))
def test_escalated_flag_and_status_group_follow_the_status(company: Company, to: str) -> None:
    interaction = make_interaction(company)

    change_status(interaction=interaction, to=to)

    saved = Interaction.objects.get(pk=interaction.pk)
    group = statuses.get(to).group
    assert saved.status_group == group.value
    assert saved.escalated is (group is statuses.Group.ESCALATED)
    assert interaction.status_group == saved.status_group
    assert interaction.escalated is saved.escalated


@pytest.mark.django_db
def test_leaving_escalation_clears_the_escalated_flag(company: Company) -> None:
    interaction = make_interaction(company, status="escalated.negative_sentiment")
    assert interaction.escalated

    change_status(interaction=interaction, to="takeover")

    saved = Interaction.objects.get(pk=interaction.pk)
    assert (saved.escalated, saved.status_group) == (False, "closed")


@pytest.mark.django_db
@pytest.mark.parametrize("to", sorted(statuses.ALLOWED["started"]))
def test_closed_at_is_set_when_the_interaction_closes_and_only_then(
    company: Company, to: str
) -> None:
    interaction = make_interaction(company)

    change_status(interaction=interaction, to=to)

    saved = Interaction.objects.get(pk=interaction.pk)
    assert (saved.closed_at is not None) is (not statuses.get(to).is_open)


@pytest.mark.django_db
def test_closing_after_a_takeover_keeps_the_time_of_the_takeover(company: Company) -> None:
    interaction = make_interaction(company)
    change_status(interaction=interaction, to="takeover")
    taken_over_at = Interaction.objects.get(pk=interaction.pk).closed_at

    change_status(interaction=interaction, to="converted.human")

    assert Interaction.objects.get(pk=interaction.pk).closed_at == taken_over_at


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("to", "engagement"),
    [
        ("active.hot", "hot"),
        ("active.warm", "warm"),
        ("active.cool", "cool"),
        ("active.cold", "cold"),
    ],
)
def test_an_engagement_status_records_the_engagement(
    company: Company, to: str, engagement: str
) -> None:
    interaction = make_interaction(company)

    change_status(interaction=interaction, to=to)

    assert Interaction.objects.get(pk=interaction.pk).engagement == engagement


@pytest.mark.django_db
def test_a_change_decided_on_a_stale_copy_is_checked_against_the_saved_status(
    company: Company,
) -> None:
    interaction = make_interaction(company)
    stale = Interaction.objects.get(pk=interaction.pk)
    change_status(interaction=interaction, to="opt_out")

    with pytest.raises(InvalidTransition):
        change_status(interaction=stale, to="active.hot")

    assert Interaction.objects.get(pk=interaction.pk).status == "opt_out"

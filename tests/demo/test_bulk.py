"""`leadline demo --interactions N`: generated load-test data, consistent and idempotent."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from django.db.models import Count, F, Max, Min, Q

from leadline.accounts.models import Company
from leadline.campaigns.models import Campaign, Channel, Goal
from leadline.crm.models import Customer, Lead, Opportunity
from leadline.crm.services import create_lead
from leadline.demo import bulk
from leadline.demo.bulk import (
    SCRIPTS,
    STATUS_PATHS,
    Progress,
    generate_interactions,
    generated_interactions,
    generated_phone,
)
from leadline.demo.reference import ensure_reference_company
from leadline.interactions import statuses
from leadline.interactions.models import (
    Interaction,
    InteractionEvent,
    Message,
    RecordType,
)
from leadline.interactions.services import add_message, start_interaction
from leadline.kit.clock import VirtualClock, use_clock

NOW = datetime(2026, 11, 25, 18, 30, tzinfo=UTC)


@pytest.fixture
def reference(db: None) -> Iterator[Company]:
    with use_clock(VirtualClock(NOW)):
        yield ensure_reference_company()


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 100, so that a few hundred items span several transactions."""
    monkeypatch.setattr(bulk, "BATCH_SIZE", 100)


def _generate(company: Company, count: int) -> tuple[bulk.BulkResult, str]:
    out = io.StringIO()
    result = generate_interactions(company=company, count=count, out=out)
    return result, out.getvalue()


def _table_counts(company: Company) -> dict[str, int]:
    return {
        "interactions": Interaction.objects.for_company(company).count(),
        "leads": Lead.objects.for_company(company).count(),
        "customers": Customer.objects.for_company(company).count(),
        "opportunities": Opportunity.objects.for_company(company).count(),
        "messages": Message.objects.for_company(company).count(),
        "events": InteractionEvent.objects.for_company(company).count(),
    }


def _snapshot(company: Company) -> list[tuple[Any, ...]]:
    """What the generated items say, independent of the ids they got."""
    bodies: dict[str, list[str]] = {}
    for phone, body in (
        Message.objects.for_company(company)
        .order_by("interaction__lead_phone", "created_at", "id")
        .values_list("interaction__lead_phone", "body")
    ):
        bodies.setdefault(phone, []).append(body)
    return [
        (phone, status, summary, started_at, tuple(bodies[phone]))
        for phone, status, summary, started_at in generated_interactions(company)
        .order_by("lead_phone")
        .values_list("lead_phone", "status", "summary", "started_at")
    ]


def test_every_status_path_is_a_sequence_of_allowed_changes() -> None:
    for code, path in STATUS_PATHS.items():
        assert path[0] == "started"
        assert path[-1] == code
        for before, after in pairwise(path):
            assert statuses.can_change(before, after), (code, before, after)


def test_every_status_has_a_conversation_of_one_to_five_texts() -> None:
    assert set(SCRIPTS) == set(statuses.BY_CODE)
    for variants in SCRIPTS.values():
        for script in variants:
            # An Inbound SMS conversation adds the lead's opening text: six at most.
            assert 1 <= len(script) <= 5
            assert script[0][0] == bulk.TOUCH


def test_batch_time_tiles_cover_the_history_evenly_at_every_level() -> None:
    assert bulk._time_tile(0) == (0.0, 1.0)
    for level in range(6):
        tiles = sorted(bulk._time_tile(b) for b in range(1 << level, 2 << level))
        width = 1.0 / (1 << level)
        assert tiles == [(i * width, width) for i in range(1 << level)]


def test_generates_the_requested_number_with_consistent_counts(reference: Company) -> None:
    result, output = _generate(reference, 300)

    assert (result.present, result.added) == (300, 300)
    assert "300 generated interactions present (300 added)" in output
    interactions = Interaction.objects.for_company(reference)
    assert interactions.count() == 300
    assert result.rows == _table_counts(reference)
    mismatched = interactions.annotate(
        n=Count("messages"),
        n_in=Count("messages", filter=Q(messages__direction=Message.Direction.INBOUND)),
        last=Max("messages__created_at"),
        last_in=Max(
            "messages__created_at", filter=Q(messages__direction=Message.Direction.INBOUND)
        ),
        last_out=Max(
            "messages__created_at", filter=Q(messages__direction=Message.Direction.OUTBOUND)
        ),
    ).exclude(
        message_count=F("n"),
        inbound_count=F("n_in"),
        outbound_count=F("n") - F("n_in"),
        last_activity_at=F("last"),
    )
    assert list(mismatched.values_list("id", flat=True)) == []
    stats = interactions.aggregate(
        fewest=Min("message_count"), most=Max("message_count"), first=Min("started_at")
    )
    assert stats["fewest"] >= 1
    assert stats["most"] <= 6
    assert stats["first"] >= NOW - timedelta(days=91)

    for interaction in interactions.select_related("lead"):
        info = statuses.get(interaction.status)
        assert interaction.status_group == info.group.value
        assert interaction.escalated == (info.group is statuses.Group.ESCALATED)
        assert (interaction.closed_at is None) == info.is_open
        assert interaction.lead_name == interaction.lead.full_name
        assert interaction.lead_phone == interaction.lead.phone
        assert interaction.started_at <= interaction.last_activity_at <= NOW
        assert interaction.summary
        assert interaction.touches_sent >= 1
        events = list(interaction.events.order_by("id"))
        assert events[0].to_status == "started"
        assert events[-1].to_status == interaction.status
        assert all(e.kind == InteractionEvent.Kind.STATUS_CHANGED for e in events)
        assert [e.from_status for e in events[1:]] == [e.to_status for e in events[:-1]]
        if interaction.record_type != RecordType.LEAD:
            assert interaction.customer_id == interaction.lead.customer_id is not None
        if interaction.record_type == RecordType.OPPORTUNITY:
            assert interaction.opportunity is not None


def test_every_status_goal_channel_and_record_type_appears(reference: Company) -> None:
    _generate(reference, 300)
    interactions = Interaction.objects.for_company(reference)

    assert set(interactions.values_list("status", flat=True)) == set(statuses.BY_CODE)
    assert set(interactions.values_list("goal", "channel").distinct()) == {
        (Goal.SPEED_TO_LEAD, Channel.SMS),
        (Goal.SPEED_TO_LEAD, Channel.VOICE),
        (Goal.INBOUND_SMS, Channel.SMS),
    }
    assert set(interactions.values_list("record_type", flat=True)) == set(RecordType.values)
    assert set(interactions.values_list("campaign", flat=True)) == set(
        Campaign.objects.for_company(reference).values_list("id", flat=True)
    )


def test_running_again_with_the_same_count_adds_nothing(reference: Company) -> None:
    _generate(reference, 300)
    before = _table_counts(reference)

    result, output = _generate(reference, 300)

    assert (result.present, result.added) == (300, 0)
    assert output == "300 generated interactions present (0 added)\n"
    assert _table_counts(reference) == before


def test_a_smaller_count_removes_nothing(reference: Company) -> None:
    _generate(reference, 300)

    result, _ = _generate(reference, 100)

    assert (result.present, result.added) == (300, 0)


def test_a_larger_count_adds_only_the_difference_and_the_same_items(
    reference: Company, small_batches: None
) -> None:
    _generate(reference, 150)
    first_part = _snapshot(reference)

    result, _ = _generate(reference, 260)

    assert (result.present, result.added) == (260, 110)
    assert generated_interactions(reference).count() == 260
    assert Lead.objects.for_company(reference).count() == 260
    together = _snapshot(reference)
    assert together[:150] == first_part
    assert [row[0] for row in together] == [generated_phone(k) for k in range(260)]

    # The same items come out when they are generated in one go.
    Interaction.objects.for_company(reference).delete()
    Lead.objects.for_company(reference).delete()
    _generate(reference, 260)
    assert _snapshot(reference) == together


def test_on_another_day_the_same_items_only_move_in_time(reference: Company) -> None:
    def people_and_outcomes(now: datetime) -> list[tuple[Any, ...]]:
        generator = bulk._Generator(reference, now)
        batch = generator.build(0, list(range(200)), dict.fromkeys(bulk.TABLE_SPECS, 1))
        names = ("campaign_id", "record_type", "status", "lead_name", "lead_phone", "message_count")
        picked = [bulk.INTERACTION_COLUMNS.index(name) for name in names]
        return [tuple(row[i] for i in picked) for row in batch.rows["interactions"]]

    assert people_and_outcomes(NOW) == people_and_outcomes(NOW + timedelta(days=3, hours=5))


def test_deleted_items_are_generated_again(reference: Company, small_batches: None) -> None:
    _generate(reference, 300)
    gone = Lead.objects.for_company(reference).filter(phone=generated_phone(150))
    gone.delete()  # its interaction goes with it

    result, _ = _generate(reference, 300)

    assert (result.present, result.added) == (300, 1)
    assert generated_interactions(reference).filter(lead_phone=generated_phone(150)).exists()


def test_an_interrupted_load_keeps_finished_batches_and_continues(
    reference: Company, small_batches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_insert = bulk._Writer._insert
    calls = {"messages": 0}

    def insert_then_interrupt(self: bulk._Writer, name: str, rows: Any) -> None:
        if name == "messages":
            calls["messages"] += 1
            if calls["messages"] == 3:
                raise KeyboardInterrupt
        real_insert(self, name, rows)

    monkeypatch.setattr(bulk._Writer, "_insert", insert_then_interrupt)
    out = io.StringIO()
    with pytest.raises(KeyboardInterrupt):
        generate_interactions(company=reference, count=450, out=out)

    assert "Interrupted: 200 generated interactions present (200 added)" in out.getvalue()
    assert _table_counts(reference)["interactions"] == 200
    assert _table_counts(reference)["leads"] == 200
    assert (
        Message.objects.for_company(reference)
        .filter(interaction__lead_phone__gte=generated_phone(200))
        .count()
        == 0
    )

    monkeypatch.setattr(bulk._Writer, "_insert", real_insert)
    result, _ = _generate(reference, 450)
    assert (result.present, result.added) == (450, 250)
    assert generated_interactions(reference).count() == 450


def test_ordinary_writes_after_generation_get_fresh_ids(reference: Company) -> None:
    _generate(reference, 300)
    highest = {
        model: model.objects.aggregate(m=Max("id"))["m"]
        for model in (Lead, Interaction, Message, InteractionEvent)
    }

    with use_clock(VirtualClock(NOW)):
        lead = create_lead(company=reference, phone="+15125550188", first_name="Dana")
        campaign = Campaign.objects.for_company(reference).filter(goal=Goal.SPEED_TO_LEAD).first()
        assert campaign is not None
        interaction = start_interaction(campaign=campaign, lead=lead)
        message = add_message(
            interaction=interaction, direction="outbound", author="agent", body="Hi Dana"
        )

    assert lead.pk > highest[Lead]
    assert interaction.pk > highest[Interaction]
    assert message.pk > highest[Message]
    assert min(e.pk for e in interaction.events.all()) > highest[InteractionEvent]


def test_progress_prints_a_line_every_ten_percent_without_a_terminal() -> None:
    out = io.StringIO()
    progress = Progress(out, 1000)
    for done in range(50, 1001, 50):
        progress.update(done, done * 9)
    progress.finish()

    lines = out.getvalue().splitlines()
    assert len(lines) == 10
    assert "\r" not in out.getvalue()
    assert "1,000/1,000" in lines[-1] and "100.0%" in lines[-1]
    assert "rows/s" in lines[0] and "ETA" in lines[0]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_redraws_one_line_on_a_terminal() -> None:
    out = _Terminal()
    progress = Progress(out, 1000)
    for done in range(100, 1001, 100):
        progress.update(done, done * 9)
    progress.finish()

    text = out.getvalue()
    assert text.count("\r") == 10
    assert text.count("\n") == 1
    assert text.rstrip("\n").rsplit("\r", 1)[-1].startswith("Generating [####################]")

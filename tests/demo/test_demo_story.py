"""The demo loader and its 30-day story: consistent, idempotent, and loadable at any hour."""

from __future__ import annotations

import io
import re
import sys
import types
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate
from django.db import models, transaction
from django.db.models import Count, Max, Q
from django.test import override_settings

from leadline.accounts.models import Company, User
from leadline.accounts.roles import ROLE_PRESETS
from leadline.campaigns.models import Campaign, Channel, Goal
from leadline.capacity.job_types import trade_of
from leadline.capacity.models import ArrivalWindow, CapacityRule
from leadline.compliance.models import OptOut
from leadline.crm.models import Customer, Job, Lead, Note, Opportunity, Task
from leadline.demo import reference
from leadline.demo.loader import load_demo
from leadline.demo.story import OPT_OUT_CONFIRMATION, STATUS_COUNTS
from leadline.interactions import statuses
from leadline.interactions.models import (
    Author,
    Call,
    CallTurn,
    Interaction,
    InteractionEvent,
    Message,
    RecordType,
)
from leadline.kit import clock
from leadline.kit.phone import parse_phone

ALL_MODELS: list[type[models.Model]] = [
    Company,
    User,
    Campaign,
    CapacityRule,
    ArrivalWindow,
    Customer,
    Lead,
    Opportunity,
    Job,
    Note,
    Task,
    OptOut,
    Interaction,
    Message,
    Call,
    CallTurn,
    InteractionEvent,
]


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, str]]:
    """Load the demo once for the module, and roll it back afterwards."""
    # The same fast hasher as the suite's autouse fixture, which runs only per test.
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        out = io.StringIO()
        report = load_demo(reset=False, interactions=None, out=out)
        yield {"report": report, "out": out.getvalue()}
        transaction.set_rollback(True)


@pytest.fixture
def company(demo: dict[str, str], db: None) -> Company:
    return Company.objects.get(slug=reference.SLUG)


def test_the_story_tells_about_500_interactions_over_30_days(company: Company) -> None:
    interactions = Interaction.objects.for_company(company)
    assert interactions.count() == sum(STATUS_COUNTS.values())
    oldest = interactions.order_by("started_at").first()
    assert oldest is not None
    assert clock.now() - oldest.started_at <= timedelta(days=30)
    assert interactions.filter(goal=Goal.INBOUND_SMS).exists()
    assert interactions.filter(goal=Goal.SPEED_TO_LEAD, channel=Channel.VOICE).exists()
    assert not interactions.filter(goal=Goal.INBOUND_SMS, channel=Channel.VOICE).exists()
    assert interactions.filter(record_type=RecordType.CUSTOMER, customer__isnull=False).exists()
    assert interactions.filter(
        record_type=RecordType.OPPORTUNITY, opportunity__isnull=False
    ).exists()
    recent = interactions.filter(
        status_group=statuses.Group.ACTIVE, last_activity_at__gte=clock.now() - timedelta(hours=6)
    )
    assert recent.count() >= 10


def test_every_status_label_appears_several_times(company: Company) -> None:
    codes = dict(
        Interaction.objects.for_company(company)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    labels = {statuses.label_of(code): n for code, n in codes.items()}
    for status in statuses.STATUSES:
        assert labels.get(status.label, 0) >= 3, status.label


def test_proportions_are_plausible(company: Company) -> None:
    interactions = Interaction.objects.for_company(company)
    total = interactions.count()
    converted = interactions.filter(status_group=statuses.Group.CONVERTED).count()
    escalated = interactions.filter(escalated=True).count()
    abandoned = interactions.filter(status="abandoned").count()
    assert 0.25 <= converted / total <= 0.35
    assert 0.07 <= escalated / total <= 0.13
    assert 0.12 <= abandoned / total <= 0.2


def test_counts_on_interactions_match_their_messages_and_spoken_turns(
    company: Company,
) -> None:
    inbound = Q(direction=Message.Direction.INBOUND)
    outbound = Q(direction=Message.Direction.OUTBOUND)
    threads = {
        row["interaction_id"]: row
        for row in Message.objects.for_company(company)
        .values("interaction_id")
        .annotate(
            n=Count("id"),
            n_in=Count("id", filter=inbound),
            n_out=Count("id", filter=outbound),
            last=Max("created_at"),
            last_in=Max("created_at", filter=inbound),
            last_out=Max("created_at", filter=outbound),
        )
    }
    lead_turn = Q(speaker=Author.LEAD)
    spoken = {
        row["call__interaction_id"]: row
        for row in CallTurn.objects.filter(call__company=company)
        .values("call__interaction_id")
        .annotate(
            n=Count("id"),
            n_in=Count("id", filter=lead_turn),
            n_out=Count("id", filter=~lead_turn),
            last_in=Max("at", filter=lead_turn),
            last_out=Max("at", filter=~lead_turn),
        )
    }
    calls = dict(
        Call.objects.for_company(company)
        .values("interaction_id")
        .annotate(last=Max("ended_at"))
        .values_list("interaction_id", "last")
    )
    empty = {"n": 0, "n_in": 0, "n_out": 0, "last": None, "last_in": None, "last_out": None}
    for row in Interaction.objects.for_company(company).select_related("lead"):
        thread = threads.get(row.pk, empty)
        turns = spoken.get(row.pk, empty)
        counts = (row.message_count, row.inbound_count, row.outbound_count)
        expected = tuple(thread[k] + turns[k] for k in ("n", "n_in", "n_out"))
        assert counts == expected, row.pk
        last_in = [t for t in (thread["last_in"], turns["last_in"]) if t is not None]
        last_out = [t for t in (thread["last_out"], turns["last_out"]) if t is not None]
        assert row.last_inbound_at == max(last_in, default=None)
        assert row.last_outbound_at == max(last_out, default=None)
        latest = [t for t in (thread["last"], calls.get(row.pk)) if t is not None]
        assert row.last_activity_at == max(latest, default=row.started_at), row.pk
        assert row.lead_name == row.lead.full_name
        assert row.lead_phone == row.lead.phone


def test_status_fields_follow_the_status(company: Company) -> None:
    for row in Interaction.objects.for_company(company):
        info = statuses.get(row.status)
        assert row.status_group == info.group.value
        assert row.escalated == (info.group is statuses.Group.ESCALATED)
        assert (row.closed_at is None) == info.is_open, row.pk
        if info.group is statuses.Group.ACTIVE and info.reason:
            assert row.engagement == info.reason
        if row.next_touch_at is not None:
            assert info.is_open and row.next_touch_at > row.last_activity_at


def test_the_timeline_walks_allowed_transitions_to_the_status(company: Company) -> None:
    events = InteractionEvent.objects.for_company(company).filter(
        kind=InteractionEvent.Kind.STATUS_CHANGED
    )
    chains: dict[int, list[tuple[str, str]]] = {}
    for interaction_id, before, after in events.order_by("id").values_list(
        "interaction_id", "from_status", "to_status"
    ):
        chains.setdefault(interaction_id, []).append((before, after))
    for row in Interaction.objects.for_company(company):
        chain = chains[row.pk]
        assert chain[0] == ("", "started")
        for (_, previous), (before, after) in pairwise(chain):
            assert before == previous
            assert statuses.can_change(before, after), (row.pk, before, after)
        assert chain[-1][1] == row.status


def test_event_ids_rise_with_time(company: Company) -> None:
    times = list(
        InteractionEvent.objects.for_company(company)
        .order_by("id")
        .values_list("created_at", flat=True)
    )
    assert times == sorted(times)
    assert max(times) <= clock.now()


def test_no_arrival_window_is_overbooked(company: Company) -> None:
    windows = ArrivalWindow.objects.for_company(company).annotate(jobs_n=Count("jobs"))
    assert windows.filter(date__lt=clock.now().date()).exists()
    assert windows.filter(date__gt=clock.now().date() + timedelta(days=14)).exists()
    for window in windows:
        assert window.booked <= window.capacity
        assert window.booked == window.jobs_n


def test_every_converted_interaction_has_its_job(company: Company) -> None:
    converted = Interaction.objects.for_company(company).filter(
        status_group=statuses.Group.CONVERTED
    )
    for row in converted:
        job = Job.objects.get(interaction=row)
        assert job.arrival_window.trade == trade_of(job.job_type)
        assert job.arrival_start == job.arrival_window.starts_at
        assert job.lead_id == row.lead_id
        if row.status == "converted.agent":
            assert job.booked_by == Job.BookedBy.AGENT and job.booked_by_user is None
        else:
            assert job.booked_by == Job.BookedBy.HUMAN and job.booked_by_user is not None
        assert job.status == (
            Job.Status.COMPLETED if job.arrival_end <= clock.now() else Job.Status.SCHEDULED
        )
    assert Job.objects.for_company(company).count() == converted.count()


def test_human_conversions_follow_a_takeover(company: Company) -> None:
    for row in Interaction.objects.for_company(company).filter(status="converted.human"):
        kinds = list(row.events.order_by("id").values_list("kind", flat=True))
        assert InteractionEvent.Kind.TAKEOVER in kinds
        assert kinds.index(InteractionEvent.Kind.TAKEOVER) < kinds.index(
            InteractionEvent.Kind.BOOKING
        )
        assert row.messages.filter(author=Author.HUMAN, author_user__isnull=False).exists()
        assert row.lead.agent_paused_at is not None
    for row in Interaction.objects.for_company(company).filter(status="takeover"):
        assert row.messages.filter(author=Author.HUMAN).exists()


def test_after_a_takeover_the_agent_says_nothing(company: Company) -> None:
    taken = InteractionEvent.objects.for_company(company).filter(
        kind=InteractionEvent.Kind.TAKEOVER
    )
    for event in taken:
        assert event.actor is not None
        later = Message.objects.filter(
            interaction_id=event.interaction_id, created_at__gt=event.created_at
        )
        assert not later.filter(author=Author.AGENT).exists()


def test_the_demo_users_sign_in_with_their_role(company: Company) -> None:
    for spec in reference.DEMO_USERS:
        user = authenticate(username=spec.email, password=reference.DEMO_PASSWORD)
        assert isinstance(user, User), spec.email
        assert user.company_id == company.pk
        granted = set(ROLE_PRESETS[spec.role])
        for perm in {p for perms in ROLE_PRESETS.values() for p in perms}:
            assert user.has_perm(perm) == (perm in granted), (spec.email, perm)


def test_every_first_agent_message_names_the_business_and_opt_out(company: Company) -> None:
    seen: set[int] = set()
    agent_messages = Message.objects.for_company(company).filter(author=Author.AGENT)
    for message in agent_messages.order_by("interaction_id", "created_at", "id"):
        if message.interaction_id in seen:
            continue
        seen.add(message.interaction_id)
        assert reference.NAME in message.body, message.body
        assert "Reply STOP to opt out" in message.body, message.body
    assert len(seen) > 400


def test_opted_out_threads_end_with_one_confirmation(company: Company) -> None:
    opted_out = Interaction.objects.for_company(company).filter(status="opt_out")
    registry = set(OptOut.objects.for_company(company).values_list("phone", flat=True))
    for row in opted_out:
        assert row.lead_phone in registry
        thread = list(row.messages.order_by("created_at", "id"))
        if row.channel == Channel.VOICE:
            assert not thread
            last_turn = CallTurn.objects.filter(call__interaction=row).order_by("at").last()
            assert last_turn is not None and last_turn.speaker == Author.AGENT
            continue
        confirmations = [m for m in thread if m.body == OPT_OUT_CONFIRMATION]
        assert len(confirmations) == 1
        assert thread[-1] is confirmations[0] or thread[-1].pk == confirmations[0].pk
        assert thread[-2].direction == Message.Direction.INBOUND


def test_abandoned_threads_are_unanswered_touches_on_the_cadence(company: Company) -> None:
    for row in Interaction.objects.for_company(company).filter(status="abandoned"):
        assert row.inbound_count == 0
        assert row.touches_sent == 4
        if row.channel == Channel.SMS:
            times = list(row.messages.order_by("created_at").values_list("created_at", flat=True))
        else:
            times = list(row.calls.order_by("started_at").values_list("started_at", flat=True))
        assert len(times) == 4
        for offset, moment in zip((0, 1, 24, 72), times, strict=True):
            assert moment >= times[0] + timedelta(hours=offset)
        assert row.closed_at is not None and row.closed_at >= times[-1] + timedelta(hours=24)


def test_failures_are_undelivered_or_invalid_numbers(company: Company) -> None:
    for row in Interaction.objects.for_company(company).filter(status="failed"):
        undelivered = row.messages.filter(
            delivery_status=Message.Delivery.UNDELIVERED, error_code="30006"
        ).exists()
        failed_call = row.calls.filter(outcome=Call.Outcome.FAILED).exists()
        invalid = not parse_phone(row.lead_phone).is_valid
        assert undelivered or failed_call or invalid, row.pk


def test_phones_are_valid_fictional_numbers(company: Company) -> None:
    for row in Interaction.objects.for_company(company).exclude(status="failed"):
        assert parse_phone(row.lead_phone).e164 == row.lead_phone
        assert re.fullmatch(r"\+1\d{3}55501\d\d", row.lead_phone), row.lead_phone


def test_calls_have_transcripts_and_recordings(company: Company) -> None:
    calls = Call.objects.for_company(company)
    assert calls.exists()
    for call in calls.prefetch_related("turns"):
        assert call.ended_at is not None and call.ended_at > call.started_at
        recorded = call.outcome in (Call.Outcome.COMPLETED, Call.Outcome.VOICEMAIL)
        assert bool(re.fullmatch(r"RE[0-9a-f]{32}", call.recording_id)) == recorded
        assert {t.speaker for t in call.turns.all()} <= {Author.AGENT, Author.LEAD}
        if call.outcome == Call.Outcome.COMPLETED:
            assert call.turns.filter(speaker=Author.LEAD).exists()


def test_notes_tasks_and_summaries_are_there(company: Company) -> None:
    assert Interaction.objects.for_company(company).filter(summary="").count() == 0
    leads = Lead.objects.for_company(company)
    assert leads.filter(Q(notes__isnull=False) | Q(tasks__isnull=False)).distinct().count() >= 24
    tasks = Task.objects.for_company(company)
    assert tasks.filter(done=True).exists() and tasks.filter(done=False).exists()
    staff = {"admin@demo.test", "csr@demo.test"}
    assert set(tasks.values_list("assignee__email", flat=True)) <= staff
    assert set(Note.objects.for_company(company).values_list("author__email", flat=True)) <= staff


def test_loading_twice_creates_nothing_new(company: Company) -> None:
    before = _counts()
    out = io.StringIO()
    report = load_demo(reset=False, interactions=None, out=out)
    assert _counts() == before
    assert "kept" in report
    assert "admin@demo.test" in report and reference.DEMO_PASSWORD in report


def test_the_report_lists_the_four_logins(demo: dict[str, str]) -> None:
    report = demo["report"]
    assert report.startswith(f"Demo company: {reference.NAME} (")
    assert f"password: {reference.DEMO_PASSWORD}" in report
    for spec in reference.DEMO_USERS:
        assert spec.email in report and spec.role in report
    assert "Writing" in demo["out"]


def test_more_interactions_are_left_to_the_bulk_generator(
    company: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Company, int]] = []

    def generate_interactions(*, company: Company, count: int, out: Any) -> int:
        calls.append((company, count))
        return count

    fake = types.ModuleType("leadline.demo.bulk")
    fake.generate_interactions = generate_interactions  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "leadline.demo.bulk", fake)
    load_demo(reset=False, interactions=7, out=io.StringIO())
    assert calls == [(company, 7)]


def _snapshot() -> list[tuple[Any, ...]]:
    company = Company.objects.get(slug=reference.SLUG)
    rows = Interaction.objects.for_company(company).order_by("started_at", "lead_phone")
    return [
        (
            row.status,
            row.lead_name,
            row.started_at,
            tuple(row.messages.order_by("created_at", "id").values_list("body", flat=True)),
        )
        for row in rows
    ]


def test_reset_reloads_the_same_story_at_any_hour(company: Company) -> None:
    # Sunday before dawn: Texas allows no outreach until noon, the hardest hour to fit.
    sunday = datetime(2026, 3, 1, 5, 30, tzinfo=ZoneInfo("America/Chicago")).astimezone(UTC)
    with clock.use_clock(clock.VirtualClock(sunday)):
        load_demo(reset=True, interactions=None, out=io.StringIO())
        first = _snapshot()
        assert Company.objects.get(slug=reference.SLUG).pk != company.pk
        load_demo(reset=True, interactions=None, out=io.StringIO())
        assert _snapshot() == first
    assert len(first) == sum(STATUS_COUNTS.values())
    assert authenticate(username="csr@demo.test", password=reference.DEMO_PASSWORD) is not None

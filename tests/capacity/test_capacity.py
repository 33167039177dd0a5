"""Arrival windows: laid out from the usual week, offered while they have room, booked once."""

from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction

from leadline.accounts.models import Company
from leadline.capacity.models import ArrivalWindow, CapacityRule
from leadline.capacity.selectors import free_windows
from leadline.capacity.services import book_window, open_windows, set_standard_week
from leadline.crm.models import Job
from leadline.kit.errors import NoCapacity
from tests.builders import make_company, make_lead, make_window

MONDAY = date(2030, 6, 3)
DENVER = ZoneInfo("America/Denver")


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=DENVER)


@pytest.fixture
def denver(db: None) -> Company:
    """A company whose time zone is not the server's."""
    return make_company(time_zone="America/Denver")


@pytest.mark.django_db
def test_the_standard_week_is_monday_to_saturday_in_four_two_hour_windows(denver: Company) -> None:
    set_standard_week(company=denver, trades=["hvac"], slots=3)

    rules = CapacityRule.objects.for_company(denver)
    assert rules.count() == 6 * 4
    assert set(rules.values_list("weekday", flat=True)) == {0, 1, 2, 3, 4, 5}
    assert sorted({(r.start_time.hour, r.end_time.hour) for r in rules}) == [
        (8, 10),
        (10, 12),
        (12, 14),
        (14, 16),
    ]
    assert set(rules.values_list("slots", flat=True)) == {3}


@pytest.mark.django_db
def test_open_windows_lays_out_each_trade_every_day_but_sunday(denver: Company) -> None:
    set_standard_week(company=denver, trades=["hvac", "plumbing"])

    created = open_windows(company=denver, start=MONDAY, days=7)

    windows = ArrivalWindow.objects.for_company(denver)
    assert created == windows.count() == 2 * 6 * 4
    sunday = MONDAY + timedelta(days=6)
    assert not windows.filter(date=sunday).exists()
    assert set(windows.values_list("trade", flat=True)) == {"hvac", "plumbing"}
    monday_hvac = windows.filter(date=MONDAY, trade="hvac").order_by("starts_at")
    assert [(w.starts_at, w.ends_at) for w in monday_hvac] == [
        (_at(MONDAY, 8), _at(MONDAY, 10)),
        (_at(MONDAY, 10), _at(MONDAY, 12)),
        (_at(MONDAY, 12), _at(MONDAY, 14)),
        (_at(MONDAY, 14), _at(MONDAY, 16)),
    ]
    assert {w.capacity for w in windows} == {2}
    assert {w.booked for w in windows} == {0}


@pytest.mark.django_db
def test_open_windows_uses_the_company_time_zone(denver: Company) -> None:
    set_standard_week(company=denver, trades=["hvac"])
    open_windows(company=denver, start=MONDAY, days=1)

    first = ArrivalWindow.objects.for_company(denver).order_by("starts_at").first()

    assert first is not None
    # 8:00 in Denver (MDT, UTC-6) is 14:00 UTC.
    assert first.starts_at == datetime(2030, 6, 3, 14, 0, tzinfo=ZoneInfo("UTC"))


@pytest.mark.django_db
def test_open_windows_is_idempotent_and_keeps_bookings(denver: Company) -> None:
    set_standard_week(company=denver, trades=["hvac"])
    open_windows(company=denver, start=MONDAY, days=7)
    booked = ArrivalWindow.objects.for_company(denver).order_by("starts_at").first()
    assert booked is not None
    book_window(window=booked, job_type="ac_repair", booked_by=Job.BookedBy.AGENT)

    assert open_windows(company=denver, start=MONDAY, days=7) == 0

    assert ArrivalWindow.objects.for_company(denver).count() == 6 * 4
    booked.refresh_from_db()
    assert booked.booked == 1


@pytest.mark.django_db
def test_open_windows_adds_only_the_days_not_yet_opened(denver: Company) -> None:
    set_standard_week(company=denver, trades=["hvac"])
    open_windows(company=denver, start=MONDAY, days=2)

    assert open_windows(company=denver, start=MONDAY, days=3) == 4


@pytest.mark.django_db
def test_free_windows_offers_only_windows_with_room_of_the_trade_within_the_horizon(
    denver: Company,
) -> None:
    now = _at(MONDAY, 6)
    tomorrow = MONDAY + timedelta(days=1)
    free = make_window(denver, starts_at=_at(MONDAY, 8))
    make_window(denver, starts_at=_at(MONDAY, 10), capacity=2, booked=2)
    make_window(denver, starts_at=_at(MONDAY, 8), trade="plumbing")
    make_window(denver, starts_at=_at(tomorrow, 8), trade="hvac")
    make_window(denver, starts_at=_at(MONDAY, 6) - timedelta(hours=2), trade="hvac")
    later = make_window(denver, starts_at=_at(MONDAY, 14))

    offered = list(free_windows(company=denver, job_type="ac_repair", after=now, days=1))

    assert offered == [free, later]


@pytest.mark.django_db
def test_free_windows_maps_the_job_type_to_its_trade(denver: Company) -> None:
    hvac = make_window(denver, starts_at=_at(MONDAY, 8), trade="hvac")
    plumbing = make_window(denver, starts_at=_at(MONDAY, 8), trade="plumbing")
    now = _at(MONDAY, 6)

    assert list(free_windows(company=denver, job_type="drain_cleaning", after=now)) == [plumbing]
    assert list(free_windows(company=denver, job_type="heating_repair", after=now)) == [hvac]


@pytest.mark.django_db
def test_free_windows_can_be_limited_to_the_first_few(denver: Company) -> None:
    windows = [make_window(denver, starts_at=_at(MONDAY, hour)) for hour in (8, 10, 12, 14)]

    offered = free_windows(company=denver, job_type="ac_repair", after=_at(MONDAY, 6), limit=2)

    assert list(offered) == windows[:2]


@pytest.mark.django_db
def test_booking_a_window_consumes_a_slot_and_creates_the_job(denver: Company) -> None:
    window = make_window(denver, starts_at=_at(MONDAY, 8), capacity=2)
    lead = make_lead(denver)

    job = book_window(window=window, job_type="ac_repair", booked_by=Job.BookedBy.AGENT, lead=lead)

    window.refresh_from_db()
    assert window.booked == 1
    assert window.free == 1
    assert (job.company_id, job.lead_id, job.arrival_window_id) == (denver.pk, lead.pk, window.pk)
    assert (job.arrival_start, job.arrival_end) == (window.starts_at, window.ends_at)
    assert (job.job_type, job.booked_by, job.status) == ("ac_repair", "agent", "scheduled")


@pytest.mark.django_db
def test_booking_a_full_window_raises_no_capacity_and_books_nothing(denver: Company) -> None:
    window = make_window(denver, starts_at=_at(MONDAY, 8), capacity=1, booked=1)

    with pytest.raises(NoCapacity, match="full"):
        book_window(window=window, job_type="ac_repair", booked_by=Job.BookedBy.AGENT)

    assert Job.objects.count() == 0
    window.refresh_from_db()
    assert window.booked == 1


@pytest.mark.django_db
def test_a_job_type_cannot_be_booked_into_another_trade_window(denver: Company) -> None:
    window = make_window(denver, starts_at=_at(MONDAY, 8), trade="plumbing")

    with pytest.raises(NoCapacity):
        book_window(window=window, job_type="ac_repair", booked_by=Job.BookedBy.AGENT)

    assert Job.objects.count() == 0
    window.refresh_from_db()
    assert window.booked == 0


@pytest.mark.django_db
def test_the_database_refuses_a_window_booked_beyond_its_capacity(denver: Company) -> None:
    window = make_window(denver, starts_at=_at(MONDAY, 8), capacity=2, booked=2)

    with pytest.raises(IntegrityError), transaction.atomic():
        ArrivalWindow.objects.filter(pk=window.pk).update(booked=3)

    window.refresh_from_db()
    assert window.booked == 2


@pytest.mark.django_db(transaction=True)
def test_two_bookings_racing_for_the_last_slot_book_exactly_one_job() -> None:
    company = make_company(time_zone="America/Denver")
    window = make_window(company, starts_at=_at(MONDAY, 8), capacity=2, booked=1)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def book() -> None:
        try:
            start.wait()
            book_window(window=window, job_type="ac_repair", booked_by=Job.BookedBy.AGENT)
            outcomes.append("booked")
        except NoCapacity:
            outcomes.append("full")
        except BaseException as exc:
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=book) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["booked", "full"]
    assert Job.objects.filter(arrival_window=window).count() == 1
    window.refresh_from_db()
    assert window.booked == window.capacity == 2

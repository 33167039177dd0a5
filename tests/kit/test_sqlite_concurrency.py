"""SQLite in WAL mode with IMMEDIATE transactions: concurrent writers wait, never fail."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from leadline.accounts.models import Company
from tests.builders import make_company

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 2
TRANSACTIONS_PER_THREAD = 50


@pytest.fixture(autouse=True)
def _sqlite_only() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite locking mode only matters on SQLite")


def _run_in_threads(work: Callable[[], None], threads: int) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def runner() -> None:
        try:
            start.wait()
            work()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=runner) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=120)
    return errors


def test_the_database_file_is_in_wal_mode() -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        (mode,) = cursor.fetchone()
    assert mode == "wal"


def test_two_writers_reading_then_writing_at_once_never_see_database_is_locked() -> None:
    company = make_company(high_activity_messages=0)

    def read_then_write() -> None:
        for _ in range(TRANSACTIONS_PER_THREAD):
            with transaction.atomic():
                current = Company.objects.get(pk=company.pk).high_activity_messages
                Company.objects.filter(pk=company.pk).update(high_activity_messages=current + 1)

    errors = _run_in_threads(read_then_write, THREADS)

    assert errors == []
    company.refresh_from_db()
    # IMMEDIATE transactions take the write lock before the read, so no update is lost.
    assert company.high_activity_messages == THREADS * TRANSACTIONS_PER_THREAD

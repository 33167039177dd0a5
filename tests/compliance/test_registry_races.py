"""Two STOPs at the same moment in two processes: exactly one of them is new."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from leadline.accounts.models import Company
from leadline.compliance.models import OptOut
from leadline.compliance.services import record_opt_out, resubscribe
from tests.builders import make_company

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 4
PHONE = "+15125550143"


def _stop_at_once(company_id: int) -> list[bool]:
    results: list[bool] = []
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def stop() -> None:
        try:
            start.wait()
            company = Company.objects.get(pk=company_id)
            _, new = record_opt_out(company=company, phone=PHONE, method="keyword", raw_text="STOP")
            results.append(new)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=stop) for _ in range(THREADS)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)
    assert errors == []
    return results


def test_racing_first_stops_report_one_new_opt_out() -> None:
    company = make_company()
    results = _stop_at_once(company.pk)
    assert sorted(results) == [False] * (THREADS - 1) + [True]
    assert OptOut.objects.for_company(company).filter(active=True).count() == 1


def test_racing_stops_after_a_resubscribe_report_one_new_opt_out() -> None:
    company = make_company()
    record_opt_out(company=company, phone=PHONE, method="keyword", raw_text="STOP")
    resubscribe(company=company, phone=PHONE)
    results = _stop_at_once(company.pk)
    assert sorted(results) == [False] * (THREADS - 1) + [True]

"""The opt-out registry and the gate as the send pipeline calls it, on a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leadline.accounts.models import Company
from leadline.compliance.gate import Reason, SendKind, check
from leadline.compliance.models import OptOut
from leadline.compliance.selectors import active_opt_out, is_opted_out
from leadline.compliance.services import record_opt_out, resubscribe
from leadline.crm.models import Lead
from leadline.kit.clock import VirtualClock, use_clock
from tests.builders import make_company, make_lead, make_opt_out

PHONE = "+15125550143"
# Tuesday 2026-07-14, 12:00 in Austin.
NOON = datetime(2026, 7, 14, 17, 0, tzinfo=UTC)
NIGHT = datetime(2026, 7, 15, 4, 0, tzinfo=UTC)


def test_a_first_opt_out_is_new(company: Company) -> None:
    opt_out, new = record_opt_out(company=company, phone=PHONE, method="keyword", raw_text="STOP")
    assert new
    assert opt_out.active
    assert opt_out.method == OptOut.Method.KEYWORD
    assert opt_out.raw_text == "STOP"
    assert is_opted_out(company=company, phone=PHONE)


def test_a_second_stop_is_not_new_and_keeps_the_first_record(company: Company) -> None:
    first, _ = record_opt_out(
        company=company, phone=PHONE, method="keyword", raw_text="STOP", at=NOON
    )
    again, new = record_opt_out(
        company=company, phone=PHONE, method="words", raw_text="stop texting me", at=NIGHT
    )
    assert not new
    assert again.pk == first.pk
    assert again.opted_out_at == NOON
    assert again.raw_text == "STOP"
    assert OptOut.objects.for_company(company).count() == 1


def test_an_opt_out_after_a_resubscribe_is_new_again(company: Company) -> None:
    record_opt_out(company=company, phone=PHONE, method="keyword", raw_text="STOP", at=NOON)
    assert resubscribe(company=company, phone=PHONE, at=NOON + timedelta(hours=1))
    opt_out, new = record_opt_out(
        company=company, phone=PHONE, method="wrong_number", raw_text="wrong number", at=NIGHT
    )
    assert new
    assert opt_out.active
    assert opt_out.opted_out_at == NIGHT
    assert opt_out.method == OptOut.Method.WRONG_NUMBER
    assert opt_out.resubscribed_at is None
    assert OptOut.objects.for_company(company).count() == 1


def test_the_opt_out_time_comes_from_the_clock(company: Company) -> None:
    with use_clock(VirtualClock(NOON)):
        opt_out, _ = record_opt_out(company=company, phone=PHONE, method="carrier")
    assert opt_out.opted_out_at == NOON


def test_phone_numbers_are_matched_in_any_format(company: Company) -> None:
    record_opt_out(company=company, phone="(512) 555-0143", method="keyword", raw_text="STOP")
    assert is_opted_out(company=company, phone=PHONE)
    assert is_opted_out(company=company, phone="+1 512 555 0143")
    _, new = record_opt_out(company=company, phone=PHONE, method="keyword", raw_text="STOP")
    assert not new


def test_an_unknown_method_is_refused(company: Company) -> None:
    with pytest.raises(ValueError):
        record_opt_out(company=company, phone=PHONE, method="vibes", raw_text="meh")


def test_an_opt_out_is_per_company(company: Company, other_company: Company) -> None:
    record_opt_out(company=company, phone=PHONE, method="keyword", raw_text="STOP")
    assert not is_opted_out(company=other_company, phone=PHONE)
    _, new = record_opt_out(company=other_company, phone=PHONE, method="keyword", raw_text="STOP")
    assert new


def test_resubscribe_lifts_the_opt_out_and_keeps_the_record(company: Company) -> None:
    record_opt_out(company=company, phone=PHONE, method="keyword", raw_text="STOP", at=NOON)
    assert resubscribe(company=company, phone=PHONE, at=NIGHT)
    assert not is_opted_out(company=company, phone=PHONE)
    row = OptOut.objects.for_company(company).get()
    assert not row.active
    assert row.resubscribed_at == NIGHT
    assert active_opt_out(company=company, phone=PHONE) is None


def test_resubscribe_without_an_opt_out_changes_nothing(company: Company) -> None:
    assert not resubscribe(company=company, phone=PHONE)
    record_opt_out(company=company, phone=PHONE, method="keyword", raw_text="STOP")
    assert resubscribe(company=company, phone=PHONE)
    assert not resubscribe(company=company, phone=PHONE)


# --- check(): the gate with the database --------------------------------------------


def test_check_allows_outreach_inside_the_window(company: Company) -> None:
    lead = make_lead(company)
    assert check(company=company, lead=lead, kind=SendKind.OUTREACH, now=NOON).allowed


def test_check_reads_the_time_from_the_clock(company: Company) -> None:
    lead = make_lead(company)
    with use_clock(VirtualClock(NIGHT)):
        verdict = check(company=company, lead=lead, kind=SendKind.OUTREACH)
    assert verdict.reason == Reason.QUIET_HOURS
    assert verdict.retry_at == datetime(2026, 7, 15, 14, 0, tzinfo=UTC)


def test_check_refuses_an_opted_out_lead(company: Company) -> None:
    lead = make_lead(company)
    make_opt_out(company, phone=lead.phone)
    for kind in (SendKind.OUTREACH, SendKind.REPLY, SendKind.HUMAN):
        verdict = check(company=company, lead=lead, kind=kind, now=NOON, last_inbound_at=NOON)
        assert verdict.reason == Reason.OPTED_OUT
    assert check(company=company, lead=lead, kind=SendKind.OPT_OUT_CONFIRMATION, now=NOON).allowed


def test_check_ignores_an_opt_out_that_was_lifted(company: Company) -> None:
    lead = make_lead(company)
    make_opt_out(company, phone=lead.phone, active=False, resubscribed_at=NOON)
    assert check(company=company, lead=lead, kind=SendKind.OUTREACH, now=NOON).allowed


def test_check_ignores_another_companys_opt_out(company: Company, other_company: Company) -> None:
    lead = make_lead(company)
    make_opt_out(other_company, phone=lead.phone)
    assert check(company=company, lead=lead, kind=SendKind.OUTREACH, now=NOON).allowed


def test_check_sees_a_takeover_made_after_the_lead_was_loaded(company: Company) -> None:
    lead = make_lead(company)
    Lead.objects.filter(pk=lead.pk).update(agent_paused_at=NOON)
    assert lead.agent_paused_at is None
    verdict = check(company=company, lead=lead, kind=SendKind.REPLY, now=NOON, last_inbound_at=NOON)
    assert verdict.reason == Reason.TAKEN_OVER
    assert check(company=company, lead=lead, kind=SendKind.HUMAN, now=NOON).allowed


def test_check_lets_a_fresh_reply_go_at_night(company: Company) -> None:
    lead = make_lead(company)
    fresh = NIGHT - timedelta(minutes=3)
    stale = NIGHT - timedelta(minutes=20)
    assert check(
        company=company, lead=lead, kind=SendKind.REPLY, now=NIGHT, last_inbound_at=fresh
    ).allowed
    refused = check(
        company=company, lead=lead, kind=SendKind.REPLY, now=NIGHT, last_inbound_at=stale
    )
    assert refused.retry_at == datetime(2026, 7, 15, 14, 0, tzinfo=UTC)


def test_check_refuses_a_lead_whose_number_cannot_be_dialled(company: Company) -> None:
    lead = make_lead(company, phone="555")
    assert check(company=company, lead=lead, kind=SendKind.OUTREACH, now=NOON).reason == (
        Reason.INVALID_NUMBER
    )


def test_check_uses_the_company_window(company: Company) -> None:
    company.outreach_window = {"start": "13:00", "end": "18:00"}
    company.save()
    lead = make_lead(company)
    refused = check(company=company, lead=lead, kind=SendKind.OUTREACH, now=NOON)
    assert refused.retry_at == datetime(2026, 7, 14, 18, 0, tzinfo=UTC)


def test_check_uses_the_company_zone_when_the_lead_cannot_be_placed(db: None) -> None:
    company = make_company(time_zone="America/New_York")
    lead = make_lead(company, zip="", phone="+18005550143")
    # 7:30 in New York (6:30 in Austin): the New York company's 8:00 decides.
    early = datetime(2026, 7, 14, 11, 30, tzinfo=UTC)
    verdict = check(company=company, lead=lead, kind=SendKind.OUTREACH, now=early)
    assert verdict.retry_at == datetime(2026, 7, 14, 12, 0, tzinfo=UTC)


def test_check_refuses_a_lead_of_another_company(company: Company, other_company: Company) -> None:
    lead = make_lead(other_company)
    with pytest.raises(ValueError):
        check(company=company, lead=lead, kind=SendKind.OUTREACH, now=NOON)


def test_check_costs_two_queries(company: Company) -> None:
    lead = make_lead(company)
    with CaptureQueriesContext(connection) as queries:
        check(company=company, lead=lead, kind=SendKind.OUTREACH, now=NOON)
    assert len(queries) == 2

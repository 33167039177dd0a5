"""Lead intake (POST /leads) and reading leads: get, list, search by phone."""

from __future__ import annotations

import pytest

from leadline.accounts.models import Company
from leadline.campaigns.models import Campaign, Channel, Goal
from leadline.channels.simulator import SimulatorProvider
from leadline.crm.models import Lead
from leadline.interactions.models import Interaction
from leadline.simulation.runner import VirtualWorker
from tests.api.conftest import Api, error_of
from tests.builders import make_campaign, make_interaction, make_lead

DANA = {
    "first_name": "Dana",
    "last_name": "Ruiz",
    "phone": "(512) 555-0143",
    "email": "dana@example.com",
    "zip": "78704",
    "address": "1100 S Lamar Blvd",
    "note": "AC blowing warm air",
    "source": "web_form",
}


def test_a_new_lead_is_recorded_and_speed_to_lead_texts_it(
    as_csr: Api, sms_campaign: Campaign, worker: VirtualWorker, provider: SimulatorProvider
) -> None:
    response = as_csr.post("/leads", DANA)
    assert response.status_code == 201
    body = response.json()
    lead = Lead.objects.get(pk=body["id"])
    assert (lead.phone, lead.first_name, lead.zip, lead.source) == (
        "+15125550143",
        "Dana",
        "78704",
        "web_form",
    )
    assert body["phone"] == "+15125550143"
    [started] = body["interactions"]
    assert (started["campaign_id"], started["status"]) == (sms_campaign.pk, "started")
    worker.run_due()
    [text] = [s for s in provider.sent if s.kind == "sms"]
    assert text.to == "+15125550143"
    assert "Lone Star Comfort Pros" in text.body and "STOP" in text.body


def test_the_same_phone_in_the_same_open_campaign_returns_the_existing_lead(
    as_csr: Api, sms_campaign: Campaign, worker: VirtualWorker, provider: SimulatorProvider
) -> None:
    first = as_csr.post("/leads", DANA)
    again = as_csr.post("/leads", {**DANA, "phone": "+1 512 555 0143", "first_name": "D."})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["first_name"] == "Dana"
    assert Lead.objects.count() == 1 and Interaction.objects.count() == 1
    worker.run_due()
    assert len([s for s in provider.sent if s.kind == "sms"]) == 1


def test_after_the_conversation_closed_the_same_phone_is_a_new_lead(
    as_csr: Api, shop: Company, sms_campaign: Campaign
) -> None:
    old = make_lead(shop, phone="+15125550143")
    make_interaction(shop, campaign=sms_campaign, lead=old, status="abandoned")
    response = as_csr.post("/leads", DANA)
    assert response.status_code == 201
    assert response.json()["id"] != old.pk


def test_another_campaign_can_be_chosen_and_a_switched_off_one_is_409(
    as_csr: Api, shop: Company, sms_campaign: Campaign
) -> None:
    voice = make_campaign(shop, name="Speed to Lead: Voice", channel=Channel.VOICE)
    response = as_csr.post("/leads", {**DANA, "campaign": voice.pk})
    assert response.status_code == 201
    assert response.json()["interactions"][0]["channel"] == "voice"
    off = make_campaign(shop, name="Old", goal=Goal.SPEED_TO_LEAD, enabled=False)
    refused = as_csr.post("/leads", {**DANA, "phone": "5125550199", "campaign": off.pk})
    assert refused.status_code == 409
    assert "switched off" in error_of(refused)["message"]
    assert not Lead.objects.filter(phone="+15125550199").exists()


def test_a_campaign_of_another_company_is_422_naming_the_field(
    as_csr: Api, sms_campaign: Campaign, rival: Company
) -> None:
    theirs = make_campaign(rival)
    response = as_csr.post("/leads", {**DANA, "campaign": theirs.pk})
    assert response.status_code == 422
    assert error_of(response)["field"] == "campaign"
    assert not Lead.objects.exists()


def test_without_a_switched_on_campaign_the_lead_is_kept_and_nothing_starts(
    as_csr: Api, shop: Company
) -> None:
    response = as_csr.post("/leads", DANA)
    assert response.status_code == 201
    assert response.json()["interactions"] == []
    assert Lead.objects.filter(company=shop).count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "555"),
        ("phone", "not a number"),
        ("phone", ""),
        ("zip", "7870"),
        ("zip", "00000"),
        ("zip", "78704-12"),
        ("email", "dana@"),
        ("source", "carrier pigeon"),
        ("first_name", "x" * 101),
        ("campaign", 0),
    ],
)
def test_a_bad_value_is_422_naming_the_field_and_stores_nothing(
    as_csr: Api, sms_campaign: Campaign, field: str, value: object
) -> None:
    response = as_csr.post("/leads", {**DANA, field: value})
    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["field"]) == ("invalid", field)
    assert not Lead.objects.exists()


def test_a_missing_phone_is_422_naming_it(as_csr: Api, sms_campaign: Campaign) -> None:
    response = as_csr.post("/leads", {"first_name": "Dana"})
    assert response.status_code == 422
    assert error_of(response)["field"] == "phone"


def test_a_lead_reads_back_with_its_interactions(
    as_csr: Api, shop: Company, sms_campaign: Campaign
) -> None:
    lead = make_lead(shop)
    interaction = make_interaction(shop, campaign=sms_campaign, lead=lead, status="active.hot")
    body = as_csr.get(f"/leads/{lead.pk}").json()
    assert (body["id"], body["first_name"], body["phone"]) == (lead.pk, "Dana", "+15125550143")
    assert body["interactions"] == [
        {
            "id": interaction.pk,
            "campaign_id": sms_campaign.pk,
            "goal": "speed_to_lead",
            "channel": "sms",
            "status": "active.hot",
            "status_label": "Active: Hot",
            "status_group": "active",
        }
    ]


def test_another_companys_lead_and_an_unknown_id_are_404(
    as_csr: Api, rival: Company, shop: Company
) -> None:
    theirs = make_lead(rival)
    for lead_id in (theirs.pk, 987654, 2**63 - 1, 2**70):
        response = as_csr.get(f"/leads/{lead_id}")
        assert response.status_code in (404, 422), lead_id
        error_of(response)
    assert as_csr.get(f"/leads/{theirs.pk}").status_code == 404


def test_leads_list_newest_first_a_page_at_a_time(as_csr: Api, shop: Company) -> None:
    leads = [make_lead(shop, phone=f"+1512555{n:04d}") for n in range(150, 155)]
    first = as_csr.get("/leads", {"limit": 3}).json()
    assert [item["id"] for item in first["items"]] == [lead.pk for lead in leads[::-1][:3]]
    second = as_csr.get("/leads", {"limit": 3, "cursor": first["next_cursor"]}).json()
    assert [item["id"] for item in second["items"]] == [leads[1].pk, leads[0].pk]
    assert second["next_cursor"] is None


def test_leads_are_found_by_phone_in_any_common_form(
    as_csr: Api, shop: Company, rival: Company
) -> None:
    mine = make_lead(shop, phone="+15125550143")
    make_lead(shop, phone="+15125550150")
    make_lead(rival, phone="+15125550143")
    for typed in ("(512) 555-0143", "+15125550143", "512.555.0143"):
        body = as_csr.get("/leads", {"phone": typed}).json()
        assert [item["id"] for item in body["items"]] == [mine.pk], typed
    bad = as_csr.get("/leads", {"phone": "12"})
    assert bad.status_code == 422 and error_of(bad)["field"] == "phone"
    cursor = as_csr.get("/leads", {"cursor": "abc"})
    assert cursor.status_code == 422 and error_of(cursor)["field"] == "cursor"

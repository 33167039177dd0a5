"""What a person does through the API, as on the lead record: take over, text, book,
dismiss, notes, tasks; and campaigns (administrators) and availability."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leadline.accounts.models import Company, User
from leadline.campaigns.models import Campaign
from leadline.crm.models import Job, Lead, Note, Task
from leadline.crm.services import merge_leads
from leadline.interactions.models import Interaction, InteractionEvent, Message
from leadline.kit import clock
from tests.api.conftest import Api, api_for, error_of
from tests.builders import make_interaction, make_lead, make_opt_out, make_user, make_window


@pytest.fixture
def lead(shop: Company) -> Lead:
    return make_lead(shop)


@pytest.fixture
def talk(shop: Company, sms_campaign: Campaign, lead: Lead) -> Interaction:
    return make_interaction(shop, campaign=sms_campaign, lead=lead, status="active.warm")


# ---- takeover and texting ------------------------------------------------------------------


def test_a_takeover_pauses_the_agent_once(as_csr: Api, csr: User, talk: Interaction) -> None:
    response = as_csr.post(f"/leads/{talk.lead_id}/takeover")
    assert response.status_code == 200
    body = response.json()
    assert body["agent_paused_at"] is not None
    assert [i["status"] for i in body["interactions"]] == ["takeover"]
    assert Lead.objects.get(pk=talk.lead_id).agent_paused_by == csr
    again = as_csr.post(f"/leads/{talk.lead_id}/takeover")
    assert again.status_code == 409
    assert "already taken over" in error_of(again)["message"]
    assert InteractionEvent.objects.filter(kind="takeover").count() == 1


def test_texting_needs_a_takeover_first(as_csr: Api, talk: Interaction) -> None:
    response = as_csr.post(f"/leads/{talk.lead_id}/messages", {"body": "Hi, Sam here"})
    assert response.status_code == 409
    assert "Take over first" in error_of(response)["message"]
    assert not Message.objects.exists()


def test_after_a_takeover_a_person_texts_the_lead(
    as_csr: Api, csr: User, talk: Interaction
) -> None:
    as_csr.post(f"/leads/{talk.lead_id}/takeover")
    response = as_csr.post(f"/leads/{talk.lead_id}/messages", {"body": "  Hi, Sam here  "})
    assert response.status_code == 201
    body = response.json()
    assert (body["body"], body["author"], body["author_user_id"], body["delivery_status"]) == (
        "Hi, Sam here",
        "human",
        csr.pk,
        "queued",
    )
    assert Message.objects.get().interaction_id == talk.pk


@pytest.mark.parametrize("text", ["", "   ", "x" * 1601])
def test_an_empty_or_too_long_text_is_422(as_csr: Api, talk: Interaction, text: str) -> None:
    as_csr.post(f"/leads/{talk.lead_id}/takeover")
    response = as_csr.post(f"/leads/{talk.lead_id}/messages", {"body": text})
    assert response.status_code == 422 and error_of(response)["field"] == "body"


def test_an_opted_out_number_cannot_be_texted(
    as_csr: Api, shop: Company, talk: Interaction
) -> None:
    as_csr.post(f"/leads/{talk.lead_id}/takeover")
    make_opt_out(shop, phone=talk.lead.phone)
    response = as_csr.post(f"/leads/{talk.lead_id}/messages", {"body": "Hello?"})
    assert response.status_code == 409
    assert "cannot be texted" in error_of(response)["message"]


def test_a_merged_lead_refuses_actions_with_409(
    as_csr: Api, shop: Company, talk: Interaction
) -> None:
    merge_leads(source=talk.lead, target=make_lead(shop, phone="+15125550190"))
    response = as_csr.post(f"/leads/{talk.lead_id}/notes", {"body": "Called back"})
    assert response.status_code == 409
    assert "merged" in error_of(response)["message"]


# ---- booking and dismissing ---------------------------------------------------------------


def test_a_job_is_booked_into_a_free_window(as_csr: Api, shop: Company, talk: Interaction) -> None:
    window = make_window(shop)
    response = as_csr.post(
        f"/interactions/{talk.pk}/booking", {"window_id": window.pk, "job_type": "ac_repair"}
    )
    assert response.status_code == 201
    job = Job.objects.get()
    assert response.json()["id"] == job.pk
    assert (job.arrival_window_id, job.job_type, job.booked_by) == (window.pk, "ac_repair", "human")
    assert Interaction.objects.get(pk=talk.pk).status == "converted.human"


def test_booking_an_opted_out_lead_is_409(
    as_csr: Api, shop: Company, sms_campaign: Campaign, lead: Lead
) -> None:
    closed = make_interaction(shop, campaign=sms_campaign, lead=lead, status="opt_out")
    window = make_window(shop)
    response = as_csr.post(
        f"/interactions/{closed.pk}/booking", {"window_id": window.pk, "job_type": "ac_repair"}
    )
    assert response.status_code == 409
    assert error_of(response)["code"] == "invalid_transition"
    assert not Job.objects.exists()


def test_a_full_window_is_409(as_csr: Api, shop: Company, talk: Interaction) -> None:
    window = make_window(shop, capacity=1, booked=1)
    response = as_csr.post(
        f"/interactions/{talk.pk}/booking", {"window_id": window.pk, "job_type": "ac_repair"}
    )
    assert response.status_code == 409 and error_of(response)["code"] == "no_capacity"


@pytest.mark.parametrize("case", ["other trade", "other company", "begun", "unknown job type"])
def test_a_window_that_does_not_fit_is_422_naming_the_field(
    as_csr: Api, shop: Company, rival: Company, talk: Interaction, case: str
) -> None:
    body = {"window_id": make_window(shop).pk, "job_type": "ac_repair"}
    field = "window_id"
    if case == "other trade":
        body["window_id"] = make_window(shop, trade="plumbing").pk
    elif case == "other company":
        body["window_id"] = make_window(rival).pk
    elif case == "begun":
        body["window_id"] = make_window(shop, starts_at=clock.now() - timedelta(minutes=5)).pk
    else:
        body["job_type"], field = "moon_landing", "job_type"
    response = as_csr.post(f"/interactions/{talk.pk}/booking", body)
    assert response.status_code == 422
    assert error_of(response)["field"] == field
    assert not Job.objects.exists()


def test_dismissing_needs_a_reason_and_closes_the_conversation(
    as_csr: Api, talk: Interaction
) -> None:
    blank = as_csr.post(f"/interactions/{talk.pk}/dismiss", {"reason": "  "})
    assert blank.status_code == 422 and error_of(blank)["field"] == "reason"
    response = as_csr.post(f"/interactions/{talk.pk}/dismiss", {"reason": "Duplicate of a call"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["status_label"]) == (
        "dismissed.human",
        "Dismissed: Human",
    )
    again = as_csr.post(f"/interactions/{talk.pk}/dismiss", {"reason": "Again"})
    assert again.status_code == 409


# ---- notes and tasks ----------------------------------------------------------------------


def test_notes_are_added_and_listed_newest_first(
    as_csr: Api, csr: User, lead: Lead, clock: object
) -> None:
    first = as_csr.post(f"/leads/{lead.pk}/notes", {"body": "Gate code 4471"})
    assert first.status_code == 201
    clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    as_csr.post(f"/leads/{lead.pk}/notes", {"body": "Dog in the yard"})
    notes = as_csr.get(f"/leads/{lead.pk}/notes").json()
    assert [n["body"] for n in notes] == ["Dog in the yard", "Gate code 4471"]
    assert notes[0]["author_id"] == csr.pk
    assert Note.objects.count() == 2


def test_a_task_is_assigned_to_a_teammate_and_completed(
    as_csr: Api, shop: Company, lead: Lead
) -> None:
    teammate = make_user(shop, role="Viewer")
    due = (clock.now() + timedelta(days=2)).date().isoformat()
    created = as_csr.post(
        f"/leads/{lead.pk}/tasks",
        {"title": "Call back", "assignee_id": teammate.pk, "due_date": due},
    )
    assert created.status_code == 201
    task = created.json()
    assert (task["assignee_id"], task["due_date"], task["done"]) == (teammate.pk, due, False)
    assert [t["id"] for t in as_csr.get(f"/leads/{lead.pk}/tasks").json()] == [task["id"]]
    # The assignee may mark it done without Send Message; once.
    as_teammate = api_for(teammate)
    done = as_teammate.post(f"/leads/{lead.pk}/tasks/{task['id']}/complete")
    assert done.status_code == 200 and done.json()["done"] is True
    again = as_csr.post(f"/leads/{lead.pk}/tasks/{task['id']}/complete")
    assert again.status_code == 409


def test_a_viewer_cannot_complete_someone_elses_task(
    as_csr: Api, shop: Company, csr: User, lead: Lead
) -> None:
    task = as_csr.post(f"/leads/{lead.pk}/tasks", {"title": "Quote", "assignee_id": csr.pk}).json()
    viewer = api_for(make_user(shop, role="Viewer"))
    response = viewer.post(f"/leads/{lead.pk}/tasks/{task['id']}/complete")
    assert response.status_code == 403
    assert not Task.objects.get().done


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"due_date": "2020-01-01"}, "due_date"),
        ({"due_date": "soon"}, "due_date"),
        ({"assignee_id": 0}, "assignee_id"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_a_bad_task_is_422_naming_the_field(
    as_csr: Api, csr: User, lead: Lead, change: dict[str, object], field: str
) -> None:
    body = {"title": "Call back", "assignee_id": csr.pk, **change}
    response = as_csr.post(f"/leads/{lead.pk}/tasks", body)
    assert response.status_code == 422
    assert error_of(response)["field"] == field
    assert not Task.objects.exists()


def test_a_task_for_someone_of_another_company_is_422(
    as_csr: Api, rival: Company, lead: Lead
) -> None:
    outsider = make_user(rival, role="CSR")
    response = as_csr.post(f"/leads/{lead.pk}/tasks", {"title": "x", "assignee_id": outsider.pk})
    assert response.status_code == 422 and error_of(response)["field"] == "assignee_id"


# ---- campaigns and availability -----------------------------------------------------------


def test_administrators_list_and_switch_campaigns(
    as_admin: Api, as_csr: Api, sms_campaign: Campaign, talk: Interaction
) -> None:
    listed = as_admin.get("/campaigns").json()
    assert [(c["id"], c["enabled"]) for c in listed] == [(sms_campaign.pk, True)]
    assert as_csr.get("/campaigns").status_code == 403
    off = as_admin.post(f"/campaigns/{sms_campaign.pk}/disable")
    assert off.status_code == 200 and off.json()["enabled"] is False
    assert Interaction.objects.get(pk=talk.pk).status == "terminated"
    on = as_admin.post(f"/campaigns/{sms_campaign.pk}/enable")
    assert on.json()["enabled"] is True
    assert Campaign.objects.get(pk=sms_campaign.pk).enabled


def test_availability_lists_free_windows_of_the_job_types_trade(
    as_csr: Api, shop: Company, rival: Company
) -> None:
    free = make_window(shop, starts_at=clock.now() + timedelta(days=1, hours=3))
    full = make_window(
        shop, starts_at=clock.now() + timedelta(days=1, hours=5), capacity=1, booked=1
    )
    theirs = make_window(rival, starts_at=clock.now() + timedelta(days=1, hours=3))
    body = as_csr.get("/availability", {"job_type": "ac_repair", "days": 2}).json()
    ids = [w["id"] for w in body["windows"]]
    assert free.pk in ids
    assert all(w["trade"] == "hvac" and w["free"] > 0 for w in body["windows"])
    assert full.pk not in ids and theirs.pk not in ids
    bad = as_csr.get("/availability", {"job_type": "moon_landing"})
    assert bad.status_code == 422 and error_of(bad)["field"] == "job_type"

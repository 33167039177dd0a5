"""Notes, follow-up tasks, Book job and Dismiss on the lead record, and "Your open tasks"."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.test import Client

from leadline.accounts.models import Company
from leadline.capacity.models import ArrivalWindow
from leadline.crm.models import Job, Note, Task
from leadline.interactions.models import Interaction, InteractionEvent
from leadline.kit import clock
from tests.builders import make_company, make_interaction, make_user, make_window
from tests.console.test_records_world import (
    NOW,
    World,
    build_world,
    lead_url,
    signed_in,
    snapshot,
)

pytestmark = pytest.mark.django_db

DASH = "\N{EN DASH}"


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with clock.use_clock(clock.VirtualClock(NOW)):
        yield


@pytest.fixture
def world(company: Company) -> World:
    return build_world(company)


def follow(client: Client, url: str, data: dict[str, str]) -> str:
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


# ---- notes ---------------------------------------------------------------------------------


def test_a_note_shows_with_its_author_and_time_and_on_the_timeline(world: World) -> None:
    html = follow(signed_in(world.csr), lead_url(world, "notes/"), {"body": "Gate code 4471"})
    assert "Note added." in html
    note = Note.objects.get(lead=world.lead)
    assert (note.author, note.body, note.created_at) == (world.csr, "Gate code 4471", NOW)
    event = InteractionEvent.objects.get(lead=world.lead, kind=InteractionEvent.Kind.NOTE)
    assert (event.actor, event.data) == (world.csr, {"note_id": note.pk})
    notes = html.split('id="notes-title"', 1)[1].split("</section>", 1)[0]
    assert "Sam Patel" in notes and "Mar 10, 10:00 AM" in notes and "Gate code 4471" in notes
    timeline = html.split("data-live-list", 1)[1].split('id="chat"', 1)[0]
    assert f'data-live-key="e{event.pk}"' in timeline
    assert '<span class="rec-event-title">Note</span>' in timeline


def test_an_empty_note_is_refused_with_a_message(world: World) -> None:
    before = snapshot(world)
    html = follow(signed_in(world.csr), lead_url(world, "notes/"), {"body": "  "})
    assert "A note needs some text." in html
    assert snapshot(world) == before


# ---- follow-up tasks -----------------------------------------------------------------------


def test_a_task_is_assigned_with_a_due_date_and_shows_on_the_timeline(world: World) -> None:
    rita = make_user(world.company, role="Manager", first_name="Rita", last_name="Gomez")
    due = (NOW.date() + timedelta(days=2)).isoformat()
    html = follow(
        signed_in(world.csr),
        lead_url(world, "tasks/"),
        {"title": "Send the quote", "assignee": str(rita.pk), "due_date": due},
    )
    assert "Task added for Rita Gomez." in html
    task = Task.objects.get(title="Send the quote")
    assert (task.assignee, task.created_by, task.due_date) == (
        rita,
        world.csr,
        date.fromisoformat(due),
    )
    tasks = html.split('id="tasks-title"', 1)[1].split("</section>", 1)[0]
    assert "Send the quote" in tasks and "Rita Gomez" in tasks and "Due Thu, Mar 12" in tasks
    assert "Task for Rita Gomez: Send the quote" in html


def test_the_assignee_must_be_an_active_teammate(world: World) -> None:
    stranger = make_user(make_company(name="Rival Air"), role="CSR")
    before = snapshot(world)
    html = follow(
        signed_in(world.csr),
        lead_url(world, "tasks/"),
        {"title": "Call back", "assignee": str(stranger.pk)},
    )
    assert "Choose a teammate to assign the task to." in html
    assert snapshot(world) == before


def test_an_inactive_teammate_is_not_offered_or_accepted(world: World) -> None:
    former = make_user(world.company, role="CSR", first_name="Former")
    former.is_active = False
    former.save()
    client = signed_in(world.csr)
    assert "Former" not in client.get(lead_url(world)).content.decode()
    html = follow(client, lead_url(world, "tasks/"), {"title": "x", "assignee": str(former.pk)})
    assert "Choose a teammate to assign the task to." in html


@pytest.mark.parametrize(
    ("due", "error"),
    [
        ("2026-03-09", "A due date cannot be in the past."),
        ("next week", "Enter the due date as a date (YYYY-MM-DD)."),
    ],
)
def test_a_bad_due_date_is_refused(world: World, due: str, error: str) -> None:
    before = snapshot(world)
    html = follow(
        signed_in(world.csr),
        lead_url(world, "tasks/"),
        {"title": "Call back", "assignee": str(world.csr.pk), "due_date": due},
    )
    assert error in html
    assert snapshot(world) == before


def test_marking_a_task_done_records_who_and_when(world: World) -> None:
    client = signed_in(world.csr)
    html = follow(client, lead_url(world, f"tasks/{world.task.pk}/done/"), {})
    assert "Task done: Call back about the estimate" in html
    world.task.refresh_from_db()
    assert (world.task.done, world.task.done_at) == (True, NOW)
    event = InteractionEvent.objects.get(lead=world.lead, data__action="done")
    assert (event.actor, event.detail) == (world.csr, "Done: Call back about the estimate")
    assert '<span class="rec-event-title">Task done</span>' in html
    assert "No open tasks." in html
    again = follow(client, lead_url(world, f"tasks/{world.task.pk}/done/"), {})
    assert "That task is already done." in again


def test_home_lists_your_open_tasks(world: World) -> None:
    rita = make_user(world.company, role="CSR", first_name="Rita")
    Task.objects.create(
        company=world.company,
        lead=world.lead,
        title="Rita's own task",
        assignee=rita,
        created_at=NOW,
    )
    Task.objects.create(
        company=world.company,
        lead=world.lead,
        title="Overdue follow-up",
        assignee=world.csr,
        due_date=NOW.date() - timedelta(days=2),
        created_at=NOW,
    )
    client = signed_in(world.csr)
    html = client.get("/").content.decode()
    tasks = html.split('id="my-tasks-title"', 1)[1].split("</section>", 1)[0]
    assert "Overdue follow-up" in tasks and "(overdue)" in tasks
    assert "Call back about the estimate" in tasks and "Due Tomorrow" in tasks
    assert tasks.index("Overdue follow-up") < tasks.index("Call back about the estimate")
    assert "Rita&#x27;s own task" not in tasks
    assert f'href="/leads/{world.lead.pk}/#tasks">Dana Ruiz</a>' in tasks
    response = client.post(
        f"/leads/{world.lead.pk}/tasks/{world.task.pk}/done/", {"next": "home"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
    assert (
        "Call back about the estimate"
        not in response.content.decode().split('id="my-tasks-title"', 1)[1]
    )


def test_home_says_when_nothing_is_assigned(world: World) -> None:
    viewer = make_user(world.company, role="Viewer")
    html = signed_in(viewer).get("/").content.decode()
    assert "Nothing assigned to you." in html


# ---- Book job ------------------------------------------------------------------------------


def test_book_job_lists_free_windows_by_day_in_the_company_zone(world: World) -> None:
    full = make_window(world.company, starts_at=NOW + timedelta(days=2), capacity=1, booked=1)
    plumbing = make_window(world.company, starts_at=NOW + timedelta(days=2), trade="plumbing")
    html = signed_in(world.csr).get(lead_url(world, "book/?job_type=ac_repair")).content.decode()
    assert "Arrival windows for AC repair" in html
    assert "America/Chicago" in html
    assert "Tomorrow" in html
    # 15:00 UTC is 10 AM in Chicago.
    assert f"<span>10 AM{DASH}12 PM</span>" in html
    assert f'value="{world.window.pk}"' in html
    assert f'value="{full.pk}"' not in html
    assert f'value="{plumbing.pk}"' not in html


def test_book_job_starts_from_the_job_the_agent_understood(world: World) -> None:
    html = signed_in(world.csr).get(lead_url(world, "book/")).content.decode()
    # The lead's note says "AC not cooling".
    assert '<option value="ac_repair" selected>AC repair</option>' in html


def test_booking_a_window_converts_it_as_human(world: World) -> None:
    client = signed_in(world.csr)
    html = follow(
        client,
        lead_url(world, "book/"),
        {
            "job_type": "ac_repair",
            "window": str(world.window.pk),
            "interaction": str(world.interaction.pk),
        },
    )
    assert f"Booked AC repair for Wed, Mar 11, 10 AM{DASH}12 PM." in html
    world.interaction.refresh_from_db()
    assert world.interaction.status_label == "Converted: Human"
    job = Job.objects.get(interaction=world.interaction)
    assert (job.booked_by, job.booked_by_user, job.arrival_window_id) == (
        Job.BookedBy.HUMAN,
        world.csr,
        world.window.pk,
    )
    assert ArrivalWindow.objects.get(pk=world.window.pk).booked == 1
    assert '<span class="ix-badge ix-badge-converted">Converted: Human</span>' in html
    assert f"AC repair booked for Wed, Mar 11, 10 AM{DASH}12 PM" in html


def test_booking_a_full_window_says_so_and_books_nothing(world: World) -> None:
    ArrivalWindow.objects.filter(pk=world.window.pk).update(booked=2)
    before = snapshot(world)
    response = signed_in(world.csr).post(
        lead_url(world, "book/"),
        {
            "job_type": "ac_repair",
            "window": str(world.window.pk),
            "interaction": str(world.interaction.pk),
        },
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(lead_url(world, "book/?job_type=ac_repair"))
    html = response.content.decode()
    assert "That arrival window is full now. Pick another one." in html
    assert "No free arrival windows for AC repair in the next 14 days." in html
    assert snapshot(world) == before


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"job_type": "ac_repair", "window": ""}, "Choose an arrival window."),
        ({"job_type": "moon_landing"}, "Choose a job type to book."),
        ({"job_type": "leak_repair"}, "Leak repair is not booked into HVAC windows."),
        ({"job_type": "ac_repair", "interaction": "999999"}, "not one of this lead"),
    ],
)
def test_a_booking_that_cannot_be_made_is_explained(
    world: World, data: dict[str, str], error: str
) -> None:
    form = {"window": str(world.window.pk), "interaction": str(world.interaction.pk), **data}
    before = snapshot(world)
    html = follow(signed_in(world.csr), lead_url(world, "book/"), form)
    assert error in html
    assert snapshot(world) == before


def test_another_companys_window_cannot_be_booked(world: World) -> None:
    foreign = make_window(make_company(name="Rival Air"), starts_at=NOW + timedelta(days=1))
    before = snapshot(world)
    html = follow(
        signed_in(world.csr),
        lead_url(world, "book/"),
        {
            "job_type": "ac_repair",
            "window": str(foreign.pk),
            "interaction": str(world.interaction.pk),
        },
    )
    assert "Choose an arrival window." in html
    assert snapshot(world) == before
    assert ArrivalWindow.objects.get(pk=foreign.pk).booked == 0


def test_nothing_to_book_once_every_conversation_ended(world: World) -> None:
    Interaction.objects.filter(lead=world.lead).update(status="abandoned", status_group="closed")
    client = signed_in(world.csr)
    assert "Nothing to book" in client.get(lead_url(world, "book/")).content.decode()
    assert "Nothing left to book" in client.get(lead_url(world)).content.decode()


# ---- Dismiss -------------------------------------------------------------------------------


def test_dismissing_with_a_reason(world: World) -> None:
    html = follow(
        signed_in(world.csr),
        lead_url(world, "dismiss/"),
        {"interaction": str(world.interaction.pk), "reason": "Duplicate of a booked job"},
    )
    assert "Dismissed. The conversation is Dismissed: Human." in html
    world.interaction.refresh_from_db()
    assert world.interaction.status_label == "Dismissed: Human"
    change = InteractionEvent.objects.get(
        interaction=world.interaction, to_status="dismissed.human"
    )
    assert (change.actor, change.detail) == (world.csr, "Duplicate of a booked job")
    assert "Duplicate of a booked job" in html.split("data-live-list", 1)[1]


def test_dismissing_needs_a_reason(world: World) -> None:
    before = snapshot(world)
    html = follow(
        signed_in(world.csr),
        lead_url(world, "dismiss/"),
        {"interaction": str(world.interaction.pk), "reason": ""},
    )
    assert "Say why it is dismissed: the reason goes on the timeline." in html
    assert snapshot(world) == before


def test_a_converted_conversation_cannot_be_dismissed(world: World) -> None:
    converted = make_interaction(world.company, lead=world.lead, status="converted.agent")
    html = follow(
        signed_in(world.csr),
        lead_url(world, "dismiss/"),
        {"interaction": str(converted.pk), "reason": "Oops"},
    )
    assert "An interaction that is Converted: Agent cannot become Dismissed: Human." in html
    converted.refresh_from_db()
    assert converted.status == "converted.agent"

"""Who may see the records and who may act on a lead: every page and every POST."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from leadline.accounts.models import Company, User
from leadline.kit import clock
from tests.builders import make_company, make_user
from tests.console.test_records_world import (
    NOW,
    TRANSCRIPT_LINE,
    World,
    build_world,
    lead_url,
    signed_in,
    snapshot,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with clock.use_clock(clock.VirtualClock(NOW)):
        yield


@pytest.fixture
def world(company: Company) -> World:
    return build_world(company)


# Pages anyone with View Customer Chats reads.
READ_PAGES: dict[str, Callable[[World], str]] = {
    "customer": lambda w: f"/customers/{w.customer.pk}/",
    "opportunity": lambda w: f"/opportunities/{w.opportunity.pk}/",
    "lead": lambda w: lead_url(w),
    "lead live part": lambda w: lead_url(w, "live/timeline/"),
}
# Pages that only lead to an action (they need Send Message too).
ACTION_PAGES: dict[str, Callable[[World], str]] = {
    "takeover confirmation": lambda w: lead_url(w, "takeover/"),
    "book job": lambda w: lead_url(w, "book/"),
}


def _posts(world: World) -> dict[str, tuple[str, dict[str, str]]]:
    return {
        "takeover": (lead_url(world, "takeover/"), {"confirm": "yes"}),
        "message": (lead_url(world, "messages/"), {"body": "Sam here, I can help."}),
        "note": (lead_url(world, "notes/"), {"body": "Prefers mornings"}),
        "task": (
            lead_url(world, "tasks/"),
            {"title": "Send the quote", "assignee": str(world.csr.pk), "due_date": ""},
        ),
        "task done": (lead_url(world, f"tasks/{world.task.pk}/done/"), {}),
        "book": (
            lead_url(world, "book/"),
            {
                "job_type": "ac_repair",
                "window": str(world.window.pk),
                "interaction": str(world.interaction.pk),
            },
        ),
        "dismiss": (
            lead_url(world, "dismiss/"),
            {"interaction": str(world.interaction.pk), "reason": "Duplicate lead"},
        ),
    }


POSTS = ("takeover", "message", "note", "task", "task done", "book", "dismiss")


def _user_without_role(company: Company) -> User:
    user = make_user(company, role="Viewer")
    user.groups.clear()
    return user


@pytest.mark.parametrize("page", [*READ_PAGES, *ACTION_PAGES])
def test_anonymous_is_sent_to_sign_in_from_every_page(world: World, page: str) -> None:
    url = {**READ_PAGES, **ACTION_PAGES}[page](world)
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("post", POSTS)
def test_anonymous_posts_are_sent_to_sign_in_and_change_nothing(world: World, post: str) -> None:
    before = snapshot(world)
    url, data = _posts(world)[post]
    response = Client().post(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert snapshot(world) == before


@pytest.mark.parametrize("page", [*READ_PAGES, *ACTION_PAGES])
def test_another_companys_user_gets_404_and_no_data(world: World, page: str) -> None:
    stranger = make_user(make_company(name="Rival Air"), role="Administrator")
    url = {**READ_PAGES, **ACTION_PAGES}[page](world)
    response = signed_in(stranger).get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Dana" not in html
    assert "AC replacement estimate" not in html


@pytest.mark.parametrize("post", POSTS)
def test_another_companys_posts_are_404_and_change_nothing(world: World, post: str) -> None:
    stranger = make_user(make_company(name="Rival Air"), role="Administrator")
    before = snapshot(world)
    url, data = _posts(world)[post]
    assert signed_in(stranger).post(url, data).status_code == 404
    assert snapshot(world) == before


@pytest.mark.parametrize("page", [*READ_PAGES, *ACTION_PAGES])
def test_a_user_without_a_role_gets_403(world: World, page: str) -> None:
    url = {**READ_PAGES, **ACTION_PAGES}[page](world)
    assert signed_in(_user_without_role(world.company)).get(url).status_code == 403


@pytest.mark.parametrize("post", POSTS)
def test_a_user_without_a_role_cannot_post(world: World, post: str) -> None:
    before = snapshot(world)
    url, data = _posts(world)[post]
    assert signed_in(_user_without_role(world.company)).post(url, data).status_code == 403
    assert snapshot(world) == before


@pytest.mark.parametrize("role", ["Viewer", "Manager"])
@pytest.mark.parametrize("page", list(READ_PAGES))
def test_viewers_and_managers_read_every_record(world: World, role: str, page: str) -> None:
    user = make_user(world.company, role=role)
    assert signed_in(user).get(READ_PAGES[page](world)).status_code == 200


@pytest.mark.parametrize("role", ["Viewer", "Manager"])
def test_without_send_message_the_lead_record_has_no_action_controls(
    world: World, role: str
) -> None:
    user = make_user(world.company, role=role)
    html = signed_in(user).get(lead_url(world)).content.decode()
    assert "Dana Ruiz" in html
    for action in ("takeover/", "messages/", "notes/", "tasks/", "book/", "dismiss/"):
        assert lead_url(world, action) not in html
    assert "data-takeover-open" not in html
    assert "<textarea" not in html
    assert "Mark done" not in html
    assert "Taking over and replying need the Send Message permission." in html


@pytest.mark.parametrize("role", ["Viewer", "Manager"])
@pytest.mark.parametrize("page", list(ACTION_PAGES))
def test_action_pages_need_send_message(world: World, role: str, page: str) -> None:
    user = make_user(world.company, role=role)
    assert signed_in(user).get(ACTION_PAGES[page](world)).status_code == 403


@pytest.mark.parametrize("role", ["Viewer", "Manager"])
@pytest.mark.parametrize("post", POSTS)
def test_posts_without_send_message_are_403_and_change_nothing(
    world: World, role: str, post: str
) -> None:
    user = make_user(world.company, role=role)
    before = snapshot(world)
    url, data = _posts(world)[post]
    assert signed_in(user).post(url, data).status_code == 403
    assert snapshot(world) == before


def test_transcripts_only_with_listen_to_call_recording(world: World) -> None:
    manager = make_user(world.company, role="Manager")
    viewer = make_user(world.company, role="Viewer")
    assert TRANSCRIPT_LINE in signed_in(manager).get(lead_url(world)).content.decode()
    for url in (lead_url(world), lead_url(world, "live/timeline/")):
        html = signed_in(viewer).get(url).content.decode()
        assert TRANSCRIPT_LINE not in html
        assert "RE123" not in html


@pytest.mark.parametrize("role", ["CSR", "Administrator"])
@pytest.mark.parametrize("post", POSTS)
def test_csrs_and_administrators_can_act(world: World, role: str, post: str) -> None:
    user = make_user(world.company, role=role)
    client = signed_in(user)
    if post == "message":
        client.post(lead_url(world, "takeover/"), {"confirm": "yes"})
    before = snapshot(world)
    url, data = _posts(world)[post]
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith(lead_url(world))
    assert snapshot(world) != before
    followed = client.get(response["Location"])
    assert 'class="rec-flash-item rec-flash-success"' in followed.content.decode()


def test_the_assignee_may_mark_their_own_task_done_without_send_message(world: World) -> None:
    viewer = make_user(world.company, role="Viewer")
    world.task.assignee = viewer
    world.task.save()
    response = signed_in(viewer).post(lead_url(world, f"tasks/{world.task.pk}/done/"))
    assert response.status_code == 302
    world.task.refresh_from_db()
    assert world.task.done


@pytest.mark.parametrize("post", POSTS)
def test_every_post_needs_the_csrf_token(world: World, post: str) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.csr)
    before = snapshot(world)
    url, data = _posts(world)[post]
    assert client.post(url, data).status_code == 403
    assert snapshot(world) == before


@pytest.mark.parametrize("suffix", ["messages/", "notes/", "tasks/", "dismiss/"])
def test_action_urls_answer_405_to_a_get(world: World, suffix: str) -> None:
    assert signed_in(world.csr).get(lead_url(world, suffix)).status_code == 405


@pytest.mark.parametrize(
    "url",
    [
        "/customers/999999/",
        "/opportunities/999999/",
        "/leads/999999/",
        "/leads/999999/live/timeline/",
        "/leads/999999/book/",
        "/leads/999999/takeover/",
    ],
)
def test_unknown_ids_are_404(world: World, url: str) -> None:
    assert signed_in(world.csr).get(url).status_code == 404


def test_a_task_of_another_lead_is_404(world: World) -> None:
    other = build_world(make_company(name="Rival Air"))
    before = snapshot(other)
    response = signed_in(world.csr).post(lead_url(world, f"tasks/{other.task.pk}/done/"))
    assert response.status_code == 404
    assert snapshot(other) == before


def test_an_unknown_live_part_is_404(world: World) -> None:
    assert signed_in(world.csr).get(lead_url(world, "live/secrets/")).status_code == 404

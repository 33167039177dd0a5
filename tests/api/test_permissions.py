"""The permission matrix over every operation: anonymous, a revoked token, another company's
token (404 for ids), each role, and each of the three permissions (and administration) on
and off. A refused call changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from leadline.accounts.models import Company, User
from leadline.accounts.roles import (
    ADMINISTER_COMPANY,
    LISTEN_CALL_RECORDING,
    SEND_MESSAGE,
    VIEW_CUSTOMER_CHATS,
)
from leadline.api.main import api
from leadline.api.services import create_token, revoke_token
from leadline.campaigns.models import Campaign, Channel
from leadline.channels.base import use_provider
from leadline.crm.services import create_task, take_over_lead
from leadline.interactions.models import Call, InteractionEvent
from leadline.kit import clock
from tests.api.conftest import Api, error_of, user_with
from tests.api.test_interactions import RecordingProvider
from tests.builders import make_campaign, make_interaction, make_lead, make_user, make_window

V, S, L, A = VIEW_CUSTOMER_CHATS, SEND_MESSAGE, LISTEN_CALL_RECORDING, ADMINISTER_COMPANY


@dataclass(frozen=True)
class Op:
    operation_id: str
    method: str
    path: str  # with {names} of the world's ids
    needs: frozenset[str]
    success: int
    body: dict[str, Any] | None = None

    @property
    def has_ids(self) -> bool:
        return "{" in self.path


OPS = [
    Op("createLead", "POST", "/leads", frozenset({V, S}), 201, {"phone": "5125550177"}),
    Op("listLeads", "GET", "/leads", frozenset({V}), 200),
    Op("getLead", "GET", "/leads/{lead}", frozenset({V}), 200),
    Op("takeOverLead", "POST", "/leads/{lead}/takeover", frozenset({V, S}), 200),
    Op("sendMessage", "POST", "/leads/{paused}/messages", frozenset({V, S}), 201, {"body": "Hi"}),
    Op("listNotes", "GET", "/leads/{lead}/notes", frozenset({V}), 200),
    Op("addNote", "POST", "/leads/{lead}/notes", frozenset({V, S}), 201, {"body": "Gate 44"}),
    Op("listTasks", "GET", "/leads/{lead}/tasks", frozenset({V}), 200),
    Op(
        "createTask",
        "POST",
        "/leads/{lead}/tasks",
        frozenset({V, S}),
        201,
        {"title": "Call back", "assignee_id": "{teammate}"},
    ),
    Op("completeTask", "POST", "/leads/{lead}/tasks/{task}/complete", frozenset({V, S}), 200),
    Op("listInteractions", "GET", "/interactions", frozenset({V}), 200),
    Op("getInteraction", "GET", "/interactions/{interaction}", frozenset({V}), 200),
    Op("listCalls", "GET", "/interactions/{interaction}/calls", frozenset({V, L}), 200),
    Op(
        "getCallRecording",
        "GET",
        "/interactions/{interaction}/calls/{call}/recording",
        frozenset({V, L}),
        200,
    ),
    Op(
        "bookJob",
        "POST",
        "/interactions/{interaction}/booking",
        frozenset({V, S}),
        201,
        {"window_id": "{window}", "job_type": "ac_repair"},
    ),
    Op(
        "dismissInteraction",
        "POST",
        "/interactions/{interaction}/dismiss",
        frozenset({V, S}),
        200,
        {"reason": "Duplicate"},
    ),
    Op("listCampaigns", "GET", "/campaigns", frozenset({A}), 200),
    Op("enableCampaign", "POST", "/campaigns/{campaign}/enable", frozenset({A}), 200),
    Op("disableCampaign", "POST", "/campaigns/{campaign}/disable", frozenset({A}), 200),
    Op("getAvailability", "GET", "/availability?job_type=ac_repair", frozenset({V}), 200),
    Op("listEvents", "GET", "/events", frozenset({V}), 200),
]


def test_the_matrix_covers_every_operation_of_the_api() -> None:
    schema = api.get_openapi_schema()
    documented = {
        operation["operationId"]
        for methods in schema["paths"].values()
        for operation in methods.values()
    }
    assert documented == {op.operation_id for op in OPS}


@pytest.fixture
def world(shop: Company) -> Iterator[dict[str, int]]:
    """One of everything each operation names, in `shop`."""
    campaign = make_campaign(shop, channel=Channel.VOICE, name="Voice")
    sms: Campaign = make_campaign(shop)
    lead = make_lead(shop)
    interaction = make_interaction(shop, campaign=campaign, lead=lead, status="active.warm")
    call = Call.objects.create(
        company=shop,
        interaction=interaction,
        started_at=clock.now(),
        outcome=Call.Outcome.COMPLETED,
        recording_id="RE123",
    )
    paused = make_lead(shop, phone="+15125550188")
    make_interaction(shop, campaign=sms, lead=paused, status="active.hot")
    take_over_lead(lead=paused, actor=None)
    teammate = make_user(shop, role="Viewer")
    task = create_task(lead=lead, actor=None, title="Quote", assignee_id=teammate.pk)
    with use_provider(RecordingProvider()):
        yield {
            "lead": lead.pk,
            "paused": paused.pk,
            "interaction": interaction.pk,
            "call": call.pk,
            "task": task.pk,
            "teammate": teammate.pk,
            "window": make_window(shop).pk,
            "campaign": campaign.pk,
        }


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _run(api_client: Api, op: Op, ids: dict[str, int]) -> tuple[int, Any, int]:
    """Call the operation and undo whatever it did; (status, response, new events)."""
    with transaction.atomic():
        before = InteractionEvent.objects.count()
        response = api_client.call(op.method, _fill(op.path, ids), _fill(op.body, ids))
        changed = InteractionEvent.objects.count() - before
        transaction.set_rollback(True)
    return response.status_code, response, changed


PRINCIPALS: dict[str, tuple[str, ...] | str] = {
    "Administrator": "Administrator",
    "CSR": "CSR",
    "Manager": "Manager",
    "Viewer": "Viewer",
    "no permission": (),
    "view only": (V,),
    "view + send": (V, S),
    "view + listen": (V, L),
    "send without view": (S,),
    "listen without view": (L,),
    "administer only": (A,),
}
ROLE_PERMISSIONS = {
    "Administrator": {V, S, L, A},
    "CSR": {V, S, L},
    "Manager": {V, L},
    "Viewer": {V},
}


@pytest.mark.parametrize("principal", list(PRINCIPALS))
def test_each_role_and_permission_reaches_exactly_what_it_holds(
    shop: Company, world: dict[str, int], principal: str
) -> None:
    spec = PRINCIPALS[principal]
    if isinstance(spec, str):
        user: User = make_user(shop, role=spec)
        held = ROLE_PERMISSIONS[spec]
    else:
        user = user_with(shop, *spec)
        held = set(spec)
    client = Api(create_token(user=user).secret)
    for op in OPS:
        status, response, changed = _run(client, op, world)
        if op.needs <= held:
            assert status == op.success, (principal, op.operation_id, response.content)
        else:
            assert status == 403, (principal, op.operation_id, response.content)
            assert error_of(response)["code"] == "forbidden"
            assert changed == 0, (principal, op.operation_id)


def test_anonymous_and_revoked_tokens_get_401_everywhere(
    shop: Company, world: dict[str, int]
) -> None:
    revoked = create_token(user=make_user(shop, role="Administrator"))
    revoke_token(token=revoked.token)
    for client in (Api(None), Api(revoked.secret)):
        for op in OPS:
            status, response, changed = _run(client, op, world)
            assert status == 401, op.operation_id
            assert error_of(response)["code"] == "unauthorized"
            assert changed == 0


def test_another_companys_token_gets_404_for_every_id_and_sees_nothing(
    shop: Company, rival: Company, world: dict[str, int]
) -> None:
    outsider = Api(create_token(user=make_user(rival, role="Administrator")).secret)
    for op in OPS:
        status, response, changed = _run(outsider, op, world)
        if op.has_ids:
            assert status == 404, (op.operation_id, response.content)
            assert error_of(response)["code"] == "not_found"
            assert changed == 0
        else:
            assert status == op.success, op.operation_id
    assert outsider.get("/leads").json()["items"] == []
    assert outsider.get("/interactions").json()["items"] == []
    assert outsider.get("/events").json()["items"] == []
    assert outsider.get("/campaigns").json() == []

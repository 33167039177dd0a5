"""Background entry points of the channels: sending, placing calls, handling what came in.

Tasks are thin: they load by id and call one service. The services are imported
inside each task so that any service may enqueue these tasks without an import cycle.
"""

from __future__ import annotations

from django_tasks import task


@task()
def send_message(message_id: int, kind: str) -> str:
    """Send one queued text, after re-checking compliance and takeover at this moment."""
    from leadline.channels import services

    return services.deliver_message(message_id=message_id, kind=kind)


@task()
def reconcile_message(message_id: int, attempt: int, kind: str = "") -> str:
    """Settle a text whose send got no answer by asking the carrier, never by sending again."""
    from leadline.channels import services

    return services.reconcile_message(message_id=message_id, attempt=attempt, kind=kind)


@task()
def reconcile_stale_messages() -> str:
    """Look up every text left `sending` or `unknown` (e.g. by a crash) at the carrier."""
    from leadline.channels import services

    return f"looked up {services.reconcile_stale_messages()} texts"


@task()
def place_call(interaction_id: int, opening: str) -> str:
    """Place the Voice Agent's call of a cadence touch, re-checking compliance now."""
    from leadline.channels import services

    return services.place_agent_call(interaction_id=interaction_id, opening=opening)


@task()
def handle_inbound_sms(message_id: int) -> str:
    """Let the agent (and compliance before it) answer a text the lead sent."""
    from leadline.agent import policy
    from leadline.interactions.models import Message

    message = Message.objects.select_related("interaction").get(pk=message_id)
    return policy.handle_inbound(message=message)


@task()
def handle_call_turn(turn_id: int) -> str:
    """Let the agent answer what the lead just said on a call."""
    from leadline.agent import policy
    from leadline.interactions.models import CallTurn

    turn = CallTurn.objects.select_related("call__interaction").get(pk=turn_id)
    return policy.handle_spoken_turn(turn=turn)

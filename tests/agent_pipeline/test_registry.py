"""The brain is chosen by LEADLINE_BRAIN; the provider by LEADLINE_PROVIDER."""

from __future__ import annotations

from typing import Any

import pytest

from leadline.agent import registry
from leadline.agent.rules_brain import RulesBrain
from leadline.agent.types import Conversation, Decision
from leadline.channels import base
from leadline.channels.simulator import SimulatorProvider


class EchoBrain:
    def opening(self, conversation: Conversation) -> Decision:
        return Decision(reply="hello")

    def follow_up(self, conversation: Conversation, touch: int) -> Decision:
        return Decision(reply=f"touch {touch}")

    def respond(self, conversation: Conversation) -> Decision:
        return Decision(reply=conversation.turns[-1].body)


def test_the_rules_brain_is_the_default(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEADLINE_BRAIN", raising=False)
    monkeypatch.setattr(registry, "_cache", {})
    assert isinstance(registry.get_brain(), RulesBrain)


def test_a_brain_is_named_by_its_dotted_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADLINE_BRAIN", "tests.agent_pipeline.test_registry.EchoBrain")
    monkeypatch.setattr(registry, "_cache", {})
    assert isinstance(registry.get_brain(), EchoBrain)


def test_an_unknown_brain_name_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADLINE_BRAIN", "clever")
    monkeypatch.setattr(registry, "_cache", {})
    with pytest.raises(ValueError, match="LEADLINE_BRAIN='clever'"):
        registry.get_brain()


def test_the_simulator_is_the_default_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEADLINE_PROVIDER", raising=False)
    assert isinstance(base.get_provider(), SimulatorProvider)


def test_the_simulator_gives_carrier_like_ids() -> None:
    result = SimulatorProvider().send_sms(
        to="+15125550143", from_="+15125550100", body="hi", status_callback=None
    )
    assert result.provider_id.startswith("SM")
    assert len(result.provider_id) == 34
    assert result.status == "delivered"

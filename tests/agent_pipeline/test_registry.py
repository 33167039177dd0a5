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


def test_the_rules_brain_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_cache", {})
    assert isinstance(registry.get_brain(), RulesBrain)


def test_a_brain_is_named_by_its_dotted_path(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.LEADLINE_BRAIN = "tests.agent_pipeline.test_registry.EchoBrain"
    monkeypatch.setattr(registry, "_cache", {})
    assert isinstance(registry.get_brain(), EchoBrain)


def test_an_unknown_brain_name_is_a_clear_error(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.LEADLINE_BRAIN = "clever"
    monkeypatch.setattr(registry, "_cache", {})
    with pytest.raises(ValueError, match="LEADLINE_BRAIN='clever'"):
        registry.get_brain()


def test_the_simulator_is_the_default_provider() -> None:
    assert isinstance(base.get_provider(), SimulatorProvider)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("LEADLINE_PROVIDER", "carrier-pigeon", "LEADLINE_PROVIDER='carrier-pigeon' is not"),
    ],
)
def test_a_bad_provider_setting_stops_with_one_line(
    variable: str, value: str, message: str
) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, variable: value}
    done = subprocess.run(
        [sys.executable, "-c", "import leadline.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_the_simulator_gives_carrier_like_ids() -> None:
    result = SimulatorProvider().send_sms(
        to="+15125550143", from_="+15125550100", body="hi", status_callback=None
    )
    assert result.provider_id.startswith("SM")
    assert len(result.provider_id) == 34
    assert result.status == "delivered"

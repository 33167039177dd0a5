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
    ("variables", "message"),
    [
        ({"LEADLINE_PROVIDER": "carrier-pigeon"}, "LEADLINE_PROVIDER='carrier-pigeon' is not"),
        (
            {"LEADLINE_PROVIDER": "twilio"},
            "LEADLINE_PROVIDER=twilio needs LEADLINE_TWILIO_ACCOUNT_SID, "
            "LEADLINE_TWILIO_AUTH_TOKEN, LEADLINE_TWILIO_FROM, LEADLINE_PUBLIC_URL",
        ),
        ({"LEADLINE_PUBLIC_URL": "leadline.example.com"}, "LEADLINE_PUBLIC_URL='leadline.exa"),
        ({"LEADLINE_PUBLIC_URL": "https://x.example.com/?a=1"}, "must not carry a query"),
        ({"LEADLINE_TWILIO_API_BASE": "ftp://fake"}, "LEADLINE_TWILIO_API_BASE='ftp://fake'"),
        ({"LEADLINE_TWILIO_TIMEOUT_SECONDS": "0"}, "from 1 to 60"),
        ({"LEADLINE_RECONCILE_SECONDS": "soon"}, "LEADLINE_RECONCILE_SECONDS='soon' is not"),
    ],
)
def test_a_bad_provider_setting_stops_with_one_line(
    variables: dict[str, str], message: str
) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, **variables}
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


def test_a_complete_twilio_configuration_is_accepted() -> None:
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "LEADLINE_PROVIDER": "twilio",
        "LEADLINE_TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "LEADLINE_TWILIO_AUTH_TOKEN": "secret",
        "LEADLINE_TWILIO_FROM": "+15125550100",
        "LEADLINE_PUBLIC_URL": "https://leadline.example.com/",
        "LEADLINE_TWILIO_API_BASE": "http://127.0.0.1:9999",
        "LEADLINE_RECONCILE_SECONDS": "90",
    }
    code = (
        "from django.conf import settings; import leadline.settings as s; "
        "print(s.LEADLINE_PUBLIC_URL, s.LEADLINE_TWILIO_API_BASE, s.LEADLINE_RECONCILE_SECONDS)"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and a fixed program
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["https://leadline.example.com", "http://127.0.0.1:9999", "90"]


def test_the_simulator_gives_carrier_like_ids() -> None:
    result = SimulatorProvider().send_sms(
        to="+15125550143", from_="+15125550100", body="hi", status_callback=None
    )
    assert result.provider_id.startswith("SM")
    assert len(result.provider_id) == 34
    assert result.status == "delivered"

"""docs/webhooks.md is true: its verification examples accept a real delivery, its body
example has the shape of a real body."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from leadline.accounts.models import Company
from leadline.interactions.services import change_status
from leadline.kit.clock import VirtualClock, use_clock
from leadline.simulation.runner import VirtualWorker
from leadline.webhooks.models import WebhookEndpoint
from leadline.webhooks.services import create_endpoint
from tests.builders import make_interaction
from tests.webhooks.conftest import Received, Receiver

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), flags=re.DOTALL)


@pytest.fixture
def clock() -> Iterator[VirtualClock]:
    # The documented verifier compares the timestamp with the real time.
    virtual = VirtualClock(datetime.now(UTC))
    with use_clock(virtual):
        yield virtual


@pytest.fixture
def delivered(
    shop: Company, worker: VirtualWorker, receiver: Receiver
) -> tuple[WebhookEndpoint, Received]:
    endpoint = create_endpoint(company=shop, url=receiver.url, events=["interaction.escalated"])
    interaction = make_interaction(shop)
    change_status(interaction=interaction, to="escalated.human_request")
    worker.run_due()
    (request,) = receiver.requests
    return endpoint, request


def documented_verifier() -> Callable[[str, dict[str, str], bytes], bool]:
    (code,) = [b for b in blocks("python") if "def verify_leadline_webhook" in b]
    namespace: dict[str, Any] = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    verifier: Callable[[str, dict[str, str], bytes], bool] = namespace["verify_leadline_webhook"]
    return verifier


def test_the_documented_python_verifier_accepts_a_real_delivery(
    delivered: tuple[WebhookEndpoint, Received],
) -> None:
    endpoint, request = delivered
    verify = documented_verifier()
    # Header names as a web framework might spell them.
    headers = {name.title(): value for name, value in request.headers.items()}

    assert verify(endpoint.secret, headers, request.body)
    assert not verify("whsec_" + "0" * 64, headers, request.body)
    assert not verify(endpoint.secret, headers, request.body + b" ")


def test_the_documented_python_verifier_refuses_an_old_timestamp(
    delivered: tuple[WebhookEndpoint, Received],
) -> None:
    endpoint, request = delivered
    verify = documented_verifier()
    stale = dict(request.headers)
    stale["leadline-webhook-timestamp"] = str(int(stale["leadline-webhook-timestamp"]) - 3600)

    assert not verify(endpoint.secret, stale, request.body)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_the_documented_openssl_line_prints_the_signature_of_a_real_delivery(
    delivered: tuple[WebhookEndpoint, Received], tmp_path: Path
) -> None:
    endpoint, request = delivered
    (line,) = [b for b in blocks("sh") if "openssl dgst" in b]
    (tmp_path / "body.json").write_bytes(request.body)

    result = subprocess.run(  # noqa: S603 - the line of our own documentation
        ["/bin/bash", "-c", line],
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "TS": request.header("Leadline-Webhook-Timestamp"),
            "SECRET": endpoint.secret,
        },
        capture_output=True,
        text=True,
        check=True,
    )

    assert "v1=" + result.stdout.strip() == request.header("Leadline-Webhook-Signature")


def test_the_documented_body_has_the_fields_of_a_real_one(
    delivered: tuple[WebhookEndpoint, Received],
) -> None:
    _, request = delivered
    (example,) = [json.loads(b) for b in blocks("json") if '"type"' in b]
    real = request.json

    def keys(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: keys(v) for k, v in value.items()}
        return None

    assert keys(example) == keys(real)
    assert example["type"] == real["type"] == request.header("Leadline-Webhook-Event")
    assert example["data"]["change"]["to_status_label"] == real["data"]["change"]["to_status_label"]


API_DOC = DOC.with_name("api.md")


def api_doc_verification() -> str:
    text = API_DOC.read_text().split("### Verify a webhook signature", 1)[1]
    (code,) = re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL)[:1]
    return code


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
@pytest.mark.parametrize(("tamper", "verdict"), [(False, "signature ok"), (True, "does not match")])
def test_the_api_page_verification_example_accepts_a_real_delivery_and_refuses_a_changed_one(
    delivered: tuple[WebhookEndpoint, Received], tmp_path: Path, tamper: bool, verdict: str
) -> None:
    endpoint, request = delivered
    body = request.body.replace(b'"', b"'", 1) if tamper else request.body
    (tmp_path / "body.json").write_bytes(body)

    result = subprocess.run(  # noqa: S603 - the example of our own documentation
        ["/bin/bash", "-c", api_doc_verification()],
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "TS": request.header("Leadline-Webhook-Timestamp"),
            "SIG": request.header("Leadline-Webhook-Signature"),
            "SECRET": endpoint.secret,
        },
        capture_output=True,
        text=True,
        check=True,
    )

    assert verdict in result.stdout

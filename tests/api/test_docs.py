"""docs/api.md: its curl examples run as they are against a live server, in order, and
say what the page says they say."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from leadline.accounts.models import Company
from leadline.api.services import create_token
from leadline.campaigns.models import Campaign
from leadline.crm.models import Lead
from leadline.interactions.models import Message
from tests.builders import make_user

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
BLOCK = re.compile(r"^### (.+?)\n.*?^```bash\n(.*?)^```", re.S | re.M)


def _examples() -> list[tuple[str, str]]:
    text = DOC.read_text(encoding="utf-8").split("## Examples", 1)[1]
    return [(title.strip(), code) for title, code in BLOCK.findall(text)]


CURL_EXAMPLES = ["Create a lead", "Follow its interaction", "Take over", "Send a message"]


def test_the_page_has_the_five_examples_and_links_the_webhook_reference() -> None:
    titles = [title for title, _ in _examples()]
    assert titles == [*CURL_EXAMPLES, "Verify a webhook signature"]
    assert "(webhooks.md)" in DOC.read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_curl_examples_work_against_a_live_server(
    live_server: Any, shop: Company, sms_campaign: Campaign, tmp_path: Path, settings: Any
) -> None:
    settings.LEADLINE_API_RATE_LIMIT = 1000
    token = create_token(user=make_user(shop, role="CSR")).secret
    script = ["set -euo pipefail"]
    curl_examples = [code for title, code in _examples() if title in CURL_EXAMPLES]
    for n, code in enumerate(curl_examples):
        script += [f"echo '=== {n}'", code]
    result = subprocess.run(  # noqa: S603 (the page's own examples)
        [shutil.which("bash") or "/bin/bash", "-c", "\n".join(script)],
        cwd=tmp_path,
        env={**os.environ, "LEADLINE": live_server.url, "TOKEN": token},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outputs = [part.split("\n", 1)[1] for part in result.stdout.split("=== ")[1:]]
    created = json.loads(outputs[0])
    lead = Lead.objects.get(pk=created["id"])
    assert created["phone"] == "+15125550143" == lead.phone
    assert [i["status"] for i in created["interactions"]] == ["started"]

    followed = _documents(outputs[1])
    assert followed[0]["status_label"] == "Started"
    assert "status_changed" in followed[1]

    took = json.loads(outputs[2])
    assert took == {"agent_paused_at": True, "status": "takeover"}

    sent = json.loads(outputs[3])
    assert sent["author"] == "human" and sent["delivery_status"] == "queued"
    assert Message.objects.get(author="human").body.startswith("Hi Dana, this is Sam")


def _documents(text: str) -> list[Any]:
    """Several JSON documents printed one after another."""
    decoder = json.JSONDecoder()
    found, at = [], 0
    text = text.strip()
    while at < len(text):
        value, end = decoder.raw_decode(text, at)
        found.append(value)
        at = end
        while at < len(text) and text[at].isspace():
            at += 1
    return found

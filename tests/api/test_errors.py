"""One error shape for every status; the per-token rate limit; no input gives a 500 page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from leadline.accounts.models import User
from leadline.api import leads as lead_handlers
from leadline.api.models import RateWindow
from leadline.api.services import create_token
from leadline.kit.clock import VirtualClock
from tests.api.conftest import Api, error_of


def test_malformed_json_is_400(as_csr: Api) -> None:
    response = as_csr.post("/leads", raw='{"phone": ')
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed"


def test_a_body_that_is_not_an_object_is_422(as_csr: Api) -> None:
    response = as_csr.post("/leads", raw="[1, 2]")
    assert response.status_code == 422
    error_of(response)


def test_an_unknown_address_is_a_json_404(as_csr: Api) -> None:
    for path in ("/nothing-here", "/leads/abc/notes/x", "/leads/-1"):
        response = as_csr.get(path)
        assert response.status_code == 404, path
        assert error_of(response)["code"] == "not_found"


def test_a_method_the_address_does_not_take_is_405_with_allow(as_csr: Api) -> None:
    response = as_csr.client.delete("/api/v1/leads", headers={"Authorization": "Bearer x"})
    assert response.status_code == 405
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    assert error_of(response)["code"] == "method_not_allowed"


def test_an_unexpected_failure_is_logged_and_answered_in_the_shape(
    as_csr: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(lead_handlers.selectors, "lead_page", broken)
    response = as_csr.get("/leads")
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "server_error" and "disk on fire" not in error["message"]
    assert any("disk on fire" in (r.exc_text or str(r.exc_info)) for r in caplog.records)


def test_the_token_rate_limit_answers_429_with_retry_after(
    csr: User, clock: VirtualClock, settings: Any
) -> None:
    settings.LEADLINE_API_RATE_LIMIT = 3
    clock.set(clock.now().replace(second=15, microsecond=0) + timedelta(minutes=1))
    api = Api(create_token(user=csr).secret)
    other = Api(create_token(user=csr).secret)
    assert [api.get("/leads").status_code for _ in range(3)] == [200, 200, 200]
    limited = api.get("/leads")
    assert limited.status_code == 429
    assert error_of(limited)["code"] == "rate_limited"
    assert limited["Retry-After"] == "45"
    assert other.get("/leads").status_code == 200
    clock.advance(timedelta(seconds=45))
    assert api.get("/leads").status_code == 200


def test_the_rate_limit_counts_in_the_database_for_every_process(
    csr: User, clock: VirtualClock, settings: Any
) -> None:
    settings.LEADLINE_API_RATE_LIMIT = 5
    issued = create_token(user=csr)
    api = Api(issued.secret)
    assert api.get("/leads").status_code == 200
    # Four more requests counted by other web processes in the same minute.
    RateWindow.objects.filter(token=issued.token).update(count=5)
    assert api.get("/leads").status_code == 429
    clock.advance(timedelta(minutes=1))
    assert api.get("/leads").status_code == 200
    # The old minute's counter is gone: the table stays one row per active token.
    assert RateWindow.objects.filter(token=issued.token).count() == 1


@pytest.mark.parametrize("value", ["0", "many", "-5", "1.5"])
def test_a_bad_rate_limit_setting_is_a_configuration_error(value: str) -> None:
    env = {**os.environ, "LEADLINE_API_RATE_LIMIT": value}
    result = subprocess.run(
        [sys.executable, "-c", "import leadline.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "LEADLINE_API_RATE_LIMIT" in result.stderr and "Traceback" not in result.stderr


def test_the_docs_page_and_the_openapi_document_load_nothing_from_elsewhere(db: None) -> None:
    client = Client()
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    assert "/api/v1/leads" in document.json()["paths"]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    assert '"validatorUrl": null' in html
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200
    assert client.get("/api/v1/").status_code == 302


def test_the_openapi_document_is_strict_json_that_the_docs_page_can_read(db: None) -> None:
    # The docs page parses the document strictly: a key twice (200 and "200") breaks it.
    repeated: list[str] = []

    def no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        repeated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    document = Client().get("/api/v1/openapi.json").content
    parsed = json.loads(document, object_pairs_hook=no_repeats)
    assert repeated == []
    recording = parsed["paths"]["/api/v1/interactions/{interaction_id}/calls/{call_id}/recording"]
    assert "audio/*" in recording["get"]["responses"]["200"]["content"]


def test_text_with_a_nul_character_is_422_not_a_database_error(as_csr: Api, shop: Any) -> None:
    lead = as_csr.post("/leads", {"phone": "5125550143", "note": "gate\x00code"})
    assert lead.status_code == 422 and error_of(lead)["field"] == "note"
    search = as_csr.get("/interactions", {"q": "Dana\x00"})
    assert search.status_code == 422 and error_of(search)["field"] == "q"

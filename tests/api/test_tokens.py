"""API tokens: stored hashed, act as their user, revoked and deactivated ones stop at once;
`leadline token create`; listing, issuing and revoking them in the company's admin."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.test import Client

from leadline import cli
from leadline.accounts.models import Company, User
from leadline.api.models import ApiToken
from leadline.api.services import create_token, revoke_token
from leadline.kit.clock import VirtualClock
from leadline.kit.errors import DomainError
from tests.api.conftest import Api, error_of
from tests.builders import PASSWORD, make_user


def test_only_the_hash_of_a_token_is_stored(csr: User) -> None:
    issued = create_token(user=csr, name="CRM")
    row = ApiToken.objects.get(pk=issued.token.pk)
    assert row.secret_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert issued.secret.startswith(f"ll_{row.prefix}_")
    stored = [str(v) for v in ApiToken.objects.filter(pk=row.pk).values().get().values()]
    assert not any(issued.secret in value for value in stored)
    assert (row.company_id, row.user_id, row.name) == (csr.company_id, csr.pk, "CRM")


def test_a_token_acts_as_its_user_and_marks_when_it_was_used(
    csr: User, clock: VirtualClock
) -> None:
    issued = create_token(user=csr)
    response = Api(issued.secret).get("/leads")
    assert response.status_code == 200
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at == clock.now()


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer ll_abc_def", "Bearer nonsense"],
)
def test_a_missing_or_bad_token_is_401_in_the_error_shape(shop: Company, header: str) -> None:
    client = Client()
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/leads", headers=headers)
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_with_a_changed_secret_is_401(csr: User) -> None:
    issued = create_token(user=csr)
    tampered = issued.secret[:-1] + ("0" if issued.secret[-1] != "0" else "1")
    assert Api(tampered).get("/leads").status_code == 401


def test_a_revoked_token_stops_working_at_once(csr: User) -> None:
    issued = create_token(user=csr)
    api = Api(issued.secret)
    assert api.get("/leads").status_code == 200
    revoke_token(token=issued.token)
    response = api.get("/leads")
    assert response.status_code == 401
    assert "revoked" in error_of(response)["message"]


def test_a_deactivated_users_token_stops_working(csr: User) -> None:
    api = Api(create_token(user=csr).secret)
    csr.is_active = False
    csr.save()
    assert api.get("/leads").status_code == 401


def test_a_user_moved_to_another_company_does_not_take_the_token_along(
    csr: User, rival: Company
) -> None:
    api = Api(create_token(user=csr).secret)
    csr.company = rival
    csr.save()
    assert api.get("/leads").status_code == 401


def test_tokens_are_issued_only_for_active_users_of_a_company(shop: Company) -> None:
    operator = make_user(None, role=None, superuser=True)
    with pytest.raises(DomainError, match="no company"):
        create_token(user=operator)
    gone = make_user(shop, role="CSR")
    gone.is_active = False
    gone.save()
    with pytest.raises(DomainError, match="deactivated"):
        create_token(user=gone)


# ---- leadline token create ----------------------------------------------------------------


def test_token_create_prints_a_working_token_once(
    csr: User, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["token", "create", "--user", csr.email.upper(), "--name", "Zapier"]) == 0
    out, err = capsys.readouterr()
    secret = out.strip()
    assert re.fullmatch(r"ll_[0-9a-f]{12}_[0-9a-f]{48}", secret)
    assert "not shown again" in err and secret not in err
    assert ApiToken.objects.get().name == "Zapier"
    assert Api(secret).get("/leads").status_code == 200


def test_token_create_for_an_unknown_user_is_one_line_and_exit_2(
    shop: Company, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["token", "create", "--user", "nobody@example.test"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and "nobody@example.test" in err
    assert not ApiToken.objects.exists()


def test_token_without_an_action_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["token"])
    assert exited.value.code == 2


# ---- the admin ----------------------------------------------------------------------------


def _signed_in(user: User) -> Client:
    client = Client()
    assert client.login(email=user.email, password=PASSWORD)
    return client


def test_administrators_see_only_their_own_companys_tokens(
    admin_user: User, csr: User, rival: Company
) -> None:
    mine = create_token(user=csr, name="Ours").token
    theirs = create_token(user=make_user(rival, role="CSR"), name="Theirs").token
    html = _signed_in(admin_user).get("/admin/api/apitoken/").content.decode()
    assert mine.prefix in html and theirs.prefix not in html
    assert _signed_in(admin_user).get(f"/admin/api/apitoken/{theirs.pk}/change/").status_code in (
        302,
        404,
    )


def test_an_administrator_revokes_tokens_from_the_list(admin_user: User, csr: User) -> None:
    issued = create_token(user=csr)
    response = _signed_in(admin_user).post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [issued.token.pk]},
        follow=True,
    )
    assert response.status_code == 200 and "Revoked 1 token" in response.content.decode()
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is not None
    assert Api(issued.secret).get("/leads").status_code == 401


def test_an_administrator_issues_a_token_and_sees_its_secret_once(
    admin_user: User, csr: User, rival: Company
) -> None:
    client = _signed_in(admin_user)
    outsider = make_user(rival, role="CSR")
    refused = client.post("/admin/api/apitoken/add/", {"user": outsider.pk, "name": "x"})
    assert refused.status_code == 200 and not ApiToken.objects.exists()
    response = client.post(
        "/admin/api/apitoken/add/", {"user": csr.pk, "name": "Field app"}, follow=True
    )
    html = response.content.decode()
    [secret] = re.findall(r"ll_[0-9a-f]{12}_[0-9a-f]{48}", html)
    token = ApiToken.objects.get()
    assert (token.user, token.company_id, token.name) == (csr, csr.company_id, "Field app")
    assert Api(secret).get("/leads").status_code == 200
    listing = client.get("/admin/api/apitoken/").content.decode()
    assert secret not in listing and token.prefix in listing


def test_people_who_are_not_administrators_cannot_open_the_tokens(csr: User) -> None:
    response = _signed_in(csr).get("/admin/api/apitoken/")
    assert response.status_code in (302, 403)


def test_last_used_is_written_at_most_once_a_minute(csr: User, clock: VirtualClock) -> None:
    issued = create_token(user=csr)
    api = Api(issued.secret)
    api.get("/leads")
    first = clock.now()
    clock.advance(timedelta(seconds=30))
    api.get("/leads")
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at == first
    clock.advance(timedelta(seconds=31))
    api.get("/leads")
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at == clock.now()

"""Django's admin (/admin/) is scoped to the administrator's own company."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Model
from django.test import Client

from leadline.accounts.models import Company, User
from leadline.accounts.selectors import role_of
from leadline.campaigns.models import Campaign
from leadline.capacity.models import ArrivalWindow, CapacityRule
from leadline.compliance.models import OptOut
from leadline.interactions.models import InteractionEvent
from tests.builders import (
    PASSWORD,
    make_campaign,
    make_capacity_rule,
    make_interaction,
    make_lead,
    make_opt_out,
    make_user,
    make_window,
)

pytestmark = pytest.mark.django_db


def _change_url(obj: Model) -> str:
    meta = obj._meta
    return f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/change/"


def _changelist_url(model: type[Model]) -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


@pytest.fixture
def settings_of_both(
    company: Company, other_company: Company, company_admin: User, other_admin: User
) -> dict[str, tuple[Model, Model]]:
    """One object of each scoped kind in each company: (ours, theirs)."""
    return {
        "campaign": (
            make_campaign(company, name="Ours: Speed to Lead"),
            make_campaign(other_company, name="Theirs: Speed to Lead"),
        ),
        "capacity rule": (
            make_capacity_rule(company),
            make_capacity_rule(other_company, trade="plumbing", weekday=4, slots=7),
        ),
        "arrival window": (make_window(company), make_window(other_company)),
        "opt-out": (
            make_opt_out(company, phone="+15125550111"),
            make_opt_out(other_company, phone="+15125550222"),
        ),
        "user": (company_admin, other_admin),
    }


@pytest.fixture
def admin_client(client: Client, company_admin: User) -> Client:
    client.force_login(company_admin)
    return client


@pytest.mark.parametrize("kind", ["campaign", "capacity rule", "arrival window", "opt-out", "user"])
def test_an_administrator_sees_only_the_company_own_settings(
    admin_client: Client, settings_of_both: dict[str, tuple[Model, Model]], kind: str
) -> None:
    ours, theirs = settings_of_both[kind]

    response = admin_client.get(_changelist_url(type(ours)))

    assert response.status_code == 200
    html = response.content.decode()
    assert _change_url(ours) in html
    assert _change_url(theirs) not in html


@pytest.mark.parametrize("page", ["change", "history", "delete"])
@pytest.mark.parametrize("kind", ["campaign", "capacity rule", "arrival window", "opt-out", "user"])
def test_another_company_object_page_shows_nothing_of_it(
    admin_client: Client, settings_of_both: dict[str, tuple[Model, Model]], kind: str, page: str
) -> None:
    _, theirs = settings_of_both[kind]

    response = admin_client.get(_change_url(theirs).replace("/change/", f"/{page}/"), follow=True)

    assert response.redirect_chain == [("/admin/", 302)] or response.status_code in (403, 404)
    html = response.content.decode()
    assert str(theirs) not in html
    assert _change_url(theirs) not in html


@pytest.mark.parametrize("kind", ["campaign", "capacity rule", "arrival window", "opt-out"])
def test_an_administrator_cannot_delete_another_company_object(
    admin_client: Client, settings_of_both: dict[str, tuple[Model, Model]], kind: str
) -> None:
    ours, theirs = settings_of_both[kind]
    model = type(theirs)

    admin_client.post(_change_url(theirs).replace("/change/", "/delete/"), {"post": "yes"})
    admin_client.post(
        _changelist_url(model),
        {"action": "delete_selected", "_selected_action": [str(theirs.pk)], "post": "yes"},
    )

    assert model._default_manager.filter(pk=theirs.pk).exists()
    assert model._default_manager.filter(pk=ours.pk).exists()


def test_the_changelist_search_does_not_reach_another_company(
    admin_client: Client, settings_of_both: dict[str, tuple[Model, Model]]
) -> None:
    _, theirs = settings_of_both["opt-out"]

    response = admin_client.get(_changelist_url(OptOut), {"q": "+15125550222"})

    assert response.status_code == 200
    html = response.content.decode()
    assert _change_url(theirs) not in html
    assert "0 results" in html


def test_a_campaign_created_by_an_administrator_belongs_to_their_company(
    admin_client: Client, company: Company, other_company: Company
) -> None:
    response = admin_client.post(
        "/admin/campaigns/campaign/add/",
        {
            "company": str(other_company.pk),
            "name": "Spring tune-ups",
            "goal": "speed_to_lead",
            "channel": "sms",
            "skills": '["hvac_tune_up"]',
            "cadence": '["0m", "1h"]',
            "abandon_after": "24h",
            "escalation_rules": "{}",
            "enabled": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()
    campaign = Campaign.objects.get(name="Spring tune-ups")
    assert campaign.company_id == company.pk


def test_the_campaign_form_offers_no_company_choice(admin_client: Client) -> None:
    response = admin_client.get("/admin/campaigns/campaign/add/")
    assert response.status_code == 200
    assert 'name="company"' not in response.content.decode()


def test_an_administrator_cannot_move_a_capacity_rule_to_another_company(
    admin_client: Client, company: Company, other_company: Company
) -> None:
    rule = make_capacity_rule(company)

    response = admin_client.post(
        _change_url(rule),
        {
            "company": str(other_company.pk),
            "trade": "plumbing",
            "weekday": "2",
            "start_time": "10:00",
            "end_time": "12:00",
            "slots": "3",
        },
    )

    assert response.status_code == 302, response.content.decode()
    rule.refresh_from_db()
    assert (rule.company_id, rule.trade, rule.slots) == (company.pk, "plumbing", 3)
    assert CapacityRule.objects.filter(company=other_company).count() == 0


def test_an_administrator_cannot_change_the_booked_count_of_a_window(
    admin_client: Client, company: Company
) -> None:
    window = make_window(company, booked=1)
    response = admin_client.get(_change_url(window))
    assert response.status_code == 200
    assert 'name="booked"' not in response.content.decode()
    assert ArrivalWindow.objects.get(pk=window.pk).booked == 1


@pytest.mark.parametrize("role", ["CSR", "Manager", "Viewer"])
def test_a_user_without_administration_gets_no_admin(
    client: Client, company: Company, role: str
) -> None:
    client.force_login(make_user(company, role=role))

    response = client.get("/admin/", follow=True)

    assert response.status_code == 403
    assert all(
        "/login/" in url or url.startswith("/admin/login/") for url, _ in response.redirect_chain
    )
    html = response.content.decode()
    assert "Leadline settings" not in html
    assert "have access to this page" in html


@pytest.mark.parametrize("role", ["CSR", "Manager", "Viewer"])
def test_a_user_without_administration_cannot_open_an_admin_page(
    client: Client, company: Company, role: str
) -> None:
    campaign = make_campaign(company, name="Secret sauce")
    client.force_login(make_user(company, role=role))

    response = client.get(_change_url(campaign), follow=True)

    assert response.status_code in (403, 404)
    assert "Secret sauce" not in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_the_sign_in_page(client: Client) -> None:
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0] == "/login/?next=%2Fadmin%2F"
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()


def test_an_administrator_reaches_the_admin_index(admin_client: Client) -> None:
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert "Leadline settings" in response.content.decode()


def test_an_administrator_visiting_the_admin_sign_in_lands_on_the_admin(
    admin_client: Client,
) -> None:
    response = admin_client.get("/admin/login/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/admin/"


def _company_form(company: Company, **changes: str) -> dict[str, str]:
    form = {
        "name": company.name,
        "phone": company.phone,
        "time_zone": company.time_zone,
        "service_area_zips": '["78704"]',
        "trades": '["hvac"]',
        "prices": "{}",
        "brands": "[]",
        "business_hours": "",
        "high_activity_messages": "5",
        "high_activity_minutes": "60",
        "outreach_window": "{}",
    }
    form.update(changes)
    return form


def test_an_administrator_changes_the_company_own_settings(
    admin_client: Client, company: Company
) -> None:
    response = admin_client.post(
        _change_url(company), _company_form(company, name="Renamed Comfort", slug="hijacked")
    )

    assert response.status_code == 302, response.content.decode()
    company.refresh_from_db()
    assert company.name == "Renamed Comfort"
    assert company.trades == ["hvac"]
    assert company.slug != "hijacked"


def test_an_administrator_sees_only_the_company_own_company(
    admin_client: Client, company: Company, other_company: Company
) -> None:
    changelist = admin_client.get(_changelist_url(Company)).content.decode()
    assert _change_url(company) in changelist
    assert _change_url(other_company) not in changelist

    response = admin_client.get(_change_url(other_company), follow=True)
    assert other_company.name not in response.content.decode()

    admin_client.post(_change_url(other_company), _company_form(other_company, name="Taken over"))
    other_company.refresh_from_db()
    assert other_company.name == "Other Co"


def test_an_administrator_cannot_add_a_company(admin_client: Client) -> None:
    response = admin_client.get("/admin/accounts/company/add/")
    assert response.status_code == 403


def test_an_administrator_adds_a_user_with_a_role_to_the_company(
    admin_client: Client, company: Company, other_company: Company
) -> None:
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "New.CSR@Example.test",
            "first_name": "Nia",
            "last_name": "Ortiz",
            "is_active": "on",
            "role": "CSR",
            "new_password": PASSWORD,
            "company": str(other_company.pk),
            "is_superuser": "on",
            "is_staff": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()
    user = User.objects.get(email="new.csr@example.test")
    assert user.company_id == company.pk
    assert role_of(user=user) == "CSR"
    assert (user.is_superuser, user.is_staff) == (False, False)
    assert user.check_password(PASSWORD)


def test_an_administrator_cannot_promote_a_user_to_superuser(
    admin_client: Client, company: Company
) -> None:
    csr = make_user(company, role="CSR", email="csr@example.test")

    response = admin_client.post(
        _change_url(csr),
        {
            "email": "csr@example.test",
            "first_name": "",
            "last_name": "",
            "is_active": "on",
            "role": "Administrator",
            "new_password": "",
            "is_superuser": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()
    csr.refresh_from_db()
    assert csr.is_superuser is False
    assert role_of(user=csr) == "Administrator"
    assert csr.check_password(PASSWORD)


def test_an_administrator_sets_a_new_password_for_a_user(
    admin_client: Client, company: Company
) -> None:
    csr = make_user(company, role="CSR", email="csr@example.test")
    form = {"email": "csr@example.test", "is_active": "on", "role": "CSR"}

    response = admin_client.post(_change_url(csr), {**form, "new_password": "short"})
    assert response.status_code == 200
    assert "Use at least 8 characters." in response.content.decode()

    response = admin_client.post(_change_url(csr), {**form, "new_password": "a-new-secret-42"})
    assert response.status_code == 302, response.content.decode()
    csr.refresh_from_db()
    assert csr.check_password("a-new-secret-42")
    assert not csr.check_password(PASSWORD)


def test_a_new_user_needs_a_password(admin_client: Client) -> None:
    form: dict[str, Any] = {"email": "nopass@example.test", "is_active": "on", "role": "CSR"}
    response = admin_client.post("/admin/accounts/user/add/", form)
    assert response.status_code == 200
    assert "A new user needs a password." in response.content.decode()
    assert not User.objects.filter(email="nopass@example.test").exists()


def test_a_superuser_sees_every_company(
    client: Client, company: Company, other_company: Company
) -> None:
    operator = make_user(None, role=None, superuser=True)
    client.force_login(operator)
    changelist = client.get(_changelist_url(Company)).content.decode()
    assert _change_url(company) in changelist
    assert _change_url(other_company) in changelist


def test_the_last_administrator_cannot_demote_themselves(
    admin_client: Client, company_admin: User
) -> None:
    response = admin_client.post(
        _change_url(company_admin),
        {
            "email": company_admin.email,
            "first_name": "",
            "last_name": "",
            "is_active": "on",
            "role": "Viewer",
            "new_password": "",
        },
    )

    assert response.status_code == 200
    assert "last active Administrator" in response.content.decode()
    assert role_of(user=company_admin) == "Administrator"


def test_the_last_administrator_cannot_be_deactivated(
    admin_client: Client, company_admin: User
) -> None:
    response = admin_client.post(
        _change_url(company_admin),
        {"email": company_admin.email, "role": "Administrator", "new_password": ""},
    )

    assert response.status_code == 200
    company_admin.refresh_from_db()
    assert company_admin.is_active is True


def test_an_administrator_may_step_down_when_another_remains(
    admin_client: Client, company: Company, company_admin: User
) -> None:
    make_user(company, role="Administrator", email="second.admin@example.test")

    response = admin_client.post(
        _change_url(company_admin),
        {
            "email": company_admin.email,
            "is_active": "on",
            "role": "CSR",
            "new_password": "",
        },
    )

    assert response.status_code == 302, response.content.decode()
    assert role_of(user=company_admin) == "CSR"


def test_a_number_typed_into_the_opt_out_registry_is_stored_as_e164(
    admin_client: Client, company: Company
) -> None:
    response = admin_client.post(
        "/admin/compliance/optout/add/",
        {
            "phone": "(512) 555-0143",
            "opted_out_at_0": "2026-07-14",
            "opted_out_at_1": "10:00:00",
            "method": "manual",
            "raw_text": "",
            "active": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()
    assert OptOut.objects.get(company=company).phone == "+15125550143"


def _opt_out_post(phone: str) -> dict[str, str]:
    return {
        "phone": phone,
        "opted_out_at_0": "2026-07-14",
        "opted_out_at_1": "10:00:00",
        "method": "manual",
        "raw_text": "asked on the phone",
        "active": "on",
    }


def test_an_opt_out_entered_by_a_team_member_ends_the_open_conversations_with_that_number(
    admin_client: Client, company: Company
) -> None:
    lead = make_lead(company, phone="+15125550143")
    open_one = make_interaction(company, lead=lead)

    response = admin_client.post("/admin/compliance/optout/add/", _opt_out_post("512-555-0143"))

    assert response.status_code == 302, response.content.decode()
    open_one.refresh_from_db()
    assert open_one.status_label == "Opt-out"
    event = InteractionEvent.objects.get(interaction=open_one, to_status="opt_out")
    assert event.actor_kind == "human" and event.detail.startswith("Opted out by")


def test_entering_a_number_already_in_the_registry_is_not_an_error(
    admin_client: Client, company: Company
) -> None:
    admin_client.post("/admin/compliance/optout/add/", _opt_out_post("(512) 555-0143"))

    again = admin_client.post("/admin/compliance/optout/add/", _opt_out_post("(512) 555-0143"))

    assert again.status_code == 302, again.content.decode()
    assert OptOut.objects.filter(company=company).count() == 1


def _campaign_post(campaign: Campaign, **changes: str) -> dict[str, str]:
    data = {
        "name": campaign.name,
        "goal": campaign.goal,
        "channel": campaign.channel,
        "skills": '["ac_repair"]',
        "cadence": '["0m", "1h", "1d", "3d"]',
        "abandon_after": "24h",
        "escalation_rules": "{}",
        "enabled": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_switching_a_campaign_off_terminates_its_open_interactions(
    admin_client: Client, company: Company
) -> None:
    campaign = make_campaign(company)
    open_one = make_interaction(company, campaign=campaign)
    booked = make_interaction(company, campaign=campaign, status="converted.agent")

    response = admin_client.post(_change_url(campaign), _campaign_post(campaign, enabled=""))

    assert response.status_code == 302, response.content.decode()
    open_one.refresh_from_db()
    booked.refresh_from_db()
    assert (open_one.status_label, booked.status_label) == ("Terminated", "Converted: Agent")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cadence", '["0m", "soon"]', "is not a duration"),
        ("cadence", '["1h", "0m"]', "must come after"),
        ("cadence", "[]", "Give a list of offsets"),
        ("abandon_after", "a while", "is not a duration"),
        ("skills", '["solar_panels"]', "Unknown job types: solar_panels"),
    ],
)
def test_a_campaign_with_a_bad_cadence_or_skill_is_refused_with_a_reason(
    admin_client: Client, company: Company, field: str, value: str, message: str
) -> None:
    campaign = make_campaign(company)

    response = admin_client.post(_change_url(campaign), _campaign_post(campaign, **{field: value}))

    assert response.status_code == 200
    assert message in response.content.decode()

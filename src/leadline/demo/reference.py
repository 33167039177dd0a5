"""The reference company of the scenarios and the demo: Lone Star Comfort Pros, Austin TX."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from leadline.accounts.models import Company, User
from leadline.accounts.services import create_user, ensure_role_presets, set_role
from leadline.campaigns.models import Campaign, Channel, Goal
from leadline.capacity.job_types import JOB_TYPES
from leadline.capacity.services import set_standard_week

SLUG = "lone-star-comfort"
NAME = "Lone Star Comfort Pros"
PHONE = "+15125550100"
TIME_ZONE = "America/Chicago"
TRADES = ["hvac", "plumbing", "electrical", "garage_doors"]
SERVICE_AREA_ZIPS = [str(z) for z in range(78701, 78760)] + [
    "78613",
    "78660",
    "78664",
    "78665",
    "78681",
]
SKILLS = list(JOB_TYPES)
DEMO_PASSWORD = "leadline-demo"  # noqa: S105 - the documented demo login


@dataclass(frozen=True)
class DemoUser:
    email: str
    first_name: str
    last_name: str
    role: str
    grants: str


DEMO_USERS = [
    DemoUser("admin@demo.test", "Alex", "Moreno", "Administrator", "everything"),
    DemoUser(
        "csr@demo.test",
        "Sam",
        "Patel",
        "CSR",
        "View Customer Chats, Send Message, Listen to Call Recording",
    ),
    DemoUser(
        "manager@demo.test",
        "Morgan",
        "Reyes",
        "Manager",
        "View Customer Chats, Listen to Call Recording",
    ),
    DemoUser("viewer@demo.test", "Vic", "Chen", "Viewer", "View Customer Chats"),
]

PRICES = {
    "ac_repair": "Diagnostic visit $89, waived if you go ahead with the repair",
    "heating_repair": "Diagnostic visit $89, waived if you go ahead with the repair",
    "hvac_tune_up": "$129 per system",
    "hvac_replacement_estimate": "Free in-home estimate",
    "drain_cleaning": "From $149 for a main line",
    "water_heater_replacement_estimate": "Free estimate",
    "panel_upgrade_estimate": "Free estimate",
    "ev_charger_estimate": "Free estimate",
    "garage_door_repair": "Service call $79",
}
BRANDS = [
    "Trane",
    "Carrier",
    "Lennox",
    "Goodman",
    "Rheem",
    "Bradford White",
    "LiftMaster",
    "Chamberlain",
]
BUSINESS_HOURS = "Monday to Saturday, 7 am to 6 pm; closed Sunday"

CAMPAIGNS = [
    ("Speed to Lead: SMS", Goal.SPEED_TO_LEAD, Channel.SMS),
    ("Speed to Lead: Voice", Goal.SPEED_TO_LEAD, Channel.VOICE),
    ("Inbound SMS", Goal.INBOUND_SMS, Channel.SMS),
]


@transaction.atomic
def ensure_reference_company() -> Company:
    """Create the reference company with its campaigns and capacity, or return it as it is."""
    company, created = Company.objects.get_or_create(
        slug=SLUG,
        defaults={
            "name": NAME,
            "phone": PHONE,
            "time_zone": TIME_ZONE,
            "service_area_zips": SERVICE_AREA_ZIPS,
            "trades": TRADES,
            "prices": PRICES,
            "brands": BRANDS,
            "business_hours": BUSINESS_HOURS,
        },
    )
    if created:
        for name, goal, channel in CAMPAIGNS:
            Campaign.objects.create(
                company=company, name=name, goal=goal, channel=channel, skills=SKILLS
            )
        set_standard_week(company=company, trades=TRADES, slots=2)
    return company


@transaction.atomic
def ensure_demo_users(company: Company) -> list[User]:
    """The four demo logins, all with the password `leadline-demo`."""
    ensure_role_presets()
    users = []
    for spec in DEMO_USERS:
        user = User.objects.filter(email=spec.email).first()
        if user is None:
            user = create_user(
                email=spec.email,
                password=DEMO_PASSWORD,
                company=company,
                role=spec.role,
                first_name=spec.first_name,
                last_name=spec.last_name,
            )
        else:
            set_role(user=user, role=spec.role)
        users.append(user)
    return users

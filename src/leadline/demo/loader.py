"""`leadline demo`: the reference company, its four logins and 30 days of history."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TextIO
from zoneinfo import ZoneInfo

from django.db import transaction

from leadline.accounts.models import Company, User
from leadline.capacity.services import open_windows
from leadline.crm.models import Job
from leadline.demo import reference
from leadline.demo.story import STORY_DAYS, write_story
from leadline.interactions.models import Call, CallTurn, Interaction, InteractionEvent, Message
from leadline.kit import clock

FUTURE_DAYS = 21


def load_demo(*, reset: bool, interactions: int | None, out: TextIO) -> str:
    """Load the demo company and its story (once), optionally more generated interactions."""
    if reset:
        out.write(f"Deleting the demo company {reference.NAME} and its users...\n")
        _delete_demo()
    out.write(f"Loading the demo company {reference.NAME}...\n")
    company = reference.ensure_reference_company()
    users = reference.ensure_demo_users(company)
    out.write(
        f"Opening arrival windows for the last {STORY_DAYS} and the next {FUTURE_DAYS} days...\n"
    )
    today = clock.now().astimezone(ZoneInfo(company.time_zone)).date()
    open_windows(company=company, start=today - timedelta(days=STORY_DAYS), days=STORY_DAYS)
    open_windows(company=company, start=today, days=FUTURE_DAYS)
    # The story's interactions are the marker: once they exist, a second run keeps them.
    kept = Interaction.objects.for_company(company).exists()
    if kept:
        out.write("The demo history is already there; keeping it as it is.\n")
    else:
        out.write(f"Writing the {STORY_DAYS}-day story (about 500 interactions)...\n")
        started = time.monotonic()
        written = write_story(company=company, users=users)
        out.write(f"Wrote {written} interactions in {time.monotonic() - started:.1f} s.\n")
    if interactions:
        from leadline.demo.bulk import generate_interactions

        out.write(f"Bringing the generated interactions up to {interactions:,} (load testing)...\n")
        generate_interactions(company=company, count=interactions, out=out)
    out.flush()
    return _report(company, kept=kept)


@transaction.atomic
def _delete_demo() -> None:
    company = Company.objects.filter(slug=reference.SLUG).first()
    if company is not None:
        # Leaf tables first: they go in single DELETE statements, where a cascade from the
        # company would load every row (and generated data can be millions). Jobs and
        # interactions must go before the company anyway, their windows and campaigns
        # being PROTECTed.
        InteractionEvent.objects.for_company(company).delete()
        CallTurn.objects.filter(call__company=company).delete()
        Message.objects.for_company(company).delete()
        Call.objects.for_company(company).delete()
        Job.objects.for_company(company).delete()
        Interaction.objects.for_company(company).delete()
        company.delete()
    User.objects.filter(email__in=[u.email for u in reference.DEMO_USERS]).delete()


def _report(company: Company, *, kept: bool) -> str:
    total = Interaction.objects.for_company(company).count()
    width = max(len(u.email) for u in reference.DEMO_USERS) + 4
    lines = [
        f"Demo company: {company.name} ({total} interactions)",
        f"Sign in with any of these (password: {reference.DEMO_PASSWORD}):",
    ]
    lines += [f"  {u.email:<{width}}{u.role}: {u.grants}" for u in reference.DEMO_USERS]
    if kept:
        lines.append(
            "The demo history already existed and was kept as it was (use --reset to reload)."
        )
    return "\n".join(lines)

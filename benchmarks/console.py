"""How fast the Interactions console answers: the list with its counters, and the drawer.

It runs against the database named by LEADLINE_DATABASE_URL (fill it first with
`leadline demo --interactions 1000000`), signs in as the demo administrator with
Django's test client and requests the pages as a browser would, through the URL
routing, the views and the templates. Each case is requested a few times to warm
up, then timed `--runs` times; it prints the median, the 95th percentile and the
slowest, in milliseconds, with the target and whether it is met.

    LEADLINE_DATABASE_URL=sqlite:///path/to/1m.sqlite3 .venv/bin/python benchmarks/console.py
    LEADLINE_DATABASE_URL=postgresql://u@host/db .venv/bin/python benchmarks/console.py --runs 30

Nothing is written to the database except the session of the signed-in user.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LIST_TARGET_MS = 150.0
DRAWER_TARGET_MS = 100.0
USER_EMAIL = "admin@demo.test"


@dataclass(frozen=True)
class Case:
    label: str
    path: str
    params: dict[str, str]
    target_ms: float
    htmx: bool = False


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (95th of 20 runs: the 19th fastest)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def setup_django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadline.settings")
    import django

    django.setup()
    from django.conf import settings

    # The test client's host. Not `setup_test_environment()`: it instruments template
    # rendering (a copy of the context per template) and would time that too.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def build_cases(company: Any) -> list[Case]:
    from leadline.interactions import statuses
    from leadline.interactions.listing import Cursor, InteractionFilters, filtered_interactions
    from leadline.interactions.models import Interaction
    from leadline.kit import clock

    url = "/growth/interactions/"
    recent = Interaction.objects.for_company(company).order_by("-last_activity_at", "-id")
    newest = recent.values("id", "lead_phone").first()
    if newest is None:
        raise SystemExit("No interactions: run `leadline demo --interactions 1000000` first.")
    # A number as a user types it whole: one of the demo story's real-looking numbers (the
    # generated +1 555 numbers are not valid, so they are searched as digits, a scan).
    dialable = recent.exclude(lead_phone__startswith="+1555").values("lead_phone").first()
    phone = (dialable or newest)["lead_phone"]
    # The last page of the default list, reached the way its "Next" links reach it: the
    # cursor of the row just before the final 50 (newest first).
    default_rows = filtered_interactions(
        company=company, filters=InteractionFilters(), now=clock.now()
    ).order_by("last_activity_at", "id")
    tail = default_rows[50:51].first()
    escalated_code = next(
        s.code for s in statuses.STATUSES if s.group is statuses.Group.ESCALATED and s.reason
    )
    closed_code = "abandoned" if "abandoned" in statuses.BY_CODE else statuses.STATUSES[-1].code
    cases = [
        Case("no filter (last 30 days), page 1", url, {}, LIST_TARGET_MS),
        Case("goal Speed to Lead", url, {"goal": "speed_to_lead"}, LIST_TARGET_MS),
        Case("goal Inbound SMS", url, {"goal": "inbound_sms"}, LIST_TARGET_MS),
        Case("channel SMS Agent", url, {"channel": "sms"}, LIST_TARGET_MS),
        Case("channel Voice Agent", url, {"channel": "voice"}, LIST_TARGET_MS),
        Case("type Customer", url, {"type": "customer"}, LIST_TARGET_MS),
        Case(f"status {closed_code}", url, {"status": closed_code}, LIST_TARGET_MS),
        Case(f"status {escalated_code}", url, {"status": escalated_code}, LIST_TARGET_MS),
        Case("status group Escalated", url, {"status": "group:escalated"}, LIST_TARGET_MS),
        Case("Escalated only", url, {"escalated": "1"}, LIST_TARGET_MS),
        Case("High Activity", url, {"activity": "high"}, LIST_TARGET_MS),
        Case("search by phone", url, {"q": phone}, LIST_TARGET_MS),
        Case("search by digits (substring)", url, {"q": "5550001"}, LIST_TARGET_MS),
        Case("search by name", url, {"q": "Garcia"}, LIST_TARGET_MS),
        Case("sort oldest first", url, {"sort": "oldest"}, LIST_TARGET_MS),
        Case("range today", url, {"range": "today"}, LIST_TARGET_MS),
        Case("range 7 days", url, {"range": "7d"}, LIST_TARGET_MS),
        Case("range 90 days", url, {"range": "90d"}, LIST_TARGET_MS),
    ]
    if tail is not None:
        cursor = Cursor.of(tail).encode()
        cases.append(Case("last page (keyset)", url, {"after": cursor}, LIST_TARGET_MS))
    cases.append(
        Case("drawer (htmx fragment)", f"{url}{newest['id']}/drawer/", {}, DRAWER_TARGET_MS, True)
    )
    return cases


def time_case(client: Any, case: Case, runs: int, warmup: int) -> list[float]:
    headers = {"HX-Request": "true"} if case.htmx else {}
    timings = []
    for index in range(warmup + runs):
        started = time.perf_counter()
        response = client.get(case.path, case.params, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{case.label}: HTTP {response.status_code}")
        if index >= warmup:
            timings.append(elapsed)
    return timings


def describe() -> str:
    from django.db import connection

    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
        else:
            cursor.execute("show server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (
        f"{database}; {os.cpu_count()} cores ({cpu}); Python {platform.python_version()}; "
        f"load average {load}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="timed requests per case")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests first")
    parser.add_argument("--only", help="only the cases whose label contains this text")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    setup_django()
    from django.test import Client

    from leadline.accounts.models import User
    from leadline.interactions.models import Interaction

    user = User.objects.filter(email=USER_EMAIL).select_related("company").first()
    if user is None or user.company is None:
        raise SystemExit(f"No {USER_EMAIL}: run `leadline demo` on this database first.")
    client = Client()
    client.force_login(user)
    total = Interaction.objects.for_company(user.company).count()
    print(describe())
    print(f"{total:,} interactions in {user.company.name}; {args.runs} runs after {args.warmup}")
    print()
    header = f"{'case':<36} {'p50':>8} {'p95':>8} {'max':>8} {'target':>7}  met"
    print(header)
    print("-" * len(header))
    results = []
    for case in build_cases(user.company):
        if args.only and args.only not in case.label:
            continue
        timings = time_case(client, case, args.runs, args.warmup)
        p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
        met = p95 <= case.target_ms
        results.append(
            {
                "case": case.label,
                "params": case.params,
                "p50_ms": round(p50, 1),
                "p95_ms": round(p95, 1),
                "max_ms": round(max(timings), 1),
                "target_ms": case.target_ms,
                "met": met,
            }
        )
        print(
            f"{case.label:<36} {p50:>8.1f} {p95:>8.1f} {max(timings):>8.1f} "
            f"{case.target_ms:>7.0f}  {'yes' if met else 'NO'}",
            flush=True,
        )
    # The load while the cases ran: figures from a busy shared machine are not comparable.
    end_load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print(f"\nload average at the end: {end_load}")
    if args.json:
        report = {"machine": describe(), "load_at_end": end_load, "cases": results}
        Path(args.json).write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Speed to Lead, end to end: from a lead posted to the API to its first text at Twilio.

For each database (a new SQLite file in a temporary directory, and a PostgreSQL
database of its own, dropped and created again) it:

1. starts the fake Twilio REST server of the tests on loopback, timing every
   Messages create as it arrives;
2. migrates the empty database and creates a company with a switched-on Speed to
   Lead SMS campaign, a CSR user and an API token, through the services;
3. starts `leadline serve` (with SQLite the task worker runs inside it; with
   PostgreSQL a separate `leadline worker`, as in production), configured with
   LEADLINE_PROVIDER=twilio and LEADLINE_TWILIO_API_BASE pointing at the fake;
4. posts leads to POST /api/v1/leads over HTTP, one at a time after a random pause
   (so a lead lands at any moment of the worker's poll, as real leads do), and times
   each from the moment its POST is sent to the moment the fake receives the
   Messages create for its number; then, with --burst, posts leads in bursts of
   simultaneous requests and times those the same way;
5. checks every text: one create per lead, to its number, from our number, naming
   the business and saying how to opt out.

It prints the median, the 95th percentile (nearest rank) and the slowest, in
milliseconds, against the 1-second target. Leads get a ZIP and an area code of a US
place whose local time is inside the outreach window now (docs/compliance.md); when
no place is, it says so and exits with status 4 without posting anything.

    .venv/bin/python benchmarks/intake.py                      # 100 leads, both databases
    .venv/bin/python benchmarks/intake.py -n 20 --sqlite-only
    .venv/bin/python benchmarks/intake.py --burst 10 --bursts 3 --json var/intake.json
    .venv/bin/python benchmarks/intake.py --postgres-url postgresql://u@host/db

Exit status: 0 when every lead got its text (whether or not the target was met:
`--check-target` makes a missed target exit 3), 1 when a lead got no text within
`--timeout` seconds, a text was wrong or sent twice, or a request failed; 4 when no
place is inside the outreach window. The PostgreSQL database named in the URL is
dropped: never point it at real data.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/leadline_bench_intake"
TARGET_SECONDS = 1.0
COMPANY_NAME = "Hill Country Heating and Air"
USER_EMAIL = "intake-bench@example.test"
NO_WINDOW_EXIT = 4
# Places to put the leads in, the company's own zone first: (ZIP, area code, label).
# The ZIP and the number agree, so the lead has one local time (the gate checks both).
PLACES: tuple[tuple[str, str, str], ...] = (
    ("78704", "512", "Austin, TX"),
    ("60601", "312", "Chicago, IL"),
    ("10001", "212", "New York, NY"),
    ("80202", "303", "Denver, CO"),
    ("85004", "602", "Phoenix, AZ"),
    ("90012", "213", "Los Angeles, CA"),
    ("99501", "907", "Anchorage, AK"),
    ("96813", "808", "Honolulu, HI"),
)
# The first number of the fictional 555-01XX block; lead i gets line FIRST_LINE + i.
FIRST_LINE = 100
OPT_OUT_WORDING = re.compile(r"\bSTOP\b.*\bopt[ -]?out\b", re.IGNORECASE | re.DOTALL)


# --------------------------------------------------------------------------------------
# The window: where may a lead be texted now?


@dataclass(frozen=True)
class Place:
    zip: str
    area_code: str
    label: str

    def number(self, index: int) -> str:
        return f"+1{self.area_code}555{FIRST_LINE + index:04d}"


def choose_place(
    *, now: datetime, company_time_zone: str, tighten: dict[str, Any] | None, margin: timedelta
) -> tuple[Place | None, datetime | None]:
    """The first place whose leads may be texted from `now` to `now + margin`, or None and
    the earliest moment one opens (needs Django set up: it asks the compliance gate)."""
    from leadline.compliance import gate

    earliest: datetime | None = None
    for zip_code, area_code, label in PLACES:
        place = Place(zip_code, area_code, label)
        verdicts = [
            gate.decide(
                kind=gate.SendKind.OUTREACH,
                now=moment,
                lead_phone_e164=place.number(0),
                lead_zip=place.zip,
                company_time_zone=company_time_zone,
                tighten=tighten,
                opted_out=False,
                agent_paused=False,
                last_inbound_at=None,
            )
            for moment in (now, now + margin)
        ]
        if all(verdict.allowed for verdict in verdicts):
            return place, None
        opening = verdicts[0].retry_at
        if opening is not None and (earliest is None or opening < earliest):
            earliest = opening
    return None, earliest


# --------------------------------------------------------------------------------------
# The child that prepares a database (run as `intake.py --prepare`, with the env set).


def prepare(*, leads: int, margin_minutes: float) -> int:
    """Migrate, create the company, campaign, user and token; print them as JSON."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadline.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from leadline.accounts.models import Company
    from leadline.accounts.services import create_user
    from leadline.api.services import create_token
    from leadline.campaigns.models import Campaign, Channel, Goal
    from leadline.capacity.job_types import JOB_TYPES
    from leadline.capacity.services import set_standard_week
    from leadline.kit import clock
    from leadline.kit.phone import parse_phone

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_seconds = time.perf_counter() - started

    company = Company.objects.create(
        name=COMPANY_NAME,
        slug="hill-country-heating",
        phone="+15125550100",
        time_zone="America/Chicago",
        service_area_zips=[zip_code for zip_code, _, _ in PLACES],
        trades=["hvac", "plumbing", "electrical", "garage_doors"],
        business_hours="Monday to Saturday, 7 am to 6 pm",
    )
    set_standard_week(
        company=company, trades=["hvac", "plumbing", "electrical", "garage_doors"], slots=2
    )
    Campaign.objects.create(
        company=company,
        name="Speed to Lead: SMS",
        goal=Goal.SPEED_TO_LEAD,
        channel=Channel.SMS,
        skills=list(JOB_TYPES),
    )
    user = create_user(
        email=USER_EMAIL, password="intake-bench-password", company=company, role="CSR"
    )
    token = create_token(user=user, name="intake benchmark")

    place, opening = choose_place(
        now=clock.now(),
        company_time_zone=company.time_zone,
        tighten=company.outreach_window or None,
        margin=timedelta(minutes=margin_minutes),
    )
    answer: dict[str, Any] = {
        "migrate_seconds": round(migrate_seconds, 2),
        "database": _database_version(connection),
        "now": clock.now().isoformat(),
    }
    if place is None:
        answer["error"] = "no_window"
        answer["next_opening"] = opening.isoformat() if opening else None
        print(json.dumps(answer))
        return 0
    numbers = [place.number(i) for i in range(leads)]
    invalid = [n for n in numbers if not parse_phone(n).is_valid]
    if invalid:
        answer["error"] = f"numbers that do not parse as valid: {invalid[:3]}"
        print(json.dumps(answer))
        return 0
    answer.update(
        token=token.secret,
        company=company.name,
        place={"zip": place.zip, "area_code": place.area_code, "label": place.label},
    )
    print(json.dumps(answer))
    return 0


def _database_version(connection: Any) -> str:
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version}"
    major, minor = divmod(int(connection.pg_version), 10000)
    return f"PostgreSQL {major}.{minor}"


# --------------------------------------------------------------------------------------
# The fake Twilio, with a stopwatch.


def _fake_module() -> Any:
    sys.path.insert(0, str(ROOT))
    from tests.fakes import twilio_server

    return twilio_server


@dataclass
class Arrival:
    at: float
    body: str
    sender: str
    status_callback: str


@dataclass
class Stopwatch:
    """The first Messages create for each number, with when it arrived (perf_counter)."""

    first: dict[str, Arrival] = field(default_factory=dict)
    creates: dict[str, int] = field(default_factory=dict)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def record(self, form: dict[str, str]) -> None:
        at = time.perf_counter()
        to = form.get("To", "")
        with self.changed:
            self.creates[to] = self.creates.get(to, 0) + 1
            self.first.setdefault(
                to,
                Arrival(
                    at=at,
                    body=form.get("Body", ""),
                    sender=form.get("From") or form.get("MessagingServiceSid", ""),
                    status_callback=form.get("StatusCallback", ""),
                ),
            )
            self.changed.notify_all()

    def wait_for(self, number: str, deadline: float) -> Arrival | None:
        with self.changed:
            while number not in self.first:
                left = deadline - time.perf_counter()
                if left <= 0:
                    return None
                self.changed.wait(left)
            return self.first[number]


@contextmanager
def timed_fake_twilio() -> Iterator[tuple[Any, Stopwatch]]:
    """The tests' fake Twilio on a free loopback port, each Messages create timed."""
    module = _fake_module()
    stopwatch = Stopwatch()

    class TimedFake(module.FakeTwilio):  # type: ignore[name-defined]
        def create_message(self, form: dict[str, str]) -> dict[str, Any]:
            stopwatch.record(form)
            record: dict[str, Any] = super().create_message(form)
            return record

    with module.running_fake_twilio(TimedFake()) as fake:
        yield fake, stopwatch


# --------------------------------------------------------------------------------------
# Running Leadline.


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(db_url: str, workdir: Path, fake: Any, port: int) -> dict[str, str]:
    module = _fake_module()
    # Nothing of the caller's Leadline configuration leaks in (a brain, a provider).
    env = {key: value for key, value in os.environ.items() if not key.startswith("LEADLINE_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        LEADLINE_DATABASE_URL=db_url,
        LEADLINE_VAR_DIR=str(workdir),
        LEADLINE_LOG_LEVEL="WARNING",
        LEADLINE_PROVIDER="twilio",
        LEADLINE_TWILIO_ACCOUNT_SID=module.ACCOUNT_SID,
        LEADLINE_TWILIO_AUTH_TOKEN=module.AUTH_TOKEN,
        LEADLINE_TWILIO_FROM=module.NUMBER,
        LEADLINE_TWILIO_API_BASE=fake.url,
        LEADLINE_PUBLIC_URL=f"http://127.0.0.1:{port}",
        # The benchmark's own requests must not meet the per-token limit.
        LEADLINE_API_RATE_LIMIT="100000",
    )
    return env


def _leadline(*args: str) -> list[str]:
    return [sys.executable, "-m", "leadline.cli", *args]


@contextmanager
def running_leadline(
    env: dict[str, str],
    workdir: Path,
    port: int,
    *,
    separate_worker: bool,
    worker_interval: float | None = None,
    workers: int = 1,
) -> Iterator[Callable[[], str]]:
    """`leadline serve` (and `leadline worker`), stopped afterwards; yields the logs' tail."""
    logs: list[Path] = []
    processes: list[subprocess.Popen[bytes]] = []
    commands = {"serve": _leadline("serve", "--port", str(port))}
    if separate_worker:
        extra = ["--interval", str(worker_interval)] if worker_interval is not None else []
        for number in range(1, workers + 1):
            commands[f"worker-{number}"] = _leadline("worker", *extra)
    try:
        for name, command in commands.items():
            log = workdir / f"{name}.log"
            logs.append(log)
            with log.open("wb") as handle:
                processes.append(
                    subprocess.Popen(command, cwd=workdir, env=env, stdout=handle, stderr=handle)
                )

        def tail() -> str:
            return "\n".join(
                f"--- {log.name} ---\n"
                + "\n".join(log.read_text(errors="replace").splitlines()[-30:])
                for log in logs
            )

        _wait_until_up(f"http://127.0.0.1:{port}/login/", processes, tail)
        yield tail
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(
    url: str, processes: Sequence[subprocess.Popen[bytes]], tail: Callable[[], str]
) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise BenchmarkError(f"a Leadline process exited early:\n{tail()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise BenchmarkError(f"leadline serve did not answer at {url}:\n{tail()}")


class BenchmarkError(Exception):
    """The run could not be made (a process died, a request failed)."""


def post_lead(base: str, token: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        f"{base}/api/v1/leads",
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as exc:
        body = exc.read()
        try:
            return exc.code, json.loads(body or b"{}")
        except ValueError:
            return exc.code, {"raw": body.decode(errors="replace")[:300]}
    except OSError as exc:
        # No answer at all (refused, reset, timed out): status 0, as a failed lead.
        return 0, {"error": str(exc)}


# --------------------------------------------------------------------------------------
# One measured lead.


@dataclass
class LeadResult:
    number: str
    phase: str
    status: int
    api_seconds: float
    text_seconds: float | None  # None: no text within the timeout
    problems: list[str]


def _lead_payload(number: str, place: dict[str, str], index: int) -> dict[str, Any]:
    return {
        "first_name": "Avery",
        "last_name": f"Bench{index}",
        "phone": number,
        "zip": place["zip"],
        "note": "AC is blowing warm air",
        "source": "web_form",
    }


def measure_one(
    *,
    base: str,
    token: str,
    number: str,
    index: int,
    place: dict[str, str],
    stopwatch: Stopwatch,
    timeout: float,
    phase: str,
    public_url: str,
    sender: str,
) -> LeadResult:
    sent = time.perf_counter()
    status, body = post_lead(base, token, _lead_payload(number, place, index))
    api_seconds = time.perf_counter() - sent
    problems: list[str] = []
    if status != 201:
        problems.append(f"POST answered {status}: {json.dumps(body)[:200]}")
        return LeadResult(number, phase, status, api_seconds, None, problems)
    arrival = stopwatch.wait_for(number, sent + timeout)
    if arrival is None:
        problems.append(f"no text within {timeout:g} s")
        return LeadResult(number, phase, status, api_seconds, None, problems)
    problems.extend(check_text(arrival, public_url=public_url, sender=sender))
    return LeadResult(number, phase, status, api_seconds, arrival.at - sent, problems)


def check_text(arrival: Arrival, *, public_url: str, sender: str) -> list[str]:
    """What is wrong with a first text, as the lead or Twilio would notice it."""
    problems = []
    if COMPANY_NAME.casefold() not in arrival.body.casefold():
        problems.append(f"the text does not name the business: {arrival.body!r}")
    if not OPT_OUT_WORDING.search(arrival.body):
        problems.append(f"the text does not say how to opt out: {arrival.body!r}")
    if arrival.sender != sender:
        problems.append(f"sent from {arrival.sender!r}, not {sender!r}")
    if not arrival.status_callback.startswith(public_url + "/"):
        problems.append(f"no status callback under {public_url}: {arrival.status_callback!r}")
    return problems


def nearest_rank(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summarise(results: Sequence[LeadResult]) -> dict[str, Any]:
    timed = [r.text_seconds for r in results if r.text_seconds is not None]
    summary: dict[str, Any] = {"leads": len(results), "texted": len(timed)}
    if timed:
        summary.update(
            p50_ms=round(statistics.median(timed) * 1000),
            p95_ms=round(nearest_rank(timed, 0.95) * 1000),
            max_ms=round(max(timed) * 1000),
            api_p50_ms=round(statistics.median(r.api_seconds for r in results) * 1000),
            met=len(timed) == len(results) and nearest_rank(timed, 0.95) <= TARGET_SECONDS,
        )
    return summary


# --------------------------------------------------------------------------------------
# One database.


def run_backend(
    *, label: str, db_url: str, workdir: Path, args: argparse.Namespace
) -> dict[str, Any]:
    total = args.warmup + args.leads + args.burst * args.bursts
    rng = random.Random(args.seed)
    with timed_fake_twilio() as (fake, stopwatch):
        port = _free_port()
        env = _environment(db_url, workdir, fake, port)
        prepared = subprocess.run(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--prepare",
                *("-n", str(total), "--margin-minutes", str(args.margin_minutes)),
            ],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if prepared.returncode != 0:
            raise BenchmarkError(f"[{label}] preparing the database failed:\n{prepared.stderr}")
        lines = prepared.stdout.strip().splitlines()
        if not lines:
            raise BenchmarkError(f"[{label}] preparing the database printed nothing")
        setup = json.loads(lines[-1])
        print(
            f"[{label}] {setup['database']}: migrated in {setup['migrate_seconds']} s", flush=True
        )
        if setup.get("error") == "no_window":
            return {"backend": label, "error": "no_window", **setup}
        if "error" in setup:
            raise BenchmarkError(f"[{label}] {setup['error']}")
        place = setup["place"]
        module = _fake_module()
        numbers = [Place(**place).number(i) for i in range(total)]
        base = f"http://127.0.0.1:{port}"
        public_url = env["LEADLINE_PUBLIC_URL"]
        results: list[LeadResult] = []

        def one(index: int, phase: str) -> LeadResult:
            return measure_one(
                base=base,
                token=setup["token"],
                number=numbers[index],
                index=index,
                place=place,
                stopwatch=stopwatch,
                timeout=args.timeout,
                phase=phase,
                public_url=public_url,
                sender=module.NUMBER,
            )

        def burst_of(first: int, size: int) -> list[LeadResult]:
            """Leads first .. first + size - 1, posted at the same moment from threads."""
            found: list[LeadResult] = []
            together = threading.Barrier(size)

            def post(position: int) -> None:
                together.wait()
                found.append(one(position, "burst"))

            threads = [threading.Thread(target=post, args=(first + k,)) for k in range(size)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            return found

        with running_leadline(
            env,
            workdir,
            port,
            separate_worker=label == "postgresql",
            worker_interval=args.worker_interval,
            workers=args.workers,
        ) as tail:
            load_before = os.getloadavg()
            print(
                f"[{label}] serving at {base}; leads in {place['label']} (ZIP {place['zip']}); "
                f"load average {' '.join(f'{x:.2f}' for x in load_before)}",
                flush=True,
            )
            index = 0
            warmup: list[LeadResult] = []
            for _ in range(args.warmup):
                # The first requests import code and open connections: not a lead's wait.
                warmup.append(one(index, "warm-up"))
                index += 1
            for _ in range(args.leads):
                time.sleep(rng.uniform(0, args.max_pause))
                result = one(index, "one at a time")
                index += 1
                results.append(result)
                if result.problems:
                    print(f"[{label}] {result.number}: {'; '.join(result.problems)}", flush=True)
            for _ in range(args.bursts):
                time.sleep(rng.uniform(0, args.max_pause))
                results.extend(burst_of(index, args.burst))
                index += args.burst
            # Anything sent twice shows up a moment later: give stray sends time to land.
            time.sleep(1.0)
            load_after = os.getloadavg()
            duplicates = {n: c for n, c in stopwatch.creates.items() if c > 1}
            unexpected = sorted(set(stopwatch.creates) - set(numbers[:index]))
            failed = [r for r in warmup + results if r.problems]
            if failed and args.verbose:
                print(tail(), flush=True)

    phases: dict[str, Any] = {}
    for phase in ("one at a time", "burst"):
        chosen = [r for r in results if r.phase == phase]
        if chosen:
            phases[phase] = summarise(chosen)
    return {
        "backend": label,
        "database": setup["database"],
        "place": place,
        "started": setup["now"],
        "migrate_seconds": setup["migrate_seconds"],
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        "phases": phases,
        "duplicates": duplicates,
        "unexpected_numbers": unexpected,
        "problems": [
            {"number": r.number, "phase": r.phase, "problems": r.problems} for r in failed
        ],
        "text_ms": {
            phase: [
                round(r.text_seconds * 1000, 1)
                for r in results
                if r.phase == phase and r.text_seconds is not None
            ]
            for phase in phases
        },
        "sample_text": next(iter(stopwatch.first.values())).body if stopwatch.first else "",
    }


def bench_sqlite(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="leadline-intake-"))
    try:
        return run_backend(
            label="sqlite",
            db_url=f"sqlite:///{workdir / 'intake.sqlite3'}",
            workdir=workdir,
            args=args,
        )
    finally:
        if args.keep:
            print(f"[sqlite] kept the database and the logs in {workdir}", flush=True)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def bench_postgres(args: argparse.Namespace) -> dict[str, Any]:
    import psycopg

    url = args.postgres_url
    name = urlparse(url).path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise BenchmarkError(f"--postgres-url must end in a plain database name, not {name!r}")
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        raise BenchmarkError(f"[postgresql] cannot reach {admin_url}: {exc}") from exc
    workdir = Path(tempfile.mkdtemp(prefix="leadline-intake-pg-"))
    try:
        return run_backend(label="postgresql", db_url=url, workdir=workdir, args=args)
    finally:
        if args.keep:
            print(f"[postgresql] kept {name} and the logs in {workdir}", flush=True)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --------------------------------------------------------------------------------------
# The command.


def describe_machine() -> str:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores; load average {load}; "
        f"Python {platform.python_version()} on {platform.system()} {platform.release()}"
    )


def report(result: dict[str, Any]) -> list[str]:
    label = result["backend"]
    if result.get("error") == "no_window":
        opening = result.get("next_opening")
        return [
            f"[{label}] no US place of the benchmark is inside the outreach window now "
            f"({result['now']}): texts would wait for quiet hours to end"
            + (f"; the first window opens at {opening}" if opening else "")
            + ". Run it then; nothing was posted."
        ]
    lines = []
    for phase, summary in result["phases"].items():
        if summary["texted"]:
            verdict = "met" if summary["met"] else "NOT met"
            lines.append(
                f"[{label}] {phase}: {summary['texted']}/{summary['leads']} texted; "
                f"first text p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, "
                f"max {summary['max_ms']} ms (API answer p50 {summary['api_p50_ms']} ms); "
                f"target p95 <= {TARGET_SECONDS * 1000:.0f} ms {verdict}"
            )
        else:
            lines.append(f"[{label}] {phase}: no lead got a text")
    for number, count in result["duplicates"].items():
        lines.append(f"[{label}] {number} was texted {count} times")
    for number in result["unexpected_numbers"]:
        lines.append(f"[{label}] a text went to {number}, which no lead has")
    for failure in result["problems"]:
        lines.append(
            f"[{label}] {failure['number']} ({failure['phase']}): " + "; ".join(failure["problems"])
        )
    if result["sample_text"]:
        lines.append(f"[{label}] a first text: {result['sample_text']!r}")
    lines.append(
        f"[{label}] load average before {result['load_before']}, after {result['load_after']}"
    )
    return lines


def exit_status(results: Sequence[dict[str, Any]], *, check_target: bool) -> int:
    if any(r.get("error") == "no_window" for r in results):
        return NO_WINDOW_EXIT
    broken = any(
        r["duplicates"]
        or r["unexpected_numbers"]
        or r["problems"]
        or any(s["texted"] < s["leads"] for s in r["phases"].values())
        for r in results
    )
    if broken:
        return 1
    if check_target and not all(s["met"] for r in results for s in r["phases"].values()):
        return 3
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("-n", "--leads", type=int, default=100, help="leads posted one at a time")
    parser.add_argument("--burst", type=int, default=0, help="leads posted at once in a burst")
    parser.add_argument("--bursts", type=int, default=0, help="how many bursts (default none)")
    parser.add_argument("--warmup", type=int, default=2, help="leads posted first, not counted")
    parser.add_argument(
        "--max-pause", type=float, default=1.0, help="the longest random pause between leads (s)"
    )
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds a text may take")
    parser.add_argument("--seed", type=int, default=4, help="seed of the random pauses")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    parser.add_argument("--postgres-url", default=DEFAULT_PG_URL)
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--check-target", action="store_true", help="exit 3 when p95 > 1 s")
    parser.add_argument("-v", "--verbose", action="store_true", help="print server logs on failure")
    parser.add_argument(
        "--margin-minutes",
        type=float,
        default=20.0,
        help="the window must stay open this long after the start",
    )
    parser.add_argument(
        "--worker-interval",
        type=float,
        help="PostgreSQL: `leadline worker --interval` (default: the command's own default)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="PostgreSQL: how many `leadline worker` processes"
    )
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare:
        return prepare(leads=args.leads, margin_minutes=args.margin_minutes)
    if args.leads < 1 or args.workers < 1 or min(args.warmup, args.burst, args.bursts) < 0:
        parser.error(
            "--leads and --workers must be 1 or more; --warmup, --burst and --bursts 0 or more"
        )
    if args.warmup + args.leads + args.burst * args.bursts > 9900:
        parser.error("at most 9,900 leads in all (the 555-0100 to 555-9999 numbers)")
    if args.sqlite_only and args.postgres_only:
        parser.error("--sqlite-only and --postgres-only exclude each other")

    print(describe_machine(), flush=True)
    results: list[dict[str, Any]] = []
    try:
        if not args.postgres_only:
            results.append(bench_sqlite(args))
            for line in report(results[-1]):
                print(line, flush=True)
        if not args.sqlite_only and not (results and results[-1].get("error") == "no_window"):
            results.append(bench_postgres(args))
            for line in report(results[-1]):
                print(line, flush=True)
    except BenchmarkError as exc:
        print(f"intake benchmark: error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        Path(args.json).write_text(
            json.dumps({"machine": describe_machine(), "results": results}, indent=2)
        )
    return exit_status(results, check_target=args.check_target)


if __name__ == "__main__":
    sys.exit(main())

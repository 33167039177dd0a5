"""How long `leadline demo --interactions N` takes, on SQLite and on PostgreSQL.

Each database starts empty: a new SQLite file in a temporary directory, and a
PostgreSQL database of its own (`leadline_bench`, dropped and created again). The
command runs as users run it, in a child process; then a second child counts the rows
and times the Interactions list queries on the result, and the command runs once more
to show that it adds nothing the second time.

    .venv/bin/python benchmarks/bench_demo_load.py                  # 1,000,000, both
    .venv/bin/python benchmarks/bench_demo_load.py -n 100000 --sqlite-only
    .venv/bin/python benchmarks/bench_demo_load.py --postgres-url postgresql://u@host/db

The PostgreSQL database named in the URL is dropped: never point it at real data.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/leadline_bench"
PAGE = 50


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--interactions", type=int, default=1_000_000)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    parser.add_argument("--postgres-url", default=DEFAULT_PG_URL)
    parser.add_argument("--dir", help="where the SQLite file goes (default: a temporary dir)")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure()))
        return 0

    print(describe_machine(), flush=True)
    results = []
    if not args.postgres_only:
        results.append(bench_sqlite(args))
    if not args.sqlite_only:
        result = bench_postgres(args)
        if result is not None:
            results.append(result)
    for result in results:
        print(report(result))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


def describe_machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = match.group(1) if match else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        match = re.search(r"MemTotal:\s*(\d+) kB", meminfo.read_text())
        memory = f", {int(match.group(1)) / 1024**2:.0f} GiB RAM" if match else ""
    load = ""
    if hasattr(os, "getloadavg"):
        load = ", load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"Machine: {os.cpu_count()} cores ({cpu}){memory}{load}; "
        f"Python {platform.python_version()} on {platform.system()} {platform.release()}"
    )


def run_demo(url: str, n: int, label: str) -> tuple[float, str]:
    """Run `leadline demo --interactions N` and echo its output; (seconds, output)."""
    env = {**os.environ, "LEADLINE_DATABASE_URL": url}
    command = [sys.executable, "-m", "leadline.cli", "demo", "--interactions", str(n)]
    print(f"[{label}] $ LEADLINE_DATABASE_URL={url} leadline demo --interactions {n}", flush=True)
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        print(f"[{label}] {line}", end="", flush=True)
    if process.wait() != 0:
        raise SystemExit(f"[{label}] leadline demo failed with exit code {process.returncode}")
    return time.monotonic() - started, "".join(lines)


def run_measure(url: str) -> dict[str, Any]:
    env = {**os.environ, "LEADLINE_DATABASE_URL": url}
    output = subprocess.run(
        [sys.executable, __file__, "--measure"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def bench(url: str, n: int, label: str, size: Any) -> dict[str, Any]:
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    seconds, output = run_demo(url, n, label)
    generation = re.search(r"Added (.+) in ([\d.]+) s\.", output)
    load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    figures = run_measure(url)
    again, again_output = run_demo(url, n, label)
    return {
        "database": label,
        "interactions": n,
        "command_seconds": round(seconds, 1),
        "generation_seconds": float(generation.group(2)) if generation else None,
        "added": generation.group(1) if generation else None,
        "second_run_seconds": round(again, 1),
        "second_run_says": next(
            (line for line in again_output.splitlines() if "generated interactions" in line), ""
        ),
        "load_average": [load_before, load_after],
        "database_bytes": size(),
        **figures,
    }


def bench_sqlite(args: argparse.Namespace) -> dict[str, Any]:
    directory = Path(args.dir or tempfile.mkdtemp(prefix="leadline-bench-"))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)

    def size() -> int:
        return sum(
            Path(f"{path}{suffix}").stat().st_size
            for suffix in ("", "-wal")
            if Path(f"{path}{suffix}").exists()
        )

    try:
        result = bench(f"sqlite:///{path}", args.interactions, "sqlite", size)
        result["version"] = sqlite_version()
        return result
    finally:
        if not args.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            if not args.dir:
                shutil.rmtree(directory, ignore_errors=True)


def sqlite_version() -> str:
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def bench_postgres(args: argparse.Namespace) -> dict[str, Any] | None:
    import psycopg

    url = args.postgres_url
    name = urlparse(url).path.lstrip("/")
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    try:
        admin = psycopg.connect(admin_url, autocommit=True)
    except psycopg.OperationalError as exc:
        print(f"[postgresql] skipped: cannot connect ({exc})", flush=True)
        return None
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        version = admin.execute("SHOW server_version").fetchone()

    def size() -> int:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            row = conn.execute("SELECT pg_database_size(%s)", [name]).fetchone()
            return int(row[0]) if row else 0

    try:
        result = bench(url, args.interactions, "postgresql", size)
        result["version"] = f"PostgreSQL {version[0] if version else '?'}"
        return result
    finally:
        if not args.keep:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def measure() -> dict[str, Any]:
    """In a child with LEADLINE_DATABASE_URL set: rows per table and list query timings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadline.settings")
    import django

    django.setup()
    from django.db import connection

    from leadline.accounts.models import Company
    from leadline.crm.models import Customer, Lead, Opportunity
    from leadline.demo.reference import SLUG
    from leadline.interactions.models import Interaction, InteractionEvent, Message
    from leadline.interactions.selectors import interactions_for, status_group_counts

    company = Company.objects.get(slug=SLUG)
    rows = {
        model._meta.db_table: model.objects.count()
        for model in (Lead, Customer, Opportunity, Interaction, Message, InteractionEvent)
    }
    queries = {
        "first page, most recent activity": lambda: interactions_for(company=company),
        "first page, status Escalated (Human Request)": lambda: interactions_for(
            company=company
        ).filter(status="escalated.human_request"),
        "first page, Escalated only": lambda: interactions_for(company=company).filter(
            escalated=True
        ),
        "first page, goal Inbound SMS": lambda: interactions_for(company=company).filter(
            goal="inbound_sms"
        ),
        "search by phone": lambda: interactions_for(company=company).filter(
            lead_phone="+15550123456"
        ),
    }
    timings = {}
    for label, make in queries.items():
        timings[label] = time_query(lambda make=make: list(make()[:PAGE]))
        sql, params = make()[:PAGE].query.sql_with_params()
        timings[label]["plan"] = explain(connection, sql, params)
    timings["status group counts (whole table)"] = time_query(
        lambda: status_group_counts(company=company), runs=3
    )
    try:
        from leadline.interactions.listing import interaction_list, parse_query
    except ImportError:
        return {"rows": rows, "queries": timings}
    console = {
        "console list page + counters, default (last 30 days)": {},
        "console list page + counters, Escalated (Human Request), 90 days": {
            "status": "escalated.human_request",
            "range": "90d",
        },
        "console list page + counters, Escalated only, 90 days": {"escalated": "1", "range": "90d"},
    }
    for label, query_params in console.items():
        query = parse_query(query_params)
        timings[label] = time_query(
            lambda query=query: interaction_list(company=company, query=query), runs=3
        )
    return {"rows": rows, "queries": timings}


def time_query(run: Any, runs: int = 7) -> dict[str, Any]:
    started = time.perf_counter()
    run()
    first = time.perf_counter() - started
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return {
        "first_ms": round(first * 1000, 2),
        "median_ms": round(statistics.median(samples) * 1000, 2),
    }


def explain(connection: Any, sql: str, params: Any) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "; ".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN {sql}", params)
        return "; ".join(row[0].strip() for row in cursor.fetchall())


def report(result: dict[str, Any]) -> str:
    n = result["interactions"]
    numbers = re.findall(r"\d[\d,]*", result["added"] or "")
    added_rows = sum(int(x.replace(",", "")) for x in numbers)
    seconds = result["generation_seconds"] or result["command_seconds"]
    lines = [
        "",
        f"== {result['version']}: leadline demo --interactions {n:,} ==",
        f"command: {result['command_seconds']:.1f} s wall (migrate, demo story and generation)",
        f"generation: {seconds:.1f} s, {n / seconds:,.0f} interactions/s, "
        f"{added_rows:,} rows added, {added_rows / seconds:,.0f} rows/s",
        f"load average before/after: {result['load_average']}",
        f"database size: {result['database_bytes'] / 1024**3:.2f} GiB",
        f"second run: {result['second_run_seconds']:.1f} s: {result['second_run_says']}",
        "rows: " + ", ".join(f"{table} {count:,}" for table, count in result["rows"].items()),
    ]
    for label, timing in result["queries"].items():
        lines.append(
            f"  {label}: first {timing['first_ms']} ms, median {timing['median_ms']} ms"
            + (f"\n    plan: {timing['plan']}" if "plan" in timing else "")
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())

"""The `leadline` command: serve, worker, migrate, demo, createuser, token, simulate."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import NoReturn


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line and exits 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def _port(text: str) -> int:
    value = _positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (1-65535)")
    return value


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadline.settings")
    import django

    django.setup()


def _database_is_sqlite() -> bool:
    from django.db import connection

    return connection.vendor == "sqlite"


def _ensure_var_dir() -> None:
    from django.conf import settings

    os.makedirs(settings.STATIC_ROOT, exist_ok=True)
    name = str(settings.DATABASES["default"]["NAME"])
    if str(settings.DATABASES["default"]["ENGINE"]).endswith("sqlite3"):
        os.makedirs(os.path.dirname(name) or ".", exist_ok=True)


def _start_worker_thread(interval: float) -> threading.Thread:
    from leadline.worker import run_worker

    thread = threading.Thread(
        target=run_worker, kwargs={"interval": interval, "install_signals": False}, daemon=True
    )
    thread.start()
    return thread


def cmd_serve(args: argparse.Namespace) -> int:
    _setup()
    _ensure_var_dir()
    import uvicorn
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    embedded = _database_is_sqlite() and not args.no_worker
    if embedded:
        # As `leadline worker`'s default: a new lead's first text waits for the next poll.
        _start_worker_thread(interval=0.2)
    print(f"Leadline is serving on http://{args.host}:{args.port}/", flush=True)
    if embedded:
        print("The task worker runs in this process (SQLite).", flush=True)
    config = uvicorn.Config(
        "leadline.asgi:application",
        host=args.host,
        port=args.port,
        workers=1,
        log_level="warning",
        access_log=False,
        lifespan="off",
        # Live pages hold a stream open for minutes; they reconnect by themselves
        # (Last-Event-ID), so a restart need not wait for them.
        timeout_graceful_shutdown=3,
    )
    uvicorn.Server(config).run()
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    _setup()
    _ensure_var_dir()
    from leadline.worker import run_worker

    print("Leadline worker started; press Ctrl+C to stop.", flush=True)
    run_worker(interval=args.interval, install_signals=True, batch=args.batch)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    _setup()
    _ensure_var_dir()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    print("Database is up to date.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    _setup()
    _ensure_var_dir()
    from django.core.management import call_command

    from leadline.demo.loader import load_demo

    call_command("migrate", interactive=False, verbosity=0)
    report = load_demo(reset=args.reset, interactions=args.interactions, out=sys.stdout)
    print(report)
    return 0


def cmd_createuser(args: argparse.Namespace) -> int:
    _setup()
    from leadline.accounts.models import Company
    from leadline.accounts.services import create_user
    from leadline.kit.errors import DomainError

    password = args.password or os.environ.get("LEADLINE_NEW_USER_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            print(
                "leadline createuser: error: give --password or set LEADLINE_NEW_USER_PASSWORD",
                file=sys.stderr,
            )
            return 2
        password = getpass.getpass("Password: ")
    company = None
    if args.company:
        company = Company.objects.filter(slug=args.company).first()
        if company is None:
            slugs = ", ".join(Company.objects.values_list("slug", flat=True)) or "none yet"
            print(
                f"leadline createuser: error: no company {args.company!r} (companies: {slugs})",
                file=sys.stderr,
            )
            return 2
    try:
        user = create_user(
            email=args.email,
            password=password,
            company=company,
            role=args.role,
            first_name=args.first_name,
            last_name=args.last_name,
            superuser=args.superuser,
        )
    except DomainError as exc:
        print(f"leadline createuser: error: {exc}", file=sys.stderr)
        return 2
    print(f"Created {user.email}{f' ({args.role})' if args.role else ''}.")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    """Issue an API token for a user and print it once (only its hash is stored)."""
    _setup()
    from leadline.accounts.models import User
    from leadline.api.services import create_token
    from leadline.kit.errors import DomainError

    user = User.objects.filter(email=args.user.strip().lower()).first()
    if user is None:
        print(
            f"leadline token create: error: no user with the email {args.user!r}", file=sys.stderr
        )
        return 2
    try:
        issued = create_token(user=user, name=args.name)
    except DomainError as exc:
        print(f"leadline token create: error: {exc}", file=sys.stderr)
        return 2
    print(issued.secret)
    print(
        f"Token {issued.token.prefix} for {user.email} ({user.company}). "
        "Copy it now: it is not shown again.",
        file=sys.stderr,
    )
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    """Play a scenario in a throw-away SQLite database; never the user's own database."""
    import json
    import shutil
    import tempfile

    from leadline.simulation.scenario import ScenarioError, load_scenario

    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        print(f"leadline simulate: error: {exc}", file=sys.stderr)
        return 2
    workdir = tempfile.mkdtemp(prefix="leadline-simulate-")
    database = os.path.join(workdir, "simulate.sqlite3")
    # Settings read these when Django starts, so they must be set before _setup().
    os.environ["LEADLINE_DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["LEADLINE_VAR_DIR"] = workdir
    os.environ.setdefault("LEADLINE_LOG_LEVEL", "WARNING")
    try:
        _setup()
        from django.conf import settings
        from django.core.management import call_command

        if settings.DATABASES["default"]["NAME"] != database:
            print(
                "leadline simulate: error: Django was already set up with another database; "
                "run simulate in its own process",
                file=sys.stderr,
            )
            return 2
        call_command("migrate", interactive=False, verbosity=0)
        from leadline.simulation.runner import ExpectationFailed, format_transcript, run_scenario

        failure = None
        try:
            output = run_scenario(scenario)
        except ExpectationFailed as exc:
            output, failure = exc.output, str(exc)
        if args.json:
            print(json.dumps(output, indent=2, ensure_ascii=False))
        else:
            print(format_transcript(output))
        if failure:
            print(f"leadline simulate: expectation not met: {failure}", file=sys.stderr)
            return 1
        return 0
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(workdir, ignore_errors=True)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="leadline",
        description="Leadline: an outbound virtual agent for home-service businesses.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    serve = sub.add_parser("serve", help="serve the web console and API (ASGI)")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="with SQLite, do not run the task worker in this process",
    )
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run background work (sends, follow-ups, webhooks)")
    worker.add_argument(
        "--interval",
        type=float,
        default=0.2,
        help="seconds between polls when idle (default 0.2)",
    )
    worker.add_argument("--batch", action="store_true", help="exit once no work is due")
    worker.set_defaults(func=cmd_worker)

    migrate = sub.add_parser("migrate", help="create or update the database tables")
    migrate.add_argument("-v", "--verbose", action="store_true", help="list each migration")
    migrate.set_defaults(func=cmd_migrate)

    demo = sub.add_parser(
        "demo", help="load the demo company (Lone Star Comfort Pros), its users and history"
    )
    demo.add_argument(
        "--reset", action="store_true", help="delete the demo company first and load it anew"
    )
    demo.add_argument(
        "--interactions",
        type=_positive_int,
        metavar="N",
        help="bring the generated interactions (with their messages) up to N, for load tests",
    )
    demo.set_defaults(func=cmd_demo)

    createuser = sub.add_parser("createuser", help="create a user of a company with a role")
    createuser.add_argument("--email", required=True)
    createuser.add_argument(
        "--password", help="or set LEADLINE_NEW_USER_PASSWORD; asked if omitted"
    )
    createuser.add_argument(
        "--company", metavar="SLUG", help="the company's slug (e.g. lone-star-comfort)"
    )
    createuser.add_argument(
        "--role", choices=["Administrator", "CSR", "Manager", "Viewer"], help="role preset"
    )
    createuser.add_argument("--first-name", default="")
    createuser.add_argument("--last-name", default="")
    createuser.add_argument(
        "--superuser", action="store_true", help="an operator of the whole installation"
    )
    createuser.set_defaults(func=cmd_createuser)

    token = sub.add_parser("token", help="API tokens: create one for a user")
    token_sub = token.add_subparsers(dest="token_command", metavar="ACTION", parser_class=_Parser)
    token_sub.required = True
    token_create = token_sub.add_parser(
        "create", help="issue a token that acts as a user (printed once)"
    )
    token_create.add_argument("--user", required=True, metavar="EMAIL", help="the user's email")
    token_create.add_argument("--name", default="", help="what the token is for (e.g. the CRM)")
    token_create.set_defaults(func=cmd_token_create)

    simulate = sub.add_parser(
        "simulate", help="play a conversation scenario (JSON) against a throw-away database"
    )
    simulate.add_argument("scenario", metavar="SCENARIO.json", help="the scenario file")
    simulate.add_argument("--json", action="store_true", help="print the result as one JSON object")
    simulate.set_defaults(func=cmd_simulate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

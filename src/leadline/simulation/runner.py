"""Plays a scenario through the real pipeline on a virtual clock.

The runner is the worker and the carrier at once. It installs a VirtualClock that
starts at the lead's created_at and sends through the simulator provider. Work
is scheduled exactly as in production, as django-tasks rows with a `run_after`
read from kit.clock; the runner runs the rows that are due at the virtual time,
oldest first, in this process, until none is due. A `wait` step moves the clock
to each next `run_after` inside the wait in turn and runs what is due there, so
follow-ups and abandonment happen at their own virtual minute. (The worker's own
due-check compares with the wall clock, so the runner filters by virtual time
itself.)

`run_scenario` works inside any database that is migrated (the test suite calls
it in its test database); `leadline simulate` gives it a throw-away one.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django_tasks_db.models import DBTaskResult, get_date_max

from leadline.accounts.models import Company, User
from leadline.agent.summary import job_type_for
from leadline.campaigns.models import Campaign, Channel, Goal
from leadline.campaigns.selectors import enabled_campaign
from leadline.campaigns.services import start_campaign_for_lead
from leadline.capacity.job_types import label_of
from leadline.capacity.selectors import free_windows
from leadline.capacity.services import open_windows, set_standard_week
from leadline.channels import services as channels
from leadline.channels.base import use_provider
from leadline.channels.simulator import SimulatorProvider
from leadline.compliance.gate import lead_time_zone
from leadline.compliance.selectors import is_opted_out
from leadline.crm.models import Job, Lead
from leadline.crm.services import create_lead
from leadline.demo import reference
from leadline.interactions import services as interactions
from leadline.interactions.models import Author, Call, CallTurn, Interaction, Message
from leadline.kit.clock import VirtualClock, use_clock
from leadline.kit.errors import DomainError
from leadline.kit.phone import parse_phone
from leadline.simulation.scenario import Scenario, Step, parse_scenario

logger = logging.getLogger(__name__)

MAX_RUN_TO_END = timedelta(days=30)
MAX_TASKS = 20_000
_READY = "READY"
_SHOWN_OUTBOUND = {
    Message.Delivery.SENT,
    Message.Delivery.DELIVERED,
    Message.Delivery.UNDELIVERED,
    Message.Delivery.UNKNOWN,
}


class ExpectationFailed(AssertionError):
    """An `expect` step (or expect_final, or a step that could not be played) did not hold.

    `output` is the result so far, in the shape of a finished run.
    """

    def __init__(self, message: str, output: dict[str, Any]) -> None:
        super().__init__(message)
        self.output = output


class SimulationError(RuntimeError):
    """Something inside the pipeline broke while playing (a bug, not a scenario problem)."""


def run_scenario(data: dict[str, Any] | Scenario) -> dict[str, Any]:
    """Play a scenario in the current database and return the output of FORMAT.md.

    Raises ExpectationFailed when an expectation does not hold, ScenarioError when the
    scenario is not valid.
    """
    scenario = data if isinstance(data, Scenario) else parse_scenario(data)
    clock = VirtualClock(scenario.lead.created_at)
    with use_clock(clock), use_provider(SimulatorProvider()):
        return _Runner(scenario, clock).play()


class VirtualWorker:
    """Runs the django-tasks rows that are due at the virtual time, as the worker would.

    Rows are picked oldest first (by run_after, then by when they were enqueued);
    each is claimed, called in this process and marked done. A failing task is a bug
    here, so it stops the run with SimulationError. `before_time_passes` is called
    whenever the clock is about to move forward (the runner hangs up calls there).
    """

    def __init__(
        self, clock: VirtualClock, *, before_time_passes: Callable[[], None] | None = None
    ) -> None:
        self.clock = clock
        self.before_time_passes = before_time_passes
        # Work left over in a shared database by someone else is not ours to run.
        self.foreign = set(DBTaskResult.objects.filter(status=_READY).values_list("id", flat=True))
        self.tasks_run = 0

    def _ready(self) -> Any:
        return DBTaskResult.objects.filter(status=_READY).exclude(id__in=self.foreign)

    def next_due(self, until: datetime | None) -> DBTaskResult | None:
        """The next task to run: one enqueued without a time, else the earliest up to `until`."""
        ready = self._ready()
        immediate = ready.filter(run_after__gte=get_date_max()).order_by("enqueued_at").first()
        if immediate is not None:
            return immediate
        scheduled = ready.filter(~Q(run_after__gte=get_date_max()))
        if until is not None:
            scheduled = scheduled.filter(run_after__lte=until)
        result: DBTaskResult | None = scheduled.order_by("run_after", "enqueued_at").first()
        return result

    def run_due(self) -> None:
        """Run every task due at the current virtual time, oldest first, until none is."""
        while (row := self.next_due(self.clock.now())) is not None:
            self._run(row)

    def _run(self, row: DBTaskResult) -> None:
        self.tasks_run += 1
        if self.tasks_run > MAX_TASKS:
            raise SimulationError(f"more than {MAX_TASKS} tasks ran; something keeps rescheduling")
        row.claim("simulator")
        try:
            value = row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        except Exception as exc:
            row.set_failed(exc)
            raise SimulationError(f"task {row.task_path} failed: {exc!r}") from exc
        row.set_successful(value)

    def move_to(self, moment: datetime) -> None:
        if moment > self.clock.now():
            if self.before_time_passes is not None:
                self.before_time_passes()
            self.clock.set(moment)

    def advance(self, delta: timedelta) -> None:
        """Let `delta` of virtual time pass, running everything that falls due on the way."""
        target = self.clock.now() + delta
        self.run_due()
        while (row := self.next_due(target)) is not None:
            self.move_to(row.run_after)
            self.run_due()
        self.move_to(target)
        self.run_due()

    def run_to_end(self, limit: timedelta = timedelta(days=30)) -> None:
        """Advance until nothing is scheduled any more (at most `limit` ahead)."""
        until = self.clock.now() + limit
        self.run_due()
        while (row := self.next_due(until)) is not None:
            self.move_to(row.run_after)
            self.run_due()

    def pending(self) -> int:
        """How many tasks are still scheduled."""
        return int(self._ready().count())


class _Runner:
    def __init__(self, scenario: Scenario, clock: VirtualClock) -> None:
        self.scenario = scenario
        self.clock = clock
        self.worker = VirtualWorker(clock, before_time_passes=self.hang_up_calls)
        self.company = self._company()
        self.user = User.objects.create_user(
            f"csr@{self.company.slug}.simulator.invalid",
            None,
            company=self.company,
            first_name="Sam",
            last_name="Patel",
        )
        spec = scenario.lead
        self.lead = create_lead(
            company=self.company,
            phone=spec.phone,
            source=Lead.Source.WEB_FORM
            if scenario.goal == Goal.SPEED_TO_LEAD
            else Lead.Source.INBOUND_SMS,
            first_name=spec.first_name,
            last_name=spec.last_name,
            zip=spec.zip,
            note=spec.note,
            email=spec.email,
            address=spec.address,
            created_at=spec.created_at,
        )

    # ------------------------------------------------------------ the company

    def _company(self) -> Company:
        spec = self.scenario.company
        company = Company.objects.create(
            name=reference.NAME,
            slug=f"simulated-{uuid.uuid4().hex[:12]}",
            phone=reference.PHONE,
            time_zone=spec.timezone or reference.TIME_ZONE,
            service_area_zips=list(spec.service_area_zips or reference.SERVICE_AREA_ZIPS),
            trades=list(reference.TRADES),
            prices=dict(reference.PRICES),
            brands=list(reference.BRANDS),
            business_hours=reference.BUSINESS_HOURS,
        )
        skills = list(spec.skills) if spec.skills is not None else list(reference.SKILLS)
        for name, goal, channel in reference.CAMPAIGNS:
            Campaign.objects.create(
                company=company, name=name, goal=goal, channel=channel, skills=skills
            )
        if spec.capacity == "default":
            set_standard_week(company=company, trades=list(reference.TRADES), slots=2)
        return company

    # ------------------------------------------------------------ playing

    def play(self) -> dict[str, Any]:
        scenario = self.scenario
        if scenario.goal == Goal.SPEED_TO_LEAD:
            campaign = enabled_campaign(
                company=self.company, goal=Goal.SPEED_TO_LEAD, channel=scenario.channel
            )
            assert campaign is not None
            start_campaign_for_lead(lead=self.lead, campaign=campaign)
        self.worker.run_due()
        for step in scenario.steps:
            self.play_step(step)
        if scenario.run_to_end:
            self.worker.run_to_end(MAX_RUN_TO_END)
        self.hang_up_calls()
        output = self.output()
        if scenario.expect_final is not None and output["status"] != scenario.expect_final:
            raise ExpectationFailed(
                f"expect_final: the status is {output['status']!r}, "
                f"expected {scenario.expect_final!r}",
                output,
            )
        return output

    def play_step(self, step: Step) -> None:
        kind = step.kind
        if kind == "lead_says":
            self.lead_says(step.value)
        elif kind == "wait":
            self.worker.advance(step.value)
        elif kind == "delivery_fails":
            self.delivery_fails(step, step.value["error_code"])
        elif kind == "human_takes_over":
            interactions.take_over(lead=self.lead, actor=self.user)
        elif kind == "human_says":
            self.human_says(step)
        elif kind == "human_books":
            self.human_books(step)
        elif kind == "human_dismisses":
            self.human_dismisses(step)
        elif kind == "expect":
            status = self.current_status_label()
            if status != step.value:
                raise ExpectationFailed(
                    f"{step.path}: the status is {status!r}, expected {step.value!r}",
                    self.output(),
                )
        self.worker.run_due()

    def interaction(self) -> Interaction | None:
        return Interaction.objects.filter(lead=self.lead).order_by("-id").first()

    def _require_interaction(self, step: Step) -> Interaction:
        interaction = self.interaction()
        if interaction is None:
            raise ExpectationFailed(
                f"{step.path}: there is no conversation with the lead yet", self.output()
            )
        return interaction

    def current_status_label(self) -> str:
        interaction = self.interaction()
        return interaction.status_label if interaction else "(no interaction)"

    def lead_says(self, text: str) -> None:
        if self.scenario.channel == Channel.VOICE:
            call = None
            interaction = self.interaction()
            if interaction is not None:
                call = channels.live_call(interaction)
            if call is None:
                call = channels.start_inbound_call(company=self.company, from_phone=self.lead.phone)
            channels.receive_call_turn(call=call, text=text)
        else:
            channels.receive_sms(company=self.company, from_phone=self.lead.phone, body=text)

    def delivery_fails(self, step: Step, error_code: str) -> None:
        interaction = self._require_interaction(step)
        if interaction.channel == Channel.VOICE:
            call = Call.objects.filter(interaction=interaction).order_by("-id").first()
            if call is not None:
                channels.end_call(call=call, outcome=Call.Outcome.FAILED, error_code=error_code)
                return
        message = (
            Message.objects.filter(
                interaction__lead=self.lead,
                direction=Message.Direction.OUTBOUND,
                provider_id__isnull=False,
            )
            .order_by("-sent_at", "-id")
            .first()
        )
        if message is None:
            raise ExpectationFailed(
                f"{step.path}: the agent has not sent anything that could fail", self.output()
            )
        channels.report_delivery(
            company=self.company,
            provider_id=message.provider_id or "",
            status=Message.Delivery.UNDELIVERED,
            error_code=error_code,
        )

    def human_says(self, step: Step) -> None:
        interaction = self._require_interaction(step)
        try:
            interactions.send_human_message(
                interaction=interaction, actor=self.user, body=step.value
            )
        except DomainError as exc:
            # A person may try to text a number that opted out; the product refuses it.
            logger.warning("%s: the team member's message was refused: %s", step.path, exc)

    def human_books(self, step: Step) -> None:
        interaction = self._require_interaction(step)
        job_type = step.value.get("job_type") or job_type_for(interaction)
        if job_type is None:
            raise ExpectationFailed(
                f'{step.path}: no job type is known to book; add "job_type"', self.output()
            )
        open_windows(company=self.company, days=16)
        window = free_windows(
            company=self.company, job_type=job_type, after=self.clock.now(), days=14
        ).first()
        if window is None:
            raise ExpectationFailed(
                f"{step.path}: no free arrival window for {label_of(job_type)}", self.output()
            )
        try:
            interactions.book_as_human(
                interaction=interaction, actor=self.user, window=window, job_type=job_type
            )
        except DomainError as exc:
            raise ExpectationFailed(f"{step.path}: {exc}", self.output()) from exc

    def human_dismisses(self, step: Step) -> None:
        interaction = self._require_interaction(step)
        try:
            interactions.dismiss(
                interaction=interaction, actor=self.user, reason=step.value["reason"]
            )
        except DomainError as exc:
            raise ExpectationFailed(f"{step.path}: {exc}", self.output()) from exc

    def hang_up_calls(self) -> None:
        live = Call.objects.filter(
            interaction__lead=self.lead, outcome=Call.Outcome.IN_PROGRESS
        ).order_by("id")
        for call in live:
            channels.end_call(call=call)

    # ------------------------------------------------------------ the result

    def lead_zone(self) -> str:
        lead = Lead.objects.get(pk=self.lead.pk)
        return lead_time_zone(
            lead_zip=lead.zip,
            lead_phone_e164=parse_phone(lead.phone).e164,
            company_time_zone=self.company.time_zone,
        )

    def output(self) -> dict[str, Any]:
        zone_name = self.lead_zone()
        zone = ZoneInfo(zone_name)
        interaction = self.interaction()
        booking = None
        if interaction is not None:
            job = (
                Job.objects.filter(interaction=interaction, status=Job.Status.SCHEDULED)
                .order_by("-id")
                .first()
            )
            if job is not None:
                booking = {
                    "job_type": job.job_type,
                    "start": _local(job.arrival_start, zone),
                    "end": _local(job.arrival_end, zone),
                    "booked_by": job.booked_by,
                }
        return {
            "name": self.scenario.name,
            "status": interaction.status_label if interaction else "",
            "status_code": interaction.status if interaction else "",
            "escalated": bool(interaction and interaction.escalated),
            "opted_out": is_opted_out(company=self.company, phone=self.lead.phone),
            "lead_timezone": zone_name,
            "booking": booking,
            "summary": interaction.summary if interaction else "",
            "messages": self.messages(zone),
        }

    def messages(self, zone: ZoneInfo) -> list[dict[str, Any]]:
        rows: list[tuple[datetime, datetime, int, int, dict[str, Any]]] = []
        texts = Message.objects.filter(interaction__lead=self.lead).order_by("created_at", "id")
        for m in texts:
            if (
                m.direction == Message.Direction.OUTBOUND
                and m.delivery_status not in _SHOWN_OUTBOUND
            ):
                continue
            at = m.sent_at or m.created_at
            rows.append(
                (
                    at,
                    m.created_at,
                    0,
                    m.pk,
                    {
                        "at": _local(at, zone),
                        "direction": m.direction,
                        "author": m.author,
                        "channel": "sms",
                        "body": m.body,
                    },
                )
            )
        turns = CallTurn.objects.filter(call__interaction__lead=self.lead).order_by("at", "id")
        for t in turns:
            rows.append(
                (
                    t.at,
                    t.at,
                    1,
                    t.pk,
                    {
                        "at": _local(t.at, zone),
                        "direction": "inbound" if t.speaker == Author.LEAD else "outbound",
                        "author": t.speaker,
                        "channel": "voice",
                        "body": t.text,
                    },
                )
            )
        rows.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
        return [r[4] for r in rows]


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="seconds")


def format_transcript(output: dict[str, Any]) -> str:
    """The run as people read it: one line per message, then the outcome."""
    lines = [f"Scenario: {output['name']}  (lead time zone {output['lead_timezone']})", ""]
    for m in output["messages"]:
        at = datetime.fromisoformat(m["at"])
        arrow = "<" if m["direction"] == "inbound" else ">"
        lines.append(f"{at:%a %b %d %H:%M}  {m['author']:<6} {m['channel']:<5} {arrow} {m['body']}")
    if not output["messages"]:
        lines.append("(no messages)")
    lines.append("")
    lines.append(f"Status:  {output['status']}")
    booking = output.get("booking")
    if booking:
        start = datetime.fromisoformat(booking["start"])
        end = datetime.fromisoformat(booking["end"])
        lines.append(
            f"Booking: {label_of(booking['job_type'])}, {start:%a %b %d %H:%M}-{end:%H:%M} "
            f"(booked by {booking['booked_by']})"
        )
    if output["opted_out"]:
        lines.append("The number is opted out.")
    lines.append(f"Summary: {output['summary']}")
    return "\n".join(lines)

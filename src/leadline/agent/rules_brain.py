"""The built-in deterministic brain: rules over `understanding`, phrasing from `writing`.

It needs no network and no model. Its memory between turns is Decision.state (plain JSON):

    stage          "start" | "need" | "offered" | "booked" | "dismissed" | "escalated"
    job_type       the job type being booked (from the lead's words, else the lead's note)
    zip            a ZIP the lead stated (the lead record's ZIP is used when empty)
    shown          the windows last offered, numbered as shown: [{"window_id", "start", "end"}]
    offered        those of them still believed free (the policy drops one it failed to book)
    offered_job_type  the job type those windows were found for
    passed_over    windows the lead said no to ("none of those"), not offered again
    booked         the window asked to be booked, same shape; when the policy could not book
                   it (it is gone from "offered"), the next turn goes back to choosing
    misunderstood  messages in a row the brain could not read
    person_offered the last reply asked "would you like someone from our office?"

The order of the rules matters and is documented in docs/agent.md: opt-out first, then anger at
the business, a request for a person, declines, the service area, skills, and only then answers
and scheduling.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from leadline.agent import writing
from leadline.agent.types import (
    Action,
    Conversation,
    Decision,
    EscalationReason,
    WindowOption,
)
from leadline.agent.understanding import (
    Understanding,
    When,
    closed_weekdays,
    detect_need,
    understand,
)
from leadline.capacity.job_types import JOB_TYPES
from leadline.kit.phone import format_phone
from leadline.kit.places import lookup_zip

START = "start"
NEED = "need"
OFFERED = "offered"
BOOKED = "booked"
DISMISSED = "dismissed"
ESCALATED = "escalated"

OFFER_SIZE = 3
SEARCH_SIZE = 20
REACH_SIZE = 80  # windows looked through for a day that is further out

# A symptom said in a message ("it's leaking everywhere") that describes the job already known
# (a water heater) keeps that job: job type known -> symptom job types that are part of it.
_SYMPTOMS_OF: dict[str, frozenset[str]] = {
    "water_heater_repair": frozenset({"leak_repair", "drain_cleaning", "electrical_repair"}),
    "water_heater_replacement_estimate": frozenset(
        {"leak_repair", "drain_cleaning", "electrical_repair"}
    ),
    "toilet_repair": frozenset({"leak_repair", "drain_cleaning"}),
    "drain_cleaning": frozenset({"leak_repair"}),
    "ac_repair": frozenset({"leak_repair", "drain_cleaning", "electrical_repair"}),
    "heating_repair": frozenset({"leak_repair", "electrical_repair", "ac_repair"}),
    "hvac_replacement_estimate": frozenset({"ac_repair", "leak_repair", "electrical_repair"}),
    "panel_upgrade_estimate": frozenset({"electrical_repair"}),
    "ev_charger_estimate": frozenset({"electrical_repair"}),
    "garage_door_opener": frozenset({"electrical_repair"}),
}


@dataclass(frozen=True)
class EscalationRules:
    """A campaign's escalation rules with the defaults filled in."""

    human_request: bool = True
    negative_sentiment: bool = True
    threshold: float = -0.5
    skill_handling: bool = True
    availability: bool = True
    horizon_days: int = 14
    agent_issue: bool = True
    misunderstood_in_a_row: int = 3

    @classmethod
    def read(cls, raw: Mapping[str, Any] | None) -> EscalationRules:
        raw = raw or {}

        def rule(name: str) -> Mapping[str, Any]:
            value = raw.get(name)
            return value if isinstance(value, Mapping) else {}

        def enabled(name: str) -> bool:
            return bool(rule(name).get("enabled", True))

        return cls(
            human_request=enabled("human_request"),
            negative_sentiment=enabled("negative_sentiment"),
            threshold=float(rule("negative_sentiment").get("threshold", -0.5)),
            skill_handling=enabled("skill_handling"),
            availability=enabled("availability"),
            horizon_days=int(rule("availability").get("horizon_days", 14)),
            agent_issue=enabled("agent_issue"),
            misunderstood_in_a_row=max(
                1, int(rule("agent_issue").get("misunderstood_in_a_row", 3))
            ),
        )


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _window_state(window: WindowOption) -> dict[str, Any]:
    return {
        "window_id": window.window_id,
        "start": _iso(window.starts_at),
        "end": _iso(window.ends_at),
    }


def _window_from_state(raw: Mapping[str, Any]) -> WindowOption:
    return WindowOption(
        window_id=int(raw["window_id"]),
        starts_at=datetime.fromisoformat(str(raw["start"])),
        ends_at=datetime.fromisoformat(str(raw["end"])),
    )


class RulesBrain:
    """The default brain: deterministic rules, no network, no model download."""

    def opening(self, conversation: Conversation) -> Decision:
        agent_turns = sum(1 for turn in conversation.turns if turn.author == "agent")
        if agent_turns:
            return self.follow_up(conversation, agent_turns + 1)
        state = _initial_state(conversation)
        need = writing.describe_note(conversation.lead_note, state["job_type"])
        reply = writing.opening(
            company=conversation.company.name,
            first_name=conversation.lead_first_name,
            need=need,
            channel=conversation.channel,
        )
        return Decision(reply=reply, job_type=state["job_type"], intents=("opening",), state=state)

    def follow_up(self, conversation: Conversation, touch: int) -> Decision:
        state = _initial_state(conversation)
        need = writing.describe_note(conversation.lead_note, state["job_type"], quote=False)
        if need == "your question":
            need = "your request"
        reply = writing.follow_up(
            company=conversation.company.name,
            first_name=conversation.lead_first_name,
            need=need,
            channel=conversation.channel,
            touch=touch,
        )
        return Decision(
            reply=reply, job_type=state["job_type"], intents=(f"follow_up:{touch}",), state=state
        )

    def respond(self, conversation: Conversation) -> Decision:
        state = _initial_state(conversation)
        if not conversation.turns or conversation.turns[-1].author != "lead":
            return Decision(reply=None, job_type=state["job_type"], state=state)
        return _Reply(conversation, state).decide()

    def booking_failed(self, conversation: Conversation, window_id: int) -> Decision:
        """The window chosen was taken before it could be booked: say so and offer others.

        The conversation's state still names the window as booked; the policy has already
        dropped it from the windows on offer. The next free windows (without that one) are
        offered; with none left, the lead goes to a person for availability.
        """
        state = _initial_state(conversation)
        state.update(stage=START, booked=None)
        reply = _Reply(conversation, state)
        reply.intents.append("window_taken")
        return reply.offer(When(), exclude={window_id}, lead_in=writing.booking_taken())


def _relaxed(when: When) -> list[When]:
    """`when`, then without its days (same time of day), then only its days."""
    attempts = [when]
    time_of_day = replace(when, dates=())
    if when.dates and not time_of_day.is_empty:
        attempts.extend([time_of_day, When(dates=when.dates)])
    return attempts


def _minutes(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def _windows_in(raw: Any) -> list[WindowOption]:
    """The windows remembered in the state; anything malformed is skipped."""
    found = []
    for item in raw if isinstance(raw, list) else []:
        try:
            found.append(_window_from_state(item))
        except (KeyError, TypeError, ValueError):
            continue
    return found


def _initial_state(conversation: Conversation) -> dict[str, Any]:
    state: dict[str, Any] = {
        "stage": START,
        "job_type": None,
        "zip": "",
        "shown": [],
        "offered": [],
        "booked": None,
        "misunderstood": 0,
        "person_offered": False,
        "passed_over": [],
    }
    state.update(dict(conversation.state or {}))
    if not state.get("job_type"):
        state["job_type"] = detect_need(conversation.lead_note).job_type
    booked = state.get("booked")
    lost = isinstance(booked, Mapping) and booked.get("window_id") not in _ids(state["offered"])
    if state["stage"] == BOOKED and lost:
        # The policy could not book it and said so; the lead chooses again.
        state["stage"] = OFFERED if state.get("offered") else START
        state["booked"] = None
    return state


def _ids(windows: Any) -> list[Any]:
    if not isinstance(windows, list):
        return []
    return [w.get("window_id") for w in windows if isinstance(w, Mapping)]


class _Reply:
    """One answer to the lead's latest turn."""

    def __init__(self, conversation: Conversation, state: dict[str, Any]) -> None:
        self.conv = conversation
        self.company = conversation.company
        self.state = state
        self.rules = EscalationRules.read(self.company.escalation_rules)
        self.tz = ZoneInfo(self.company.time_zone or "UTC")
        self.channel = conversation.channel
        self.phone = format_phone(self.company.phone) if self.company.phone else ""
        self.parts: list[str] = []
        self.und = Understanding(text="")
        self.intents: list[str] = []
        self.no_answered_person = False
        self.previous_job: str | None = None
        self.message_job: str | None = None  # the job this message is about, if it names one

    # --- The rules, in order ----------------------------------------------------------------

    def decide(self) -> Decision:
        text = self.conv.turns[-1].body
        self.und = und = understand(text, today=self._today(), brands=self.company.brands)
        self.intents = list(und.intents())
        angry = und.angry(self.rules.threshold)
        if angry:
            self.intents.append("angry")
        person_offered = bool(self.state.get("person_offered"))
        self.state["person_offered"] = False

        if und.opt_out or und.wrong_number:
            self.state["stage"] = DISMISSED
            reason = "wrong_number" if und.wrong_number and not und.opt_out else und.opt_out_kind
            return self._decision(None, Action.OPT_OUT, reason=reason)
        if self.state["stage"] == ESCALATED:
            # A person owns the conversation now; the agent stays quiet.
            return self._decision(None)
        if angry:
            if self.rules.negative_sentiment:
                return self._escalate(
                    EscalationReason.NEGATIVE_SENTIMENT,
                    writing.escalate_anger(self.conv.lead_first_name),
                )
            self.parts.append(writing.sorry_upset())
        wants_person = und.human_request or (
            person_offered and und.yes and not und.choice and not und.no
        )
        if wants_person:
            if self.rules.human_request:
                return self._escalate(EscalationReason.HUMAN_REQUEST, writing.escalate_human())
            self.parts.append(writing.cannot_hand_over(self.phone))
        if self.state["stage"] == BOOKED:
            return self._after_booking()
        if self.state["stage"] == DISMISSED:
            self.state["stage"] = START
        if person_offered and und.no:
            self.no_answered_person = True
            self.parts.append(writing.no_person_needed())
        elif self._declines():
            self.state["stage"] = DISMISSED
            return self._decision(
                writing.declined(self.company.name), Action.DISMISS, reason="declined"
            )

        if und.zip_code:
            self.state["zip"] = und.zip_code
        outside_area = self._outside_area()
        if outside_area is not None:
            return outside_area
        self.previous_job = self.state.get("offered_job_type") or self.state.get("job_type")
        self.message_job = self._job_in_message()
        if self.message_job:
            self.state["job_type"] = self.message_job
        if und.outside and (not self.message_job or und.skill_question):
            return self._outside_skills(und.outside)
        if self.message_job and not self._in_skills(self.message_job):
            return self._outside_skills(writing.job_label(self.message_job))

        if self._frustrated() and not angry:
            # "ugh this stupid AC died AGAIN": a word of sympathy, once.
            self.parts.insert(0, writing.sympathy())
            self.state["sympathized"] = True
        self._answer_questions()
        if und.not_now:
            self.parts.append(writing.not_now())
            return self._decision(self._text())
        if self.state["stage"] == OFFERED and self.state.get("offered"):
            return self._choose()
        return self._start()

    def _frustrated(self) -> bool:
        """Upset about the problem (not at us), the first time it shows."""
        und = self.und
        if self.state.get("sympathized") or und.sentiment > -0.3:
            return False
        return bool(self.message_job or und.urgent or und.wants_service)

    def _job_in_message(self) -> str | None:
        """The job the message names; a symptom of the job already known keeps that job."""
        und = self.und
        known = self.state.get("job_type")
        part_of_known = isinstance(known, str) and und.job_type in _SYMPTOMS_OF.get(known, ())
        if und.job_type and und.job_from_symptom and part_of_known:
            return str(known)  # "it's leaking everywhere" about the water heater
        return und.job_type

    def _declines(self) -> bool:
        und = self.und
        if und.decline:
            return True
        bare_no = und.no and not (und.choice or und.job_type or und.asks_something)
        return bare_no and self.state["stage"] in (START, NEED)

    # --- Before anything is offered ----------------------------------------------------------

    def _start(self) -> Decision:
        und = self.und
        job = self.state.get("job_type")
        wants = und.yes or und.wants_service or und.choice or und.urgent or und.job_type is not None
        if wants and self._only_answers_wanted():
            wants = False
        if wants:
            if not job:
                self.state["stage"] = NEED
                self.parts.append(writing.ask_need(self.company.skills, self.channel))
                return self._decision(self._text())
            if not self._in_skills(job):
                return self._outside_skills(writing.job_label(job))
            if und.skill_question:
                self.parts.insert(0, writing.skill_answer(writing.need_phrase(job)))
            if und.soonest_please and not und.is_question and und.when.is_empty:
                return self._book_soonest()
            return self.offer(und.when)
        if self.parts:
            if job and self.state["stage"] == START and not self.state["person_offered"]:
                self.parts.append(writing.prompt_for_service(writing.need_phrase(job)))
            return self._decision(self._text())
        if und.understood:
            if und.zip_code or und.address:
                self.parts.append(writing.noted())
            if job:
                self.parts.append(writing.greet_back(self._greet_name(), writing.need_phrase(job)))
            else:
                self.parts.append(writing.ask_need(self.company.skills, self.channel))
                self.state["stage"] = NEED
            return self._decision(self._text())
        return self._misunderstood()

    def _only_answers_wanted(self) -> bool:
        # "do you service Trane units?" asks, it does not ask for a visit yet.
        und = self.und
        asked = und.brand_question or und.hours_question or und.area_question
        asked = asked or und.price_question or und.bot_question or und.general_question
        asked = asked or und.office_question
        return asked and not (und.yes or und.wants_service or und.choice or und.skill_question)

    def _greet_name(self) -> str:
        return self.conv.lead_first_name if self.und.greeting else ""

    # --- Windows offered --------------------------------------------------------------------

    def _choose(self) -> Decision:
        und = self.und
        offered = _windows_in(self.state["offered"])
        shown = _windows_in(self.state.get("shown")) or offered
        if not offered:
            return self._start()
        free = {w.window_id for w in offered}
        job_changed = self.message_job is not None and self.message_job != self.previous_job
        if job_changed:
            self.state["passed_over"] = []
            return self.offer(und.when)
        picked = self._pick(shown)
        if picked is not None and picked.window_id in free:
            if und.ordinal is None and und.info_question:
                # "What's the earliest?" asks; it does not take the window yet.
                return self._propose([picked])
            return self._book(picked)
        if picked is not None:
            taken = {w.window_id for w in shown if w.window_id not in free}
            return self.offer(und.when, exclude=taken, lead_in=writing.booking_taken())
        if und.ordinal is not None:
            self.parts.append(writing.pick_prompt(len(shown), self.channel))
            return self._decision(self._text())
        if not und.when.is_empty:
            return self.offer(und.when)
        if und.more_times or (und.no and not self.no_answered_person):
            passed = {w.window_id for w in shown} | set(self.state.get("passed_over") or [])
            return self.offer(When(), exclude=passed, more=True)
        if und.confirms and not und.asks_something:
            # "yes", "sure", "book it" take #1 as the offer asks; "ok thanks" does not.
            return self._book(offered[0])
        if und.wants_service or und.repeat:
            return self._propose([w for w in shown if w.window_id in free] or offered)
        if self.parts or und.understood:
            if (und.zip_code or und.address) and not self.parts:
                self.parts.append(writing.noted())
            self.parts.append(writing.pick_prompt(len(shown), self.channel))
            return self._decision(self._text())
        return self._misunderstood()

    def _pick(self, offered: list[WindowOption]) -> WindowOption | None:
        und = self.und
        if not offered:
            return None
        if und.ordinal is not None:
            if und.ordinal == -1:
                return offered[-1]
            if 1 <= und.ordinal <= len(offered):
                return offered[und.ordinal - 1]
            # "the 8 one": a number past the list may be an hour.
            hour = und.ordinal + 12 if und.ordinal <= 6 else und.ordinal
            by_hour = When(at=hour * 60)
            return next((w for w in offered if by_hour.matches(*self._local(w))), None)
        pool = [w for w in offered if und.when.matches(*self._local(w))]
        if not pool:
            return None
        if und.when.at is not None:
            # "the 10 one": the window starting at 10 rather than one running through 10.
            starting = [w for w in pool if _minutes(self._local(w)[0]) == und.when.at]
            pool = starting or pool
        if und.latest:
            return pool[-1]
        if und.earliest or not und.when.is_empty:
            return pool[0]
        return None

    def _propose(self, windows: list[WindowOption], *, soonest: bool = True) -> Decision:
        """Offer exactly these windows (numbered as given)."""
        self.state["stage"] = OFFERED
        self.state["offered"] = [_window_state(w) for w in windows]
        self.state["shown"] = list(self.state["offered"])
        self.state["offered_job_type"] = self.state.get("offered_job_type") or self.state.get(
            "job_type"
        )
        text = writing.offer([self._local(w) for w in windows], self.channel, soonest=soonest)
        self.parts.append(text)
        return self._decision(self._text())

    def offer(
        self,
        when: When,
        *,
        exclude: set[int] | None = None,
        lead_in: str = "",
        more: bool = False,
    ) -> Decision:
        """Offer up to three free windows that fit `when`, or escalate when there are none."""
        job = self.state.get("job_type")
        if not job:
            self.state["stage"] = NEED
            self.parts.append(writing.ask_need(self.company.skills, self.channel))
            return self._decision(self._text())
        excluded = exclude or set()
        limit = OFFER_SIZE if when.is_empty and not excluded else SEARCH_SIZE
        found = self._windows(job, limit)
        # The day asked for may be further out than the first windows: look further.
        reach = when.dates and found and len(found) >= limit
        if reach and self._local(found[-1])[0].date() <= min(when.dates):
            found = self._windows(job, REACH_SIZE)
        windows = [w for w in found if w.window_id not in excluded]
        if not windows:
            if more:
                return self._no_capacity(writing.escalate_no_other_times(self.rules.horizon_days))
            return self._no_capacity(writing.escalate_availability(self.rules.horizon_days))
        note = ""
        asked_for = False
        if when.dates and not any(self._local(w)[0].date() in when.dates for w in windows):
            other = self._other_day(when, windows)
            if other is not None:
                return other
        if not when.is_empty:
            # The closest fit: everything asked, else the time of day on another day, else the day.
            for attempt in _relaxed(when):
                matching = [w for w in windows if attempt.matches(*self._local(w))]
                if matching:
                    break
            if attempt != when or not matching:
                note = writing.no_match()
            asked_for = bool(matching) and not note
            windows = matching or windows
            if asked_for and len(windows) == 1 and self._pins_one_window(when):
                return self._book(windows[0], job)
        if more:
            self.state["passed_over"] = sorted(excluded)
        chosen = windows[:OFFER_SIZE]
        self.state["stage"] = OFFERED
        self.state["offered"] = [_window_state(w) for w in chosen]
        self.state["shown"] = list(self.state["offered"])
        self.state["offered_job_type"] = job
        text = writing.offer([self._local(w) for w in chosen], self.channel, soonest=not asked_for)
        self.parts.extend(p for p in (lead_in, note, text) if p)
        return self._decision(self._text())

    def _other_day(self, when: When, windows: list[WindowOption]) -> Decision | None:
        """Nothing on the day asked for: say why plainly and offer the next day with openings.

        "tomorrow morning" on a Saturday: "We're closed on Sundays, but here's what I have
        Monday:" and Monday's morning windows (all of Monday's when none is in the morning).
        """
        asked = min(when.dates)
        later = [w for w in windows if self._local(w)[0].date() > asked]
        if not later:
            return None
        day = self._local(later[0])[0].date()
        on_day = [w for w in later if self._local(w)[0].date() == day]
        time_of_day = replace(when, dates=())
        fitting = [w for w in on_day if time_of_day.matches(*self._local(w))]
        chosen = (fitting if not time_of_day.is_empty and fitting else on_day)[:OFFER_SIZE]
        closed = closed_weekdays(self.company.business_hours)
        weekdays = sorted({d.weekday() for d in when.dates})
        if all(weekday in closed for weekday in weekdays):
            reason = writing.closed_on(weekdays)
        else:
            asked_words = self._day_words(asked, on=True) if len(when.dates) <= 2 else "then"
            reason = writing.nothing_open(asked_words)
        self.intents.append(f"other_day:{day.isoformat()}")
        self.state["stage"] = OFFERED
        self.state["offered"] = [_window_state(w) for w in chosen]
        self.state["shown"] = list(self.state["offered"])
        self.state["offered_job_type"] = self.state.get("job_type")
        self.parts.append(
            writing.offer(
                [self._local(w) for w in chosen],
                self.channel,
                reason=reason,
                day=self._day_words(day, on=False),
            )
        )
        return self._decision(self._text())

    def _day_words(self, day: date, *, on: bool) -> str:
        """ "today", "tomorrow", "(on) Monday" within a week, else "(on) Mon Apr 20"."""
        today = self._today()
        if day == today:
            return "today"
        if day == today + timedelta(days=1):
            return "tomorrow"
        prefix = "on " if on else ""
        if (day - today).days < 7:
            return f"{prefix}{day:%A}"
        return f"{prefix}{day:%a} {day:%b} {day.day}"

    def _pins_one_window(self, when: When) -> bool:
        """A day and a time, said as a choice ("tomorrow at 10 works"), not asked about."""
        und = self.und
        timed = when.at is not None or when.range_start is not None
        return bool(when.dates) and timed and not und.is_question and not und.more_times

    def _windows(self, job: str, limit: int) -> list[WindowOption]:
        horizon = self.conv.now + timedelta(days=self.rules.horizon_days)
        found = self.conv.find_windows(job, limit)
        return sorted(
            (w for w in found if w.starts_at <= horizon),
            key=lambda w: w.starts_at,
        )

    def _book_soonest(self) -> Decision:
        job = self.state["job_type"]
        windows = self._windows(job, OFFER_SIZE)
        if not windows:
            return self._no_capacity(writing.escalate_availability(self.rules.horizon_days))
        return self._book(windows[0], job)

    def _book(self, window: WindowOption, job: str | None = None) -> Decision:
        job = job or self.state.get("offered_job_type") or self.state["job_type"]
        booked = _window_state(window)
        if window.window_id not in _ids(self.state.get("offered")):
            self.state.update(offered=[booked], shown=[booked])
        self.state.update(stage=BOOKED, booked=booked, job_type=job)
        zip_known = bool(self.state.get("zip") or self.conv.lead_zip)
        self.parts.append(
            writing.booked(
                label=self._label(window),
                company=self.company.name,
                channel=self.channel,
                ask_address=not zip_known,
            )
        )
        return self._decision(self._text(), Action.BOOK, window_id=window.window_id)

    def _no_capacity(self, text: str) -> Decision:
        if self.rules.availability:
            return self._escalate(EscalationReason.AVAILABILITY, text)
        self.parts.append(writing.no_availability(self.phone))
        return self._decision(self._text())

    # --- After booking ----------------------------------------------------------------------

    def _after_booking(self) -> Decision:
        und = self.und
        if und.reschedule:
            if self.rules.human_request:
                return self._escalate(EscalationReason.HUMAN_REQUEST, writing.escalate_reschedule())
            self.parts.append(writing.cannot_hand_over(self.phone))
            return self._decision(self._text())
        if und.zip_code:
            self.state["zip"] = und.zip_code
        self._answer_questions()
        booked = self.state.get("booked")
        windows = _windows_in([booked])
        label = self._label(windows[0]) if windows else "soon"
        if not self.parts and und.arrival_question:
            self.parts.append(writing.arrival_answer(label, self.channel))
        elif not self.parts and und.is_question and not (und.thanks or und.yes or und.ack):
            self.parts.append(writing.office_answer(self.phone))
            self.parts.append(writing.still_booked(label))
        if not self.parts:
            self.parts.append(
                writing.after_booking(
                    label=label,
                    thanks=und.thanks or und.yes or und.ack or und.greeting,
                    noted=bool(und.zip_code or und.address),
                    phone=self.phone,
                )
            )
        return self._decision(self._text())

    # --- Answers ----------------------------------------------------------------------------

    def _answer_questions(self) -> None:
        und = self.und
        company = self.company
        why = ""
        if und.why_contacted:
            need = writing.describe_note(self.conv.lead_note, self.state.get("job_type"))
            who = "us" if und.bot_question else company.name
            why = writing.why_contacted(who, need, texted_first=self._texted_first())
        if und.bot_question:
            self.parts.append(
                writing.bot_answer(company.name, offer_person=self.rules.human_request, why=why)
            )
            self.state["person_offered"] = self.rules.human_request
        elif why:
            self.parts.append(why)
        if und.price_question:
            self.parts.append(writing.price_answer(company.prices, self.state.get("job_type")))
        if und.brand_question:
            self.parts.append(
                writing.brand_answer(company.brands, und.brands_named, und.other_brands)
            )
        if und.hours_question:
            self.parts.append(writing.hours_answer(company.business_hours))
        if und.area_question:
            zip_code = self.state.get("zip") or self.conv.lead_zip
            self.parts.append(writing.area_answer(company.service_area_zips, zip_code or None))
        if und.general_question:
            self.parts.append(writing.general_question())
        if und.office_question:
            self.parts.append(writing.office_answer(self.phone))

    # --- Endings ----------------------------------------------------------------------------

    def _outside_area(self) -> Decision | None:
        zips = self.company.service_area_zips
        zip_code = (self.state.get("zip") or self.conv.lead_zip or "").strip()[:5]
        if not zips or not zip_code or zip_code in zips:
            return None
        place = lookup_zip(zip_code)
        self.state["stage"] = DISMISSED
        self.parts = [writing.outside_area(zip_code, place.city if place else "")]
        return self._decision(self._text(), Action.DISMISS, reason="outside_service_area")

    def _in_skills(self, job_type: str) -> bool:
        skills = self.company.skills
        return job_type in JOB_TYPES and (not skills or job_type in skills)

    def _outside_skills(self, what: str) -> Decision:
        self.intents.append("outside_skills")
        if self.rules.skill_handling:
            return self._escalate(
                EscalationReason.SKILL_HANDLING, writing.escalate_skill(what, self.company.name)
            )
        self.state["stage"] = DISMISSED
        self.parts = [writing.decline_skill(what, self.company.name, self.company.skills)]
        return self._decision(self._text(), Action.DISMISS, reason="outside_skills")

    def _misunderstood(self) -> Decision:
        misses = int(self.state.get("misunderstood", 0)) + 1
        self.state["misunderstood"] = misses
        self.intents.append("misunderstood")
        if self.rules.agent_issue and misses >= self.rules.misunderstood_in_a_row:
            return self._escalate(EscalationReason.AGENT_ISSUE, writing.escalate_agent_issue())
        offered = len(self.state.get("shown") or self.state.get("offered") or [])
        stage = self.state["stage"] if offered or self.state["stage"] != OFFERED else START
        text = writing.clarify(stage, offered, self.channel, question=self.und.is_question)
        return Decision(
            reply=self._wrap(text),
            job_type=self.state.get("job_type"),
            intents=tuple(self.intents),
            state=dict(self.state),
        )

    def _escalate(self, reason: EscalationReason, text: str) -> Decision:
        self.state["stage"] = ESCALATED
        self.parts = [text]
        return self._decision(self._text(), Action.ESCALATE, reason=reason.value)

    # --- Plumbing ---------------------------------------------------------------------------

    def _decision(
        self,
        reply: str | None,
        action: Action = Action.NONE,
        *,
        reason: str = "",
        window_id: int | None = None,
    ) -> Decision:
        self.state["misunderstood"] = 0
        return Decision(
            reply=self._wrap(reply) if reply is not None else None,
            action=action,
            reason=reason,
            window_id=window_id,
            job_type=self.state.get("job_type"),
            intents=tuple(self.intents),
            state=dict(self.state),
        )

    def _text(self) -> str:
        return " ".join(p.strip() for p in self.parts if p.strip())

    def _wrap(self, reply: str) -> str:
        """The reply that opens a conversation names the business and says how to opt out."""
        if any(turn.author in ("agent", "human") for turn in self.conv.turns):
            return reply
        hello = writing.intro(company=self.company.name, first_name=self.conv.lead_first_name)
        if self.channel == writing.VOICE:
            return f"{hello} {writing.VOICE_NOTICE} {reply}"
        return f"{hello} {reply} {writing.STOP_LINE}"

    def _texted_first(self) -> bool:
        """The lead wrote before the agent did (inbound SMS)."""
        first = next((t for t in self.conv.turns if t.author in ("lead", "agent")), None)
        return first is not None and first.author == "lead"

    def _today(self) -> date:
        return self.conv.now.astimezone(self.tz).date()

    def _local(self, window: WindowOption) -> tuple[datetime, datetime]:
        return window.starts_at.astimezone(self.tz), window.ends_at.astimezone(self.tz)

    def _label(self, window: WindowOption) -> str:
        start, end = self._local(window)
        return writing.window_label(start, end, self.channel)

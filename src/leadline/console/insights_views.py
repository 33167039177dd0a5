"""Growth > Interactions > Insights: the patterns behind the list, from the same filters.

The view parses the list's query string, asks `interactions.insights` for the figures
and shapes them for the template (labels, percentages, bar sizes, colour steps). The
charts are HTML and CSS drawn on the server, each with its numbers in text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from leadline.accounts.models import Company
from leadline.campaigns.models import Channel, Goal
from leadline.console.interactions_views import filter_form_context, needs_customer_chats
from leadline.interactions import statuses
from leadline.interactions.insights import (
    DASH,
    REPLY_TIME_BUCKETS,
    SAMPLE_SIZE,
    CadenceTouch,
    Escalations,
    HeatMap,
    Insights,
    Outcome,
    Rate,
    ReplyTimes,
    interaction_insights,
)
from leadline.interactions.listing import escalation_reason, parse_query

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Stacked bars read best-to-worst from the left.
GROUP_ORDER = (
    statuses.Group.CONVERTED,
    statuses.Group.ACTIVE,
    statuses.Group.ESCALATED,
    statuses.Group.CLOSED,
)
# A segment this wide (in %) has room for its own label.
LABEL_MIN_WIDTH = 9


def _hour_label(hour: int, *, short: bool) -> str:
    twelve = hour % 12 or 12
    if short:
        return f"{twelve}{'a' if hour < 12 else 'p'}"
    return f"{twelve} {'AM' if hour < 12 else 'PM'}"


def _rate_text(rate: Rate) -> str:
    return "—" if rate.percent is None else f"{rate.percent}%"


def _width(part: int, whole: int) -> str:
    """A CSS percentage for a bar (always with a dot as the decimal separator)."""
    if not whole:
        return "0%"
    return f"{100 * part / whole:.2f}%"


def duration_text(delay: timedelta | None) -> str:
    """'45 s', '12 min', '1 h 20 min', '2 d 3 h'."""
    if delay is None:
        return "—"
    seconds = int(delay.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


# ---- (a) the heat map ---------------------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    text: str
    step: int  # 0: no outreach; 1-5: the rate in fifths
    title: str
    spoken: str
    # So few leads behind the rate that it says little.
    thin: bool = False


# Fewer leads than this behind a heat map rate mark it as thin evidence.
THIN_BELOW = 3


def _step(rate: Rate) -> int:
    if rate.percent is None:
        return 0
    return min(5, rate.percent // 20 + 1)


def _heat_cell(rate: Rate, where: str) -> HeatCell:
    if rate.percent is None:
        return HeatCell(text="", step=0, title=f"{where}: no first outreach", spoken="none")
    replied = f"{rate.part} of {rate.whole} replied"
    return HeatCell(
        text=str(rate.percent),
        step=_step(rate),
        title=f"{where}: {replied} ({rate.percent}%)",
        spoken=f"{rate.percent}%, {replied}",
        thin=rate.whole < THIN_BELOW,
    )


def _heat_context(heat: HeatMap) -> dict[str, Any]:
    hours = [
        {"short": _hour_label(h, short=True), "long": _hour_label(h, short=False)}
        for h in range(24)
    ]
    rows = []
    for day, name in enumerate(WEEKDAYS):
        cells = [
            _heat_cell(
                heat.cells[day][hour],
                f"{name}, {_hour_label(hour, short=False)}{DASH}"
                f"{_hour_label((hour + 1) % 24, short=False)}",
            )
            for hour in range(24)
        ]
        rows.append(
            {
                "short": name[:3],
                "long": name,
                "cells": cells,
                "total": _heat_cell(heat.by_weekday[day], f"{name}, all hours"),
            }
        )
    best = max(
        (
            (rate.percent, rate.whole, day)
            for day, rate in enumerate(heat.by_weekday)
            if rate.percent is not None
        ),
        default=None,
    )
    busiest_hour = max(
        ((rate.whole, hour) for hour, rate in enumerate(heat.by_hour) if rate.whole),
        default=None,
    )
    return {
        "hours": hours,
        "rows": rows,
        "by_hour": [
            _heat_cell(rate, f"All days, {_hour_label(hour, short=False)}")
            for hour, rate in enumerate(heat.by_hour)
        ],
        "total": _heat_cell(heat.total, "All days and hours"),
        "total_rate": _rate_text(heat.total),
        "zone": heat.zone,
        "best_day": WEEKDAYS[best[2]] if best else "",
        "best_day_rate": f"{best[0]}%" if best else "",
        "busiest_hour": _hour_label(busiest_hour[1], short=False) if busiest_hour else "",
        "thin_below": THIN_BELOW,
        "steps": [
            (1, f"0{DASH}19%"),
            (2, f"20{DASH}39%"),
            (3, f"40{DASH}59%"),
            (4, f"60{DASH}79%"),
            (5, f"80{DASH}100%"),
        ],
    }


# ---- (b) outcomes by goal and channel -----------------------------------------------------


def _outcome_context(outcome: Outcome) -> dict[str, Any]:
    goals, channels = dict(Goal.choices), dict(Channel.choices)
    segments = []
    for group in GROUP_ORDER:
        count = outcome.by_group.get(group.value, 0)
        share = _width(count, outcome.total)
        percent = round(100 * count / outcome.total) if outcome.total else 0
        segments.append(
            {
                "group": group.value,
                "label": group.value.capitalize(),
                "count": count,
                "percent": percent,
                "width": share,
                "labelled": count and 100 * count / outcome.total >= LABEL_MIN_WIDTH,
            }
        )
    top = [
        f"{statuses.label_of(code)} {n}"
        for code, n in list(outcome.by_status.items())[:4]
        if code in statuses.BY_CODE
    ]
    return {
        "label": f"{goals.get(outcome.goal, outcome.goal)} · "
        f"{channels.get(outcome.channel, outcome.channel)}",
        "total": outcome.total,
        "segments": segments,
        "top_statuses": top,
    }


# ---- (c) the cadence ----------------------------------------------------------------------


def _cadence_context(touches: tuple[CadenceTouch, ...]) -> dict[str, Any]:
    if not touches:
        return {"touches": [], "headline": []}
    widest = touches[0].reached or 1
    rows = []
    for touch in touches:
        went_on = touch.reached - touch.replied - touch.ended_silent - touch.waiting
        rows.append(
            {
                "touch": touch.touch,
                "reached": touch.reached,
                "replied": touch.replied,
                "reply_rate": "—" if touch.reply_rate is None else f"{touch.reply_rate}%",
                "ended_silent": touch.ended_silent,
                "waiting": touch.waiting,
                "went_on": went_on,
                "bar": _width(touch.reached, widest),
                "parts": [
                    ("replied", "Replied after it", touch.replied, _width(touch.replied, widest)),
                    (
                        "ended",
                        "No reply, ended here",
                        touch.ended_silent,
                        _width(touch.ended_silent, widest),
                    ),
                    (
                        "waiting",
                        "No reply yet, cadence running",
                        touch.waiting,
                        _width(touch.waiting, widest),
                    ),
                    ("went-on", "Got the next touch", went_on, _width(went_on, widest)),
                ],
            }
        )
    headline = []
    replies = sum(t.replied for t in touches)
    if replies:
        top = max(touches, key=lambda t: (t.replied, -t.touch))
        headline.append(
            f"Most replies come after touch {top.touch}: {top.replied} of {replies} "
            f"({round(100 * top.replied / replies)}%)."
        )
    silent = sum(t.ended_silent for t in touches)
    if silent:
        top = max(touches, key=lambda t: (t.ended_silent, -t.touch))
        headline.append(
            f"Leads who never answered most often stopped after touch {top.touch} "
            f"({top.ended_silent} of {silent})."
        )
    return {"touches": rows, "headline": headline}


# ---- (d) time to first reply --------------------------------------------------------------


def _reply_times_context(times: tuple[ReplyTimes, ...]) -> list[dict[str, Any]]:
    channels = dict(Channel.choices)
    rows = []
    for entry in times:
        rows.append(
            {
                "label": channels.get(entry.channel, entry.channel) or "All channels",
                "is_total": not entry.channel,
                "replies": entry.replies,
                "median": duration_text(entry.median),
                "buckets": [
                    {
                        "label": label,
                        "count": count,
                        "percent": round(100 * count / entry.replies) if entry.replies else 0,
                        "width": _width(count, entry.replies),
                    }
                    for (label, _), count in zip(REPLY_TIME_BUCKETS, entry.buckets, strict=True)
                ],
            }
        )
    return rows


# ---- (e) escalations over time ------------------------------------------------------------


def _period_label(day: date, period_days: int) -> str:
    text = f"{day:%b} {day.day}"
    return f"Week of {text}" if period_days > 1 else text


def _escalations_context(escalations: Escalations) -> dict[str, Any]:
    labels = [_period_label(day, escalations.period_days) for day in escalations.periods]
    peak = max((max(s.counts, default=0) for s in escalations.series), default=0)
    series = []
    for entry in escalations.series:
        name = escalation_reason(entry.status) or "Escalated (no reason given)"
        series.append(
            {
                "name": name,
                "total": entry.total,
                "bars": [
                    {
                        "label": label,
                        "count": count,
                        "height": _width(count, peak),
                        "title": f"{label}: {count} escalation{'s' if count != 1 else ''} ({name})",
                    }
                    for label, count in zip(labels, entry.counts, strict=True)
                ],
            }
        )
    table = [
        {"label": label, "counts": [entry.counts[n] for entry in escalations.series]}
        for n, label in enumerate(labels)
    ]
    return {
        "series": series,
        "names": [s["name"] for s in series],
        "table": table,
        "total": escalations.total,
        "peak": peak,
        "first": labels[0] if labels else "",
        "last": labels[-1] if labels else "",
        "by_week": escalations.period_days > 1,
    }


# ---- the page -----------------------------------------------------------------------------


def _query(params: dict[str, str]) -> str:
    return "?" + urlencode(params) if params else ""


def _insights_context(company: Company, data: Insights) -> dict[str, Any]:
    return {
        "data": data,
        "analysed": f"{data.analysed:,}",
        "matching": f"{data.matching:,}",
        "sample_size": f"{SAMPLE_SIZE:,}",
        "response_rate": _rate_text(Rate(data.replied, data.outreach)),
        "heat": _heat_context(data.heat_map),
        "outcomes": [_outcome_context(o) for o in data.outcomes],
        "groups": [g.value for g in GROUP_ORDER],
        "cadence": _cadence_context(data.cadence),
        "reply_times": _reply_times_context(data.reply_times),
        "reply_buckets": [label for label, _ in REPLY_TIME_BUCKETS],
        "escalations": _escalations_context(data.escalations),
    }


@needs_customer_chats
def interaction_insights_page(request: HttpRequest) -> HttpResponse:
    """Growth > Interactions > Insights for the filters in the query string."""
    user: Any = request.user
    company: Company = user.company
    query = parse_query(request.GET)
    filters = query.filters
    params = filters.to_params()
    data = interaction_insights(company=company, filters=filters)
    context = {
        **filter_form_context(
            company=company, filters=filters, action_url=reverse("interactions-insights")
        ),
        **_insights_context(company, data),
        "hide_sort": True,
        "filters_hint": "Charts cover",
        "notices": list(query.notices),
        "list_url": reverse("interactions") + _query(params),
    }
    return render(request, "console/insights/page.html", context)

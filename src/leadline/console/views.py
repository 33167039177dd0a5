"""The console's pages. Views are thin: check, call a selector or service, render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from leadline.accounts.roles import ROLE_PRESETS
from leadline.accounts.selectors import role_of
from leadline.console.records_views import task_rows
from leadline.crm.selectors import open_tasks_for
from leadline.interactions.listing import company_zone
from leadline.interactions.selectors import status_group_counts
from leadline.kit import clock

# The Home page lists at most this many of the user's open tasks.
HOME_TASKS = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    context: dict[str, Any] = {
        "company": user.company,
        "role": role_of(user=user),
        "permissions": [
            (label, user.has_perm(perm))
            for perm, label in [
                ("accounts.view_customer_chats", "View Customer Chats"),
                ("accounts.send_message", "Send Message"),
                ("accounts.listen_call_recording", "Listen to Call Recording"),
                ("accounts.administer_company", "Administer company"),
            ]
        ],
        "roles": list(ROLE_PRESETS),
        "counts": status_group_counts(company=user.company) if user.company else None,
    }
    # "Your open tasks": the follow-ups assigned to this user, soonest due first.
    tasks = (
        task_rows(
            open_tasks_for(company=user.company, user=user, limit=HOME_TASKS + 1),
            user=user,
            now=clock.now(),
            zone=company_zone(user.company),
        )
        if user.company
        else []
    )
    context["open_tasks"] = tasks[:HOME_TASKS]
    context["open_tasks_more"] = len(tasks) > HOME_TASKS
    context["overdue_tasks"] = sum(1 for task in tasks[:HOME_TASKS] if task.overdue)
    return render(request, "console/home.html", context)

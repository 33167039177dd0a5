"""The console's pages. Views are thin: check, call a selector or service, render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from leadline.accounts.roles import ROLE_PRESETS
from leadline.accounts.selectors import role_of
from leadline.interactions.selectors import status_group_counts


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    context = {
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
    return render(request, "console/home.html", context)

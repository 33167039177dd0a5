"""Error pages in the console's own look, never a stack trace."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "console/error.html",
        {
            "code": 403,
            "title": "You don't have access to this page",
            "text": "Ask your company's administrator for the permission it needs.",
        },
        status=403,
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "console/error.html",
        {
            "code": 404,
            "title": "Page not found",
            "text": "The page or record does not exist, or it is not yours to see.",
        },
        status=404,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "console/error.html",
        {
            "code": 500,
            "title": "Something went wrong on our side",
            "text": "The error was logged. Try again in a moment.",
        },
        status=500,
    )

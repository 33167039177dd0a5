"""The API object (/api/v1/): routers, bearer tokens, the error shape, and its URLs.

The OpenAPI document is at /api/v1/openapi.json and the docs page at /api/v1/docs.
The docs page is ninja's Swagger UI served from ninja's own bundled static files
(ninja is an installed app, so nothing comes from a CDN), with Swagger's online
validator badge switched off, so the page makes no request outside Leadline.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import URLPattern, URLResolver, include, path, re_path
from ninja import NinjaAPI, Swagger

from leadline.api import company, errors, interactions, leads
from leadline.api.auth import TokenAuth

DESCRIPTION = """\
Everything a person can do in the Leadline console, for integrators: push leads in,
follow their conversations, take over, text, book, dismiss, log notes and tasks.

Authenticate with `Authorization: Bearer <token>` (`leadline token create --user EMAIL`).
A token acts as its user: the user's company and permissions, nothing more.
Every error has one shape: `{"error": {"status", "code", "message", "field"}}`.
See docs/api.md.
"""

api = NinjaAPI(
    title="Leadline API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=TokenAuth(),
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
)
errors.install(api)
api.add_router("", leads.router)
api.add_router("", interactions.router)
api.add_router("", company.router)


def _json_errors(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Ninja answers a method a path does not take in plain text: answer it in the shape."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            return errors.error_response(
                errors.ApiError(
                    405,
                    f"{request.method} is not allowed here; use {response['Allow']}.",
                    headers={"Allow": response["Allow"]},
                )
            )
        return response

    wrapped.csrf_exempt = True  # type: ignore[attr-defined]
    return wrapped


def _unknown(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
    return errors.error_response(errors.ApiError(404, "There is no such API address."))


_unknown.csrf_exempt = True  # type: ignore[attr-defined]


def _home(request: HttpRequest) -> HttpResponseBase:
    return redirect("api-v1:openapi-view")


def urls() -> tuple[Any, str | None, str | None]:
    """What urls.py includes at api/v1/: ninja's routes, then JSON 404 for anything else."""
    patterns, app_name, namespace = api.urls
    routes: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            if pattern.name == "api-root":
                continue
            pattern.callback = _json_errors(pattern.callback)
        routes.append(pattern)
    routes.append(path("", _home, name="api-root"))
    routes.append(re_path(r"^.*$", _unknown))
    return include((routes, app_name), namespace=namespace)

"""Bearer tokens, the per-token rate limit, and the permission checks of the handlers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer

from leadline.accounts.models import Company, User
from leadline.accounts.roles import (
    ADMINISTER_COMPANY,
    LISTEN_CALL_RECORDING,
    SEND_MESSAGE,
    VIEW_CUSTOMER_CHATS,
)
from leadline.api.errors import ApiError
from leadline.api.models import ApiToken
from leadline.api.services import authenticate, count_request

PERMISSION_NAMES = {
    VIEW_CUSTOMER_CHATS: "View Customer Chats",
    SEND_MESSAGE: "Send Message",
    LISTEN_CALL_RECORDING: "Listen to Call Recording",
    ADMINISTER_COMPANY: "Administer company",
}


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ll_...`: the token's user, or 401; over the limit, 429."""

    def __call__(self, request: HttpRequest) -> ApiToken | None:
        header = request.headers.get(self.header) or ""
        scheme, _, value = header.strip().partition(" ")
        if not header.strip():
            raise ApiError(401, "Send your API token: Authorization: Bearer <token>.")
        if scheme.lower() != self.openapi_scheme or not value.strip():
            raise ApiError(401, "Use the Bearer scheme: Authorization: Bearer <token>.")
        return self.authenticate(request, value.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = authenticate(secret=token)
        if found is None:
            raise ApiError(
                401, "The API token is not valid, was revoked, or its user is deactivated."
            )
        verdict = count_request(token=found, limit=int(settings.LEADLINE_API_RATE_LIMIT))
        if not verdict.allowed:
            raise ApiError(
                429,
                f"More than {settings.LEADLINE_API_RATE_LIMIT} requests in a minute with this "
                f"token; try again in {verdict.retry_after} s.",
                headers={"Retry-After": str(verdict.retry_after)},
            )
        return found


def token_of(request: HttpRequest) -> ApiToken:
    auth: Any = getattr(request, "auth", None)
    if not isinstance(auth, ApiToken):
        raise ApiError(401)
    return auth


def company_of(request: HttpRequest) -> Company:
    """The company the token acts for."""
    company: Company = token_of(request).company
    return company


def needs(request: HttpRequest, *permissions: str) -> User:
    """The token's user, when it holds every one of `permissions`; 403 naming the first missing."""
    user: User = token_of(request).user
    for permission in permissions:
        if not user.has_perm(permission):
            raise ApiError(
                403, f"This needs the {PERMISSION_NAMES.get(permission, permission)} permission."
            )
    return user


def may(request: HttpRequest, permission: str) -> bool:
    """Whether the token's user holds a permission (for what a response may include)."""
    user: User = token_of(request).user
    return bool(user.has_perm(permission))

"""Errors that services raise and that views and the API turn into answers."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the product refused the action; the message is shown to the user."""

    code = "domain_error"


class InvalidInput(DomainError):
    """A value the actor chose breaks a rule; `field` names it (HTTP 422 on that field)."""

    code = "invalid"

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class NotFound(DomainError):
    """Not there, or not visible to the actor's company (never tell which)."""

    code = "not_found"


class Conflict(DomainError):
    """The current state does not allow the action (HTTP 409)."""

    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class PermissionDenied(DomainError):
    code = "permission_denied"


class NoCapacity(Conflict):
    """The arrival window is full."""

    code = "no_capacity"

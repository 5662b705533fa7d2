"""Domain errors of casework; each edge (CLI, HTTP, bot) turns them into its own answer in one place.

::

    CaseworkError
    ├── NotFound                no such object
    │   └── OutOfScope          it exists but lies outside the official's unit: answered as NotFound
    ├── Forbidden               the official's role does not allow the action
    ├── AuthenticationFailed    wrong credentials, disabled account, unknown/expired/revoked token
    │   └── LoginLocked         too many failed logins; ``retry_after`` says when to try again
    ├── InvalidTransition       the ticket lifecycle refuses the status change
    ├── StaleVersion            the object changed since the caller read it (optimistic locking)
    ├── Conflict                the change clashes with stored data (a username taken, a lost claim)
    └── ValidationFailed        the input breaks a domain rule; ``field`` names the culprit
        └── LimitReached        an allowance is used up (a third deadline extension)

Messages are English and free of personal data: they end up in logs.
"""

from __future__ import annotations


class CaseworkError(Exception):
    """Base of every error raised by casework."""


class NotFound(CaseworkError):
    """The object does not exist (or the caller may not know that it does)."""


class OutOfScope(NotFound):
    """The object exists but is outside the official's unit; edges must answer as for NotFound."""


class Forbidden(CaseworkError):
    """The official's role does not include the action."""


class AuthenticationFailed(CaseworkError):
    """The credentials or the token do not identify an active official."""


class LoginLocked(AuthenticationFailed):
    """Too many failed logins for this username from this address, or from this address in all."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins; retry after {retry_after} s")
        self.retry_after = retry_after


class InvalidTransition(CaseworkError):
    """The ticket lifecycle does not allow this change of status."""


class StaleVersion(CaseworkError):
    """The object was changed by someone else since the caller read it."""

    def __init__(self, expected: int | None = None, actual: int | None = None) -> None:
        detail = f": expected {expected}, current is {actual}" if expected is not None else ""
        super().__init__(f"changed by someone else since it was read{detail}")
        self.expected = expected
        self.actual = actual


class Conflict(CaseworkError):
    """The change clashes with data already stored."""


class ValidationFailed(CaseworkError):
    """The input breaks a domain rule."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class LimitReached(ValidationFailed):
    """A counted allowance (such as deadline extensions) is used up."""

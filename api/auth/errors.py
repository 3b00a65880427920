"""The refusals of the way in, in the one error hierarchy (`envelopes.domain.errors.DomainError`): each has a
stable `code` and its HTTP `status`, and is rendered like every other error."""

from __future__ import annotations

from envelopes.domain.errors import DomainError, Forbidden


class NotAuthenticated(DomainError):
    """No token, or one that does not (or no longer) count. `reason` is one fixed word for the access log."""

    code = "unauthenticated"
    status = 401

    def __init__(self, reason: str, *, user_id: str | None = None) -> None:
        super().__init__("sign in first: the request carries no valid access token")
        self.reason = reason
        self.user_id = user_id


class InvalidCredentials(DomainError):
    """A sign-in with a user name and password that do not match an active account (never saying which)."""

    code = "invalid_credentials"
    status = 400

    def __init__(self) -> None:
        super().__init__("the user name or the password is not right")


class TooManyAttempts(DomainError):
    code = "too_many_attempts"
    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins: try again in {retry_after} seconds")
        self.retry_after = retry_after


class RoleNotAllowed(Forbidden):
    """The user's role may not use this endpoint."""

    code = "role_not_allowed"

    def __init__(self, role: str, allowed: list[str]) -> None:
        super().__init__(
            f"the role {role} may not do this (allowed: {', '.join(allowed)})",
            figures={"role": role, "allowed": ", ".join(allowed)},
        )

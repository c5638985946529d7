"""Errors a person can meet. Each carries a Chinese message that says what happened and what to do."""

from __future__ import annotations


class XinfangError(Exception):
    """Base of every error the product reports to a user; `message` is shown as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(XinfangError, ValueError):
    """Bad input, refused before anything is written. `field` names the form field when known."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotAllowed(XinfangError):
    """The workflow or the law does not allow this action now."""


class StaleCase(NotAllowed):
    """The case changed (on another desk) after it was opened here: the action on what was shown is refused."""


class PermissionDenied(XinfangError):
    """The acting user's role does not allow this action."""


class NotFound(XinfangError):
    pass

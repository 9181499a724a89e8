"""Domain errors of the application workflow, each carrying a message in the user's language."""

from __future__ import annotations


class WorkflowError(Exception):
    """A use case was refused; `message` says why, `code` is stable for the API and tests."""

    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.code = code


class NotAllowed(WorkflowError):
    """The actor may not do this to this object."""

    def __init__(self, message: str, code: str = "not_allowed"):
        super().__init__(message, code)


class Conflict(WorkflowError):
    """Someone else changed the object first (a lost compare-and-set)."""

    def __init__(self, message: str, code: str = "conflict"):
        super().__init__(message, code)

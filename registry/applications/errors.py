"""Domain errors of the application workflow, each carrying a message in the user's language."""

from __future__ import annotations

from registry.errors import DomainError


class WorkflowError(DomainError):
    """A use case was refused; `message` says why, `code` is stable for the API and tests."""

    code = "refused"


class NotAllowed(WorkflowError):
    """The actor may not do this to this object."""

    code = "not_allowed"


class Conflict(WorkflowError):
    """Someone else changed the object first (a lost compare-and-set)."""

    code = "conflict"

"""The one base of domain errors: a refusal with a message safe to show and a stable code.

Pure: no Django import. Every app's errors derive from ``DomainError``; a view turns any of them into
a message (HTML) or a 400/409 body (API) without knowing which app raised it.
"""

from __future__ import annotations


class DomainError(Exception):
    """A use case was refused; ``message`` says why in the user's language, ``code`` is stable."""

    code = "refused"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

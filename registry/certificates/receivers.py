"""The certificates app listens to applications here (the arrow runs from certificates to applications)."""

from __future__ import annotations

from registry.certificates import services


def registration_changed_receiver(sender, *, registration, application, actor, now, change, **kwargs) -> None:
    """Issue, re-issue or cancel the certificate in the transaction of the registration change.

    An error raised here rolls the approval or cancellation back, so no registration changes without
    its certificate.
    """
    services.on_registration_changed(registration=registration, application=application, actor=actor, now=now,
                                     change=change)

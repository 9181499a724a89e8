"""Domain events of registrations, sent inside the transaction that caused them.

`registration_changed` is the seam where the certificates app issues, supersedes or invalidates the
e-certificate in the same transaction as the change: a receiver that raises rolls the change back.
Arguments: registration, application, actor, now, change ("approved", "cancelled", "specialties_cancelled").
"""

from django.dispatch import Signal

registration_changed = Signal()

"""Tasks of the outbox on Django's Tasks API; the argument is always a primary key."""

from __future__ import annotations

from django.tasks import task

from registry.outbox import services


@task
def deliver_message(message_id: int) -> str:
    """Deliver one outbox message if it is due (a duplicate or late task does nothing)."""
    return services.deliver(message_id)

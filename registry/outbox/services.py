"""Writing, delivering, retrying and parking outbox messages; registering employer webhooks.

A message is written in the caller's transaction and handed to the task queue by primary key after that
transaction commits. Delivery claims the row by a conditional update, so any number of workers (and a
task enqueued twice) deliver it at most once at a time; a claim whose lease runs out is delivered again.
"""

from __future__ import annotations

import ipaddress
import logging
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from registry import clock
from registry.audit.log import log_action
from registry.outbox import adapters
from registry.outbox.backoff import retry_delay
from registry.outbox.models import Kind, OutboxMessage, Status, Subscription

logger = logging.getLogger("registry.outbox")

MAX_ERROR_LENGTH = 500
RETRY_BATCH = 1000


class OutboxError(Exception):
    """An operator or enterprise action that is refused, with the message to show."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def queue_message(*, kind: str, key: str, payload: dict, now: datetime, destination: str = "",
                  registration_id: int | None = None, subscription: Subscription | None = None) -> OutboxMessage:
    """Write one message in the current transaction (once per key) and enqueue it after commit."""
    message, created = OutboxMessage.objects.get_or_create(idempotency_key=key, defaults={
        "kind": kind, "destination": destination, "payload": payload, "created_at": now, "next_attempt_at": now,
        "registration_id": registration_id, "subscription": subscription,
    })
    if created:
        transaction.on_commit(lambda: enqueue_delivery(message.pk))
    return message


def enqueue_delivery(message_id: int) -> None:
    """Hand a message to the task queue; when the queue is unreachable the retry sweep picks it up."""
    from registry.outbox.tasks import deliver_message

    try:
        deliver_message.enqueue(message_id)
    except Exception:  # the queue being down must never fail the change that wrote the message
        logger.warning("outbox: could not enqueue message %s; the retry sweep will", message_id, exc_info=True)


def _due(now: datetime) -> Q:
    return (Q(status__in=[Status.PENDING, Status.FAILED], next_attempt_at__lte=now)
            | Q(status=Status.DELIVERING, lease_until__lte=now))


def claim(message_id: int, *, now: datetime) -> OutboxMessage | None:
    """Claim a due message for delivery (conditional update); None when not due or claimed by another."""
    lease = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    claimed = OutboxMessage.objects.filter(_due(now), pk=message_id).update(
        status=Status.DELIVERING, lease_until=lease, attempts=F("attempts") + 1, updated_at=now)
    if claimed != 1:
        return None
    return OutboxMessage.objects.select_related("subscription").get(pk=message_id)


def deliver(message_id: int) -> str:
    """Deliver one message if it is due: 'delivered', 'failed', 'parked' or 'skipped'."""
    message = claim(message_id, now=clock.now())
    if message is None:
        return "skipped"
    mine = OutboxMessage.objects.filter(pk=message.pk, status=Status.DELIVERING, lease_until=message.lease_until)
    try:
        adapters.deliver(message, now=clock.now())
    except adapters.DeliveryFailed as failure:
        now = clock.now()
        delay = retry_delay(message.attempts, base=settings.OUTBOX_BACKOFF_BASE_SECONDS,
                            cap=settings.OUTBOX_BACKOFF_MAX_SECONDS)
        status = Status.PARKED if failure.permanent else Status.FAILED
        mine.update(status=status, lease_until=None, next_attempt_at=now + timedelta(seconds=delay),
                    last_error=failure.error[:MAX_ERROR_LENGTH], updated_at=now)
        logger.info("outbox: message %s attempt %s failed: %s", message.pk, message.attempts, failure.error)
        return str(status)
    now = clock.now()
    mine.update(status=Status.DELIVERED, lease_until=None, delivered_at=now, last_error="", updated_at=now)
    return "delivered"


def requeue_due(*, now: datetime) -> int:
    """Enqueue every message whose next attempt has come or whose claim ran out; return how many."""
    # A fresh message was enqueued on commit; give it one retry interval before enqueuing it again.
    fresh = now - timedelta(seconds=settings.OUTBOX_RETRY_INTERVAL_SECONDS)
    due = OutboxMessage.objects.filter(_due(now)).exclude(status=Status.PENDING, attempts=0, created_at__gt=fresh)
    ids = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:RETRY_BATCH])
    for message_id in ids:
        enqueue_delivery(message_id)
    return len(ids)


@transaction.atomic
def retry_message(*, actor, message: OutboxMessage, now: datetime, ip: str | None = None) -> None:
    """Make a failed or parked message due now (an operator's retry)."""
    changed = OutboxMessage.objects.filter(pk=message.pk, status__in=[Status.FAILED, Status.PARKED]).update(
        status=Status.PENDING, next_attempt_at=now, updated_at=now)
    if changed != 1:
        raise OutboxError(_("该消息当前状态不能重试。"))
    log_action("outbox.message.retried", actor=actor, target=message, now=now, ip=ip,
               details={"key": message.idempotency_key})
    transaction.on_commit(lambda: enqueue_delivery(message.pk))


@transaction.atomic
def park_message(*, actor, message: OutboxMessage, now: datetime, ip: str | None = None) -> None:
    """Stop retrying a message that is not being delivered (an operator's park)."""
    changed = OutboxMessage.objects.filter(pk=message.pk, status__in=[Status.PENDING, Status.FAILED]).update(
        status=Status.PARKED, updated_at=now)
    if changed != 1:
        raise OutboxError(_("该消息当前状态不能搁置。"))
    log_action("outbox.message.parked", actor=actor, target=message, now=now, ip=ip,
               details={"key": message.idempotency_key})


# --- employer subscriptions ------------------------------------------------------------------------

def _require_manager(actor, enterprise) -> None:
    from registry.people.models import EnterpriseOperator

    if not EnterpriseOperator.objects.filter(user=actor, enterprise=enterprise, is_manager=True).exists():
        raise OutboxError(_("只有本单位管理员可以管理订阅。"))


def _check_url(url: str) -> str:
    """Return the webhook URL if it is HTTPS to a public host name or address."""
    url = (url or "").strip()
    if not url.lower().startswith("https://") or len(url) > 300:
        raise OutboxError(_("接收地址必须以 https:// 开头。"))
    host = (urlsplit(url).hostname or "").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if not host or host == "localhost" or host.endswith(".localhost") or (address and not address.is_global):
        raise OutboxError(_("接收地址不能是本机或内网地址。"))
    return url


@transaction.atomic
def register_subscription(*, actor, enterprise, url: str, now: datetime, ip: str | None = None) -> Subscription:
    """Register a webhook of the enterprise with a new shared secret (shown to the manager once)."""
    _require_manager(actor, enterprise)
    subscription = Subscription.objects.create(enterprise=enterprise, url=_check_url(url),
                                               secret=secrets.token_urlsafe(32), created_by=actor, created_at=now)
    log_action("outbox.subscription.registered", actor=actor, target=subscription, now=now, ip=ip,
               details={"enterprise": enterprise.pk, "url": subscription.url})
    return subscription


@transaction.atomic
def remove_subscription(*, actor, subscription: Subscription, now: datetime, ip: str | None = None) -> None:
    """Stop a webhook; its undelivered messages are parked by the adapter."""
    _require_manager(actor, subscription.enterprise)
    Subscription.objects.filter(pk=subscription.pk).update(active=False)
    log_action("outbox.subscription.removed", actor=actor, target=subscription, now=now, ip=ip,
               details={"enterprise": subscription.enterprise_id})


def queue_webhooks(*, enterprise_id: int, event: str, data: dict, key: str, now: datetime,
                   registration_id: int | None = None) -> None:
    """Write one signed delivery per active subscription of the enterprise."""
    for subscription in Subscription.objects.filter(enterprise_id=enterprise_id, active=True):
        queue_message(kind=Kind.WEBHOOK, key=f"{key}:sub{subscription.pk}", destination=subscription.url,
                      payload={"event": event, "occurred_at": now.isoformat(), "id": f"{key}:sub{subscription.pk}",
                               "data": data},
                      now=now, registration_id=registration_id, subscription=subscription)

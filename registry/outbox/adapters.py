"""Adapters that hand one outbox message to its receiver; each returns on acknowledgement or raises.

The national platform and employer webhooks are HTTP; e-mail goes through Django's e-mail backend; SMS
through a gateway or, in the demo, a stand-in that writes a masked line to the log.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

import requests
from django.conf import settings
from django.core.mail import send_mail

from registry.outbox.models import Kind, OutboxMessage
from registry.outbox.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

logger = logging.getLogger("registry.outbox")

IDEMPOTENCY_HEADER = "Idempotency-Key"
# Answers that say the request itself is wrong: retrying cannot help, so the message is parked.
_RETRYABLE_CLIENT_ERRORS = {408, 409, 425, 429}
SMS_TIMEOUT_SECONDS = 10


class DeliveryFailed(Exception):
    """The receiver did not acknowledge; ``permanent`` when retrying cannot help."""

    def __init__(self, error: str, *, permanent: bool = False):
        super().__init__(error)
        self.error = error
        self.permanent = permanent


def deliver(message: OutboxMessage, *, now: datetime) -> None:
    """Deliver one message by its kind; raise DeliveryFailed unless the receiver acknowledged it."""
    handlers = {Kind.NATIONAL: _national, Kind.SMS: _sms, Kind.EMAIL: _email, Kind.WEBHOOK: _webhook}
    handlers[message.kind](message, now)


def _post(url: str, body: bytes, headers: dict[str, str], timeout: int, auth=None) -> requests.Response:
    try:
        response = requests.post(url, data=body, headers={"Content-Type": "application/json", **headers},
                                 timeout=timeout, auth=auth, allow_redirects=False)
    except requests.RequestException as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: receiver unreachable") from None
    if 200 <= response.status_code < 300:
        return response
    permanent = 400 <= response.status_code < 500 and response.status_code not in _RETRYABLE_CLIENT_ERRORS
    raise DeliveryFailed(f"HTTP {response.status_code}: {response.text[:200]}", permanent=permanent)


def _body(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _national(message: OutboxMessage, now: datetime) -> None:
    if not settings.NATIONAL_PLATFORM_URL:
        raise DeliveryFailed("NATIONAL_PLATFORM_URL is not set")
    response = _post(
        settings.NATIONAL_PLATFORM_URL, _body(message.payload), {IDEMPOTENCY_HEADER: message.idempotency_key},
        settings.NATIONAL_PLATFORM_TIMEOUT,
        auth=(settings.NATIONAL_PLATFORM_CLIENT_ID, settings.NATIONAL_PLATFORM_SECRET),
    )
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if answer.get("status") not in {"accepted", "duplicate"}:
        raise DeliveryFailed(f"HTTP {response.status_code}: no acknowledgement in the answer")


def _webhook(message: OutboxMessage, now: datetime) -> None:
    subscription = message.subscription
    if subscription is None or not subscription.active:
        raise DeliveryFailed("subscription removed", permanent=True)
    body = _body(message.payload)
    timestamp = int(now.timestamp())
    _post(subscription.url, body, {
        IDEMPOTENCY_HEADER: message.idempotency_key,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: "sha256=" + sign(subscription.secret, timestamp, body),
    }, settings.WEBHOOK_TIMEOUT)


def mask_mobile(number: str) -> str:
    """Return a mobile number with its middle digits hidden (138****5678)."""
    return number[:3] + "****" + number[-4:] if len(number) >= 7 else "****"


def _sms(message: OutboxMessage, now: datetime) -> None:
    text = message.payload["text"]
    if settings.SMS_BACKEND == "console":
        logger.info("SMS stand-in to %s: %s", mask_mobile(message.destination), text)
        return
    if not settings.SMS_GATEWAY_URL:
        raise DeliveryFailed("SMS_GATEWAY_URL is not set")
    _post(settings.SMS_GATEWAY_URL, _body({"to": message.destination, "text": text}),
          {IDEMPOTENCY_HEADER: message.idempotency_key, "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}"},
          SMS_TIMEOUT_SECONDS)


def _email(message: OutboxMessage, now: datetime) -> None:
    try:
        send_mail(message.payload["subject"], message.payload["text"], settings.DEFAULT_FROM_EMAIL,
                  [message.destination], fail_silently=False)
    except OSError as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: mail server unreachable") from None

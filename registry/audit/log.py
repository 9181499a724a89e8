"""Writing the audit log: one helper, with secrets and personal numbers masked.

A service passes its own ``now`` (so the log line and the change it records carry the same time) and
the client address its view read with ``client_ip``; services never see the HTTP request.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from typing import Any

from django.conf import settings
from django.db import models

from registry import clock
from registry.audit.models import AuditEvent
from registry.masking import mask_id_number

_SECRET_KEYS = {"password", "token", "secret", "code", "nonce", "signature", "private_key"}
_ID_KEYS = {"id_number", "credit_code_full"}


def _mask(details: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of details with secrets replaced and ID numbers masked."""
    masked: dict[str, Any] = {}
    for key, value in details.items():
        if key in _SECRET_KEYS:
            masked[key] = "***"
        elif key in _ID_KEYS and isinstance(value, str):
            masked[key] = mask_id_number(value)
        elif isinstance(value, dict):
            masked[key] = _mask(value)
        else:
            masked[key] = value
    return masked


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[IPv4Network | IPv6Network, ...]:
    return tuple(ip_network(proxy, strict=False) for proxy in proxies)


def _trusted(address: str) -> bool:
    """Return whether the address is one of the configured reverse proxies (TRUSTED_PROXIES)."""
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request) -> str | None:
    """Return the client address of a request.

    The connection's address, unless it is a trusted proxy (TRUSTED_PROXIES): then X-Forwarded-For is read
    from the right, skipping the trusted proxies, and the first other address is the client. Without a
    trusted proxy X-Forwarded-For is ignored, since anyone can send it.
    """
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    if not remote or not settings.TRUSTED_PROXIES or not _trusted(remote):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ip_address(hop)
        except ValueError:
            return remote  # a forged or broken header: the proxy is all we know
        if not _trusted(hop):
            return hop
    return hops[0] if hops else remote


def log_action(
    action: str,
    *,
    actor=None,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event to the audit log, at ``now`` (the one clock's time when not given)."""
    return AuditEvent.objects.create(
        at=now or clock.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        ip_address=ip,
        details=_mask(details or {}),
    )

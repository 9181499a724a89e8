"""Daily reconciliation: compare what the national platform acknowledged with the registry."""

from __future__ import annotations

from registry.applications.models import Registration
from registry.outbox.events import registration_snapshot
from registry.outbox.models import Kind, OutboxMessage, Status


def acknowledged_snapshots() -> dict[int, dict]:
    """Return, per registration, the snapshot of the last registration message the platform acknowledged."""
    latest: dict[int, dict] = {}
    delivered = (OutboxMessage.objects.filter(kind=Kind.NATIONAL, status=Status.DELIVERED, registration_id__isnull=False,
                                              payload__type="registration")
                 .order_by("registration_id", "payload__sequence").values_list("registration_id", "payload"))
    for registration_id, payload in delivered:
        latest[registration_id] = payload["registration"]
    return latest


def differences() -> list[str]:
    """Return one line per registration whose acknowledged state differs from the registry (no ID numbers)."""
    acknowledged = acknowledged_snapshots()
    lines = []
    registrations = Registration.objects.select_related("person", "employer").prefetch_related("specialties")
    seen = set()
    for registration in registrations.order_by("pk"):
        seen.add(registration.pk)
        current = registration_snapshot(registration)
        sent = acknowledged.get(registration.pk)
        if sent is None:
            lines.append(f"{registration.number}: 全国平台尚未确认收到")
            continue
        changed = sorted(k for k in current if current[k] != sent.get(k) and k != "id_number")
        if current.get("id_number") != sent.get("id_number"):
            changed.append("id_number")
        if changed:
            lines.append(f"{registration.number}: 与全国平台不一致（{', '.join(changed)}）")
    for registration_id in sorted(set(acknowledged) - seen):
        lines.append(f"{acknowledged[registration_id].get('registration_number')}: 全国平台有记录，本系统已无此注册")
    return lines

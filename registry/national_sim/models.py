"""What the stand-in national receiver holds: each message once per idempotency key, and its mode."""

from __future__ import annotations

from django.db import models

from registry import clock


class Mode(models.TextChoices):
    ACKNOWLEDGE = "ack", "正常确认"
    FAIL = "fail", "返回错误（500）"
    DOWN = "down", "停止服务（503）"


class StandInState(models.Model):
    """The receiver's one row: how it answers."""

    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.ACKNOWLEDGE)


class ReceivedMessage(models.Model):
    """A message applied by the receiver; a repeat of its key is acknowledged and counted, not applied."""

    idempotency_key = models.CharField(max_length=120, unique=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=clock.now)
    times_received = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-received_at"]

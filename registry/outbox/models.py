"""The outbox: every event that must leave the system, written in the transaction that caused it.

A worker claims a message by a conditional update (pending and due -> delivering with a lease), hands it to
its adapter, and marks it delivered on acknowledgement or schedules the next attempt. A lease that runs out
(a killed worker) makes the message due again; the receiver deduplicates by the idempotency key.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry import clock


class Kind(models.TextChoices):
    NATIONAL = "national", _("全国平台")
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")
    WEBHOOK = "webhook", _("企业订阅")


class Status(models.TextChoices):
    PENDING = "pending", _("待发送")
    DELIVERING = "delivering", _("发送中")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("发送失败，等待重试")
    PARKED = "parked", _("已搁置")


# Statuses of a message not yet acknowledged.
UNDELIVERED = [Status.PENDING, Status.DELIVERING, Status.FAILED, Status.PARKED]


class OutboxMessage(models.Model):
    """One message to one receiver, delivered at least once and deduplicated by its idempotency key."""

    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    # Where it goes: a mobile number, an e-mail address, a webhook URL; the national feed has none.
    destination = models.CharField(_("接收方"), max_length=300, blank=True)
    payload = models.JSONField(default=dict)
    idempotency_key = models.CharField(max_length=120, unique=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(default=clock.now)
    # While delivering: when the claim runs out and another worker may deliver it again.
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(auto_now=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # The subscription a webhook delivery belongs to (listed on the enterprise's page).
    subscription = models.ForeignKey("Subscription", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="deliveries")
    # What it is about, for reconciliation and the operator page (no personal data).
    registration_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("外发消息")
        verbose_name_plural = _("外发消息")
        indexes = [
            # The retry sweep: due messages by status.
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            # Reconciliation: the acknowledged national messages of a registration.
            models.Index(fields=["kind", "registration_id", "status"], name="outbox_reg_idx"),
        ]

    def __str__(self) -> str:
        return self.idempotency_key


class Notice(models.Model):
    """A notice as the recipient sees it on their pages, so a lost SMS never hides a duty."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    application = models.ForeignKey("applications.Application", null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="+")
    text = models.CharField(max_length=300)
    # The mark stays while the application is still in this status (the duty is still open); blank: no duty.
    open_while_status = models.CharField(max_length=20, blank=True)
    key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        # The "needs action" marks of one user's list.
        indexes = [models.Index(fields=["user", "open_while_status"], name="notice_user_idx")]


class Subscription(models.Model):
    """An enterprise's webhook for status changes of its registered staff."""

    enterprise = models.ForeignKey("people.Enterprise", on_delete=models.CASCADE, related_name="subscriptions")
    url = models.URLField(_("接收地址"), max_length=300)
    # The shared secret both sides sign with; shown once when registered.
    secret = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("企业订阅")
        verbose_name_plural = _("企业订阅")


class PeriodicJob(models.Model):
    """One row per scheduled job: a scheduler runs it only after claiming the slot by a conditional update."""

    name = models.CharField(max_length=50, unique=True)
    next_run_at = models.DateTimeField()
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_result = models.CharField(max_length=300, blank=True)
    runs = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")

"""The audit log's one table: append-only, written only through ``registry.audit.log.log_action``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry import clock


class AuditEvent(models.Model):
    """One line of the append-only audit log: who did what to which object, when and from where."""

    at = models.DateTimeField(_("时间"), default=clock.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("操作人"),
    )
    action = models.CharField(_("操作"), max_length=100, db_index=True)  # dotted code, e.g. applications.application.approved
    target_type = models.CharField(_("对象类型"), max_length=50, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=50, blank=True)
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at"]

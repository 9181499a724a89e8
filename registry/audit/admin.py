"""The audit log in the administrators' console: read-only."""

from django.contrib import admin

from registry.adminsite import ReadOnlyAdmin
from registry.audit.labels import action_label
from registry.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action_in_words", "target_type", "target_id", "ip_address")
    list_filter = ("action",)
    search_fields = ("action", "actor__username", "target_id", "ip_address")
    date_hierarchy = "at"

    @admin.display(description="操作", ordering="action")
    def action_in_words(self, event: AuditEvent) -> str:
        return action_label(event.action)

"""The operators' console for e-certificates: read-only.

Certificates change only through the services (issue, supersede, cancel, revoke, expire), which keep
the invariants and write the logs; the admin would bypass them, so nothing here can be edited.
"""

from django.contrib import admin

from registry.certificates.models import Certificate, CertificateTransition, VerificationReceipt
from registry.people.admin import ReadOnlyAdmin


class CertificateTransitionInline(admin.TabularInline):
    model = CertificateTransition
    fields = ("at", "actor", "from_status", "to_status", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ("serial", "name", "registration_number", "version", "status", "issue_date", "valid_until")
    list_filter = ("status", "source")
    search_fields = ("serial", "registration_number", "licence_identifier")
    exclude = ("id_number",)  # never shown in full in lists or forms of the console
    inlines = [CertificateTransitionInline]


@admin.register(VerificationReceipt)
class VerificationReceiptAdmin(ReadOnlyAdmin):
    """Receipts handed out: look one up by its number to confirm it (its file's sha256) is ours."""

    list_display = ("number", "certificate", "certificate_version", "outcome", "channel", "as_of")
    list_filter = ("outcome", "channel")
    search_fields = ("number", "sha256")

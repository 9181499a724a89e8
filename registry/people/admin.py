"""The administrators' console: read-mostly; authentication and face-check states are never edited here."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.utils import timezone

from registry.people.audit import log_action
from registry.people.models import (
    AuditEvent,
    Enterprise,
    EnterpriseAuthentication,
    EnterpriseOperator,
    FaceCheck,
    LegacyEnterpriseRecord,
    LockCertificate,
    Person,
    Role,
    User,
    YkbIdentity,
)


def _admin_only(request) -> bool:
    """Only active administrators (role admin with staff status) enter the console."""
    user = request.user
    return bool(user.is_active and user.is_staff and user.role == Role.ADMIN)


admin.site.has_permission = _admin_only
admin.site.site_header = "重庆市二级建造师电子注册系统 · 后台管理"
admin.site.site_title = "后台管理"


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class RegistryUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "role", "district", "is_active", "last_login")
    list_filter = ("role", "district", "is_active")
    fieldsets = UserAdmin.fieldsets + (("角色", {"fields": ("role", "district", "must_change_password")}),)

    def save_model(self, request, obj, form, change):
        old = User.objects.filter(pk=obj.pk).values("role", "district", "is_staff", "is_superuser").first()
        super().save_model(request, obj, form, change)
        new = {"role": obj.role, "district": obj.district, "is_staff": obj.is_staff, "is_superuser": obj.is_superuser}
        if old != new:
            log_action("people.user.role_changed", actor=request.user, target=obj, request=request,
                       details={"before": old or {}, "after": new})


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "masked_id_number", "sex", "birth_date")
    search_fields = ("name",)
    readonly_fields = ("user", "id_number", "real_name_level", "created_at")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        person = Person.objects.filter(pk=object_id).first()
        if person is not None and request.method == "GET":
            log_action("people.person.viewed_full", actor=request.user, target=person, request=request,
                       details={"where": "admin"})
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "district", "auth_state", "auth_method", "is_active")
    list_filter = ("auth_state", "district", "is_active")
    search_fields = ("name", "credit_code")
    # Authentication is decided by the lock, the old password or the district officer, not here.
    readonly_fields = ("auth_state", "auth_method", "authenticated_at", "onsite_required_reason",
                       "onsite_requested_at")


@admin.register(EnterpriseOperator)
class EnterpriseOperatorAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "user", "is_manager", "can_confirm", "created_at")
    list_filter = ("is_manager", "can_confirm")


@admin.register(EnterpriseAuthentication)
class EnterpriseAuthenticationAdmin(ReadOnlyAdmin):
    list_display = ("at", "enterprise", "method", "outcome", "actor", "reason")
    list_filter = ("method", "outcome")


@admin.register(FaceCheck)
class FaceCheckAdmin(ReadOnlyAdmin):
    list_display = ("person", "purpose", "method", "verified_at", "expires_at", "used_at", "recorded_by")
    list_filter = ("purpose", "method")


@admin.register(YkbIdentity)
class YkbIdentityAdmin(ReadOnlyAdmin):
    list_display = ("user", "kind", "enterprise_name", "last_sign_in_at")
    exclude = ("subject",)


@admin.register(LegacyEnterpriseRecord)
class LegacyEnterpriseRecordAdmin(ReadOnlyAdmin):
    list_display = ("name", "old_credit_code", "district", "legacy_user", "imported_at")
    search_fields = ("name", "old_credit_code")


@admin.action(description="吊销所选身份锁证书")
def revoke_certificates(modeladmin, request, queryset):
    count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    log_action("people.lock.revoked", actor=request.user, request=request, details={"count": count})
    messages.success(request, f"已吊销 {count} 个身份锁证书。")


@admin.register(LockCertificate)
class LockCertificateAdmin(ReadOnlyAdmin):
    list_display = ("record", "serial", "not_after", "revoked_at", "lost_at")
    exclude = ("certificate_der",)
    actions = [revoke_certificates]

    def has_change_permission(self, request, obj=None):
        # Needed for the revoke action; the form itself is read-only (every field is listed below).
        return _admin_only(request)

    def get_readonly_fields(self, request, obj=None):
        return ("record", "fingerprint", "serial", "not_after", "revoked_at", "lost_at")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "target_type", "target_id", "ip_address")
    list_filter = ("action",)
    search_fields = ("action", "actor__username", "target_id", "ip_address")
    date_hierarchy = "at"

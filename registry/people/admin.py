"""The administrators' console: read-mostly.

Authentication and face-check states are never edited here, and neither is identity data: a person's
name, ID number and birth date come from real-name verification, an enterprise's credit code and
operating state from the registries. Whatever the console does change (roles, the revocation of
identity-lock certificates) writes an audit row, the revocation through its service.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin

from registry import clock
from registry.adminsite import ReadOnlyAdmin, admin_only
from registry.audit.log import client_ip, log_action
from registry.people.enterprise_auth import revoke_lock_certificates
from registry.people.models import (
    Enterprise,
    EnterpriseAuthentication,
    EnterpriseOperator,
    FaceCheck,
    LegacyEnterpriseRecord,
    LockCertificate,
    Person,
    User,
    YkbIdentity,
)


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
            log_action("people.user.role_changed", actor=request.user, target=obj, ip=client_ip(request),
                       details={"before": old or {}, "after": new})


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "id_number_masked", "sex", "birth_date")
    search_fields = ("name",)
    readonly_fields = ("user", "name", "id_number", "birth_date", "real_name_level", "created_at")

    @admin.display(description="身份证件号码（部分隐藏）")
    def id_number_masked(self, person: Person) -> str:
        return person.masked_id_number

    def change_view(self, request, object_id, form_url="", extra_context=None):
        person = Person.objects.filter(pk=object_id).first()
        if person is not None and request.method == "GET":
            log_action("people.person.viewed_full", actor=request.user, target=person, ip=client_ip(request),
                       details={"where": "admin"})
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "district", "auth_state", "auth_method", "is_active")
    list_filter = ("auth_state", "district", "is_active")
    search_fields = ("name", "credit_code")
    # Authentication is decided by the lock, the old password or the district officer, not here.
    readonly_fields = ("credit_code", "is_active", "auth_state", "auth_method", "authenticated_at",
                       "onsite_required_reason", "onsite_requested_at")


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
    count = revoke_lock_certificates(actor=request.user, certificates=queryset, now=clock.now(),
                                     ip=client_ip(request))
    messages.success(request, f"已吊销 {count} 个身份锁证书。")


@admin.register(LockCertificate)
class LockCertificateAdmin(ReadOnlyAdmin):
    list_display = ("record", "serial", "not_after", "revoked_at", "lost_at")
    exclude = ("certificate_der",)
    actions = [revoke_certificates]

    def has_change_permission(self, request, obj=None):
        # Needed for the revoke action; the form itself is read-only (every field is listed below).
        return admin_only(request)

    def get_readonly_fields(self, request, obj=None):
        return ("record", "fingerprint", "serial", "not_after", "revoked_at", "lost_at")

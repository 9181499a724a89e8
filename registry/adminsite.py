"""The administrators' console: who may enter it, its title, and the read-only base of its pages.

The console is read-mostly: statuses, identity data and workflow input change only through services,
which check permissions and write the audit log.
"""

from __future__ import annotations

from django.contrib import admin

from registry.roles import Role


def admin_only(request) -> bool:
    """Only active administrators (role admin with staff status) enter the console."""
    user = request.user
    return bool(user.is_active and user.is_staff and user.role == Role.ADMIN)


admin.site.has_permission = admin_only
admin.site.site_header = "重庆市二级建造师电子注册系统 · 后台管理"
admin.site.site_title = "后台管理"
admin.site.index_title = "后台管理首页"


class ReadOnlyAdmin(admin.ModelAdmin):
    """A page of the console that shows rows and never adds, changes or deletes one."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

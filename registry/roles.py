"""The roles of the system and the one decorator that keeps a page to some of them.

The rule for a page of another role: **404**, exactly like a page that does not exist. A signed-in
user who may not use a page learns nothing about it (the same rule as another party's object, see
``people.access``); a visitor who is not signed in is sent to the sign-in page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    ENTERPRISE = "enterprise", _("企业经办人")
    REVIEWER = "reviewer", _("审批人员（市住房城乡建委）")
    DISTRICT = "district", _("区县住房城乡建设主管部门")
    SERVICE_CENTRE = "service_centre", _("政务服务中心工作人员")
    ADMIN = "admin", _("系统管理员")


def require_role(*roles: str) -> Callable:
    """Decorate a view so only active signed-in users of the roles reach it (others: sign-in page or 404)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            # Imported here: the auth views load the user model, which itself imports Role from here.
            from django.contrib.auth.views import redirect_to_login

            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.user.role not in roles or not request.user.is_active:
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator

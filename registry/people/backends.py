"""Password sign-in with throttling: too many failures per username or address are refused."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from registry.audit.log import client_ip
from registry.people.signin import is_throttled


class ThrottledModelBackend(ModelBackend):
    """Django's model backend, refusing to check any password while its username or address is throttled.

    The refusal marks the request (``request.login_throttled``) so the sign-in page shows why, and
    raises PermissionDenied so no other backend is tried; the failure signal still fires and is logged.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is not None and is_throttled(username, client_ip(request), now=timezone.now()):
            if request is not None:
                request.login_throttled = True
            raise PermissionDenied
        return super().authenticate(request, username=username, password=password, **kwargs)

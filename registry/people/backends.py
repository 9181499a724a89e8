"""Password sign-in with throttling: too many failures of an account from one address, or from one address
in all, are refused; an account's failures from everywhere only slow its sign-in down."""

from __future__ import annotations

import time

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from registry import clock
from registry.audit.log import client_ip
from registry.people.signin import is_throttled, slowdown_seconds


class ThrottledModelBackend(ModelBackend):
    """Django's model backend, refusing to check a password while its (account, address) pair or its address
    is throttled, and waiting first when the account has many recent failures.

    The refusal marks the request (``request.login_throttled``) so the sign-in page shows why, and
    raises PermissionDenied so no other backend is tried; the failure signal still fires and is logged.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is not None:
            now = clock.now()
            if is_throttled(username, client_ip(request), now=now):
                if request is not None:
                    request.login_throttled = True
                raise PermissionDenied
            delay = slowdown_seconds(username, now=now)
            if delay:
                time.sleep(delay)
        return super().authenticate(request, username=username, password=password, **kwargs)

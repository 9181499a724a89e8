"""Middleware of the whole site: a lost race on the database answers like a stale page, never a 500."""

from __future__ import annotations

from django.contrib import messages
from django.db import OperationalError
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def is_lock_timeout(error: BaseException) -> bool:
    """Return whether the error is SQLite giving up on a write lock held by a concurrent request."""
    return isinstance(error, OperationalError) and "locked" in str(error).lower()


class LostRaceMiddleware:
    """Turn "database is locked" (another request kept the write lock past the busy timeout) into the stale-page
    message and a way back, as a lost compare-and-set is answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_lock_timeout(exception):
            return None
        # The words of a lost compare-and-set (applications.services._transition): both losers read the same.
        messages.error(request, _("该申请已被他人处理或状态已变化，请刷新页面后查看。"))
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            back = "/"
        return redirect(back)

"""Middleware: an account flagged ``must_change_password`` may do nothing else until it has."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    """Send an account that must change its password to the change page (sign-out and static stay open)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = {reverse("people:password_change"), reverse("logout")}
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("people:password_change")
        return self.get_response(request)

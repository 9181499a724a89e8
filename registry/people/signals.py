"""Audit of sign-in, failed sign-in and sign-out, whichever view performed them."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from registry import clock
from registry.audit.log import client_ip, log_action
from registry.people.access import mark_authenticated_now
from registry.people.signin import clear_failures, record_failure


@receiver(user_logged_in)
def on_logged_in(sender, request, user, **kwargs):
    if request is None:
        return
    mark_authenticated_now(request)
    method = getattr(request, "sign_in_method", "password")
    clear_failures(user.get_username())
    log_action("people.signin.succeeded", actor=user, target=user, ip=client_ip(request), details={"method": method})


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))
    record_failure(username, client_ip(request), now=clock.now())
    # Only a username that exists is logged: what was typed may be a password or an ID number.
    known = get_user_model().objects.filter(username=username).first()
    log_action(
        "people.signin.failed", target=known, ip=client_ip(request),
        details={"method": "password", "throttled": bool(getattr(request, "login_throttled", False)),
                 "username": known.username if known else "(unknown)"},
    )


@receiver(user_logged_out)
def on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        log_action("people.signout", actor=user, target=user, ip=client_ip(request))

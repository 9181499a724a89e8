"""The stand-in national platform receiver (demo and tests only): acknowledges, fails on demand or is down."""

from __future__ import annotations

import base64
import binascii
import hmac
import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from registry.national_sim.models import Mode, ReceivedMessage, StandInState
from registry.people.models import Role
from registry.roles import require_role


def current_mode() -> str:
    state = StandInState.objects.first()
    return state.mode if state else Mode.ACKNOWLEDGE


def _authorised(request) -> bool:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return False
    try:
        user, _sep, secret = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return hmac.compare_digest(user, settings.NATIONAL_PLATFORM_CLIENT_ID) and hmac.compare_digest(
        secret, settings.NATIONAL_PLATFORM_SECRET)


@csrf_exempt  # a machine-to-machine API authenticated by its credentials, not a browser form
def receive(request):
    """Apply one message once per Idempotency-Key; a repeat is acknowledged as a duplicate."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    mode = current_mode()
    if mode == Mode.DOWN:
        return JsonResponse({"error": "unavailable"}, status=503)
    if mode == Mode.FAIL:
        return JsonResponse({"error": "internal error"}, status=500)
    if not _authorised(request):
        return JsonResponse({"error": "unauthorised"}, status=401)
    key = request.headers.get("Idempotency-Key", "")
    try:
        payload = json.loads(request.body)
    except ValueError:
        return JsonResponse({"error": "bad json"}, status=400)
    if not key or not isinstance(payload, dict):
        return JsonResponse({"error": "Idempotency-Key and a JSON object are required"}, status=400)
    try:
        with transaction.atomic():
            ReceivedMessage.objects.create(idempotency_key=key, payload=payload)
    except IntegrityError:
        ReceivedMessage.objects.filter(idempotency_key=key).update(times_received=F("times_received") + 1)
        return JsonResponse({"status": "duplicate", "key": key})
    return JsonResponse({"status": "accepted", "key": key})


@require_role(Role.ADMIN, Role.REVIEWER)
@require_http_methods(["GET", "POST"])
def messages_page(request):
    """Show what the stand-in received and switch how it answers."""
    if request.method == "POST":
        mode = request.POST.get("mode", "")
        if mode in Mode.values:
            StandInState.objects.update_or_create(pk=1, defaults={"mode": mode})
        return redirect("national_sim:messages")
    received = ReceivedMessage.objects.all()[:200]
    return render(request, "national_sim/messages.html", {
        "received": received, "mode": current_mode(), "modes": Mode.choices,
    })

"""Answers shared by every app: a 400 page that says what was wrong with the request."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def bad_request(request: HttpRequest, reason: str) -> HttpResponse:
    """Return the site's 400 page with the reason, in the user's language."""
    return render(request, "400.html", {"reason": reason}, status=400)

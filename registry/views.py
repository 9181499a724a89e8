"""Pages that belong to no single app: the start page."""

from django.conf import settings
from django.shortcuts import redirect, render

from registry.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

# Where each role starts after signing in.
ROLE_HOME = {
    "applicant": "applications:mine",
    "enterprise": "applications:employer_pending",
    "reviewer": "applications:queue",
    "admin": "admin:index",
}


def home(request):
    """Show the start page, or send a signed-in user to the page of their role."""
    if request.user.is_authenticated and request.GET.get("stay") != "1":
        target = ROLE_HOME.get(request.user.role)
        if target:
            return redirect(target)
    context = {"demo_accounts": DEMO_ACCOUNTS if settings.DEMO_MODE else [], "demo_password": DEMO_PASSWORD}
    return render(request, "home.html", context)

"""Pages that belong to no single app: the start page."""

from django.conf import settings
from django.shortcuts import redirect, render

from registry.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from registry.people.models import Enterprise

# Where each role starts after signing in.
ROLE_HOME = {
    "applicant": "applications:mine",
    "enterprise": "applications:employer_pending",
    "reviewer": "applications:queue",
    "district": "people:district_enterprises",
    "service_centre": "people:person_lookup",
    "admin": "audit:log",
}


def home(request):
    """Show the start page, or send a signed-in user to the page of their role."""
    if request.user.is_authenticated and request.GET.get("stay") != "1":
        target = ROLE_HOME.get(request.user.role)
        if request.user.role == "enterprise" and not request.user.operator_roles.exists():
            target = "people:enterprise_auth"  # an employer account that has not authenticated its enterprise yet
        if target:
            return redirect(target)
    context = {"demo_accounts": [], "demo_password": DEMO_PASSWORD, "demo_enterprises": []}
    if settings.DEMO_MODE:
        context["demo_accounts"] = DEMO_ACCOUNTS
        context["demo_enterprises"] = Enterprise.objects.order_by("credit_code")[:10]
    return render(request, "home.html", context)

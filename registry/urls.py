"""Top-level URL map; the simulators of the external systems are mounted only in demo mode."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from registry import views
from registry.certificates.api import api
from registry.ops import health

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Early: the QR landing page is the busiest and patterns are tried in order (none it now precedes matches it).
    path("certificates/", include("registry.certificates.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("applications/", include("registry.applications.urls")),
    path("audit/", include("registry.audit.urls")),
    path("api/", api.urls),
    path("", include("registry.people.urls")),
    path("outbox/", include("registry.outbox.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEMO_MODE:
    # The simulated 渝快办 (sign-in, face check, identity lock). Production settings refuse it.
    urlpatterns.append(path(settings.YKB_SIM_PATH.strip("/") + "/", include("registry.ykb_sim.urls")))
    # The stand-in national platform receiver. Production settings refuse to point at it.
    urlpatterns.append(path(settings.NATIONAL_SIM_PATH.strip("/") + "/", include("registry.national_sim.urls")))

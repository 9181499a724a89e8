"""Top-level URL map."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from registry import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("applications/", include("registry.applications.urls")),
    path("", include("registry.people.urls")),
    path("outbox/", include("registry.outbox.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEMO_MODE:
    # The stand-in national platform receiver. Production settings refuse to point at it.
    urlpatterns.append(path(settings.NATIONAL_SIM_PATH.strip("/") + "/", include("registry.national_sim.urls")))

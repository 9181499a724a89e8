"""URLs of the simulated 渝快办 (mounted only while DEMO_MODE is on)."""

from django.urls import path

from registry.ykb_sim import views

app_name = "ykb_sim"
urlpatterns = [
    path(".well-known/openid-configuration", views.discovery, name="discovery"),
    path("authorize", views.authorize, name="authorize"),
    path("token", views.token, name="token"),
    path("userinfo", views.userinfo, name="userinfo"),
    path("jwks", views.jwks, name="jwks"),
    path("face/", views.face, name="face"),
    path("lock/", views.lock, name="lock"),
]

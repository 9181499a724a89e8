"""State of the simulated provider: its test identities, authorization codes and access tokens."""

from __future__ import annotations

from django.db import models

from registry import clock


class SimIdentity(models.Model):
    """A test identity to pick on the simulated sign-in page."""

    subject = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, default="person", choices=[("person", "个人账号"), ("legal", "法人账号")])
    name = models.CharField(max_length=50)
    id_number = models.CharField(max_length=18)
    mobile = models.CharField(max_length=20, blank=True)
    real_name_level = models.CharField(max_length=10, default="L3")
    credit_code = models.CharField(max_length=18, blank=True)
    enterprise_name = models.CharField(max_length=100, blank=True)
    ordering = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["ordering", "pk"]

    def __str__(self) -> str:
        return self.label


class SimAuthCode(models.Model):
    """An authorization code: single-use, short-lived, bound to client, redirect URI and PKCE challenge."""

    code_hash = models.CharField(max_length=64, unique=True)
    identity = models.ForeignKey(SimIdentity, on_delete=models.CASCADE)
    client_id = models.CharField(max_length=100)
    redirect_uri = models.CharField(max_length=500)
    scope = models.CharField(max_length=300)
    nonce = models.CharField(max_length=200, blank=True)
    code_challenge = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class SimAccessToken(models.Model):
    """An access token for the userinfo endpoint; revoked when its code is replayed."""

    token_hash = models.CharField(max_length=64, unique=True)
    code = models.ForeignKey(SimAuthCode, on_delete=models.CASCADE, related_name="tokens")
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

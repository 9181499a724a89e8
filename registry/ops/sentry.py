"""Error reporting: the Sentry SDK, started only when SENTRY_DSN is set (the `sentry` extra installs it).

Personal data is never sent: send_default_pii stays off (no user, cookies, headers or bodies), and
request bodies and local variables are left out of events.
"""

from __future__ import annotations


def init_sentry(dsn: str, *, environment: str, release: str) -> None:
    """Start the Sentry SDK with its Django integration and personal data off."""
    try:
        import sentry_sdk
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError:
        raise RuntimeError("SENTRY_DSN is set but sentry-sdk is not installed: pip install '.[sentry]'") from None
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=0.0,
    )

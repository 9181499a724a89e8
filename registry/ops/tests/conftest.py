"""The operations tests reuse the workflow's personas (the `world` fixture)."""

from registry.applications.tests.conftest import world  # noqa: F401

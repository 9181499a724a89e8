"""The simulator tests share the identity personas and settings."""

from registry.people.tests.conftest import identity_settings, make_lock  # noqa: F401

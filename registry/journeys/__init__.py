"""The issue #14 journeys, clicked through in Chromium against the system started as scripts/start does."""

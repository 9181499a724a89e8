"""List the differences between the registry and what the national platform acknowledged."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from registry.outbox.reconcile import differences


class Command(BaseCommand):
    help = "Compare the registrations with the national platform's acknowledged messages and list differences."

    def handle(self, *args, **options):
        found = differences()
        for line in found:
            self.stdout.write(line)
        self.stdout.write(f"{len(found)} differences")

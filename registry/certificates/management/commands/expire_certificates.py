"""Mark expired every valid certificate whose specialties have all ended (daily; idempotent).

    python manage.py expire_certificates
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from registry import clock
from registry.certificates.services import expire_certificates


class Command(BaseCommand):
    help = "Mark expired the valid certificates whose every specialty has ended (safe to run any number of times)."

    def handle(self, *args, **options) -> None:
        count = expire_certificates(now=clock.now())
        self.stdout.write(f"expired: {count}")

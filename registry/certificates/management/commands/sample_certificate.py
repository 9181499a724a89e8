"""Write a sealed sample certificate from synthetic demo data, then verify it.

    python manage.py sample_certificate OUT.ofd

The seal comes from the demo authority in settings.SEAL_KEY_DIR (created there on first use). The
layout is settings.CERTIFICATE_LAYOUT_FILE when set, else the bundled Chongqing layout.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from registry import clock
from registry.certificates.demo import demo_certificate_data
from registry.certificates.document import CertificateError, build_certificate
from registry.certificates.layout import LayoutError, load_layout
from registry.ofd.fonts import FontError
from registry.seal import load_demo_authority, verify_ofd


class Command(BaseCommand):
    help = "Write a sealed sample certificate (synthetic data, demo seal) and verify it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("output", type=Path, help="where to write the .ofd file")
        parser.add_argument("--name", default="张晓明", help="the holder's name to print")

    def handle(self, *args: object, **options: object) -> None:
        output = Path(str(options["output"]))
        authority = load_demo_authority(Path(settings.SEAL_KEY_DIR), create_if_missing=True)
        base_url = settings.CERTIFICATE_VERIFY_BASE_URL
        secret = settings.CERTIFICATE_VERIFICATION_KEY
        now = clock.now().replace(microsecond=0)
        try:
            layout = load_layout(settings.CERTIFICATE_LAYOUT_FILE or None)
            data = demo_certificate_data(base_url=base_url, secret=secret, name=str(options["name"]))
            if settings.AUTHORITY_NAME:
                data = replace(data, authority_name=settings.AUTHORITY_NAME)
            content = build_certificate(
                data, layout=layout, signer=authority.signer, seal=authority.seal, sign_time=now
            )
        except (CertificateError, LayoutError, FontError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(content)
        report = verify_ofd(content, trust_roots=[authority.trust_root], strict=True)
        self.stdout.write(str(output.resolve()))
        self.stdout.write(
            f"verification: {report.verdict.value} ({len(content)} bytes, URL {data.verification_url})"
        )
        for step in report.failures:
            self.stdout.write(f"  failed: {step.code}: {step.message}")
        if not report.valid:
            raise CommandError("the sample certificate does not verify")

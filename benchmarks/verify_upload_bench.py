"""Benchmark: the upload check service on a ~1 MB sealed certificate (target: median <= 50 ms).

    DATABASE_URL=sqlite:///var/bench-upload.sqlite3 .venv/bin/python benchmarks/verify_upload_bench.py [--rounds 50] [--json]

Measured: registry.certificates.upload_check.check_upload end to end, as the page and the API call
it: the strict seal verification of the whole file (ZIP, every SM3 digest, SM2 signatures, seal,
chain to the trust root, coverage), the classification, the steps in Chinese and the indexed
lookup of the file's SHA-256 among the stored certificates (the database is migrated first; the
certificate is not stored, so the answer is unknown_certificate: the same work as a found one but
for reading one row). The certificate is built with a demo PKI and a noisy photo so the file is
about 1 MB. The trust roots are the demo PKI's (what trust_roots() returns with the demo signer).

Times are wall-clock milliseconds per check (time.perf_counter), median and p95 of the rounds.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from PIL import Image  # noqa: E402

from registry import clock  # noqa: E402
from registry.certificates import upload_check  # noqa: E402
from registry.certificates.demo import demo_certificate_data, demo_signature  # noqa: E402
from registry.certificates.document import build_certificate  # noqa: E402
from registry.certificates.layout import load_layout  # noqa: E402
from registry.clock import LOCAL_ZONE  # noqa: E402
from registry.seal.demo import create_demo_pki  # noqa: E402


def big_photo(target: int) -> bytes:
    """Return a JPEG of noise close to target bytes (noise does not compress)."""
    rng = random.Random(7)
    side = 600
    while True:
        image = Image.frombytes("RGB", (side, int(side * 1.29)), rng.randbytes(side * int(side * 1.29) * 3))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=90)
        if buffer.tell() >= target or side > 3000:
            return buffer.getvalue()
        side = int(side * 1.15)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    now = clock.now()
    with tempfile.TemporaryDirectory() as folder:
        authority = create_demo_pki(Path(folder), now=now)
    data = demo_certificate_data(photo=big_photo(950_000), signature=demo_signature(),
                                 issue_date=now.astimezone(LOCAL_ZONE).date())
    content = build_certificate(data, layout=load_layout(), signer=authority.signer, seal=authority.seal,
                                sign_time=now)
    upload_check.trust_roots = lambda: [authority.trust_root]  # the demo PKI's root, as with the demo signer
    result = upload_check.check_upload(content, now=now)
    assert result.answer.code == "unknown_certificate", result.answer
    for _ in range(3):
        upload_check.check_upload(content, now=now)
    times = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        upload_check.check_upload(content, now=now)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    figures = {"file_bytes": len(content), "rounds": args.rounds, "median_ms": round(statistics.median(times), 1),
               "p95_ms": round(times[int(len(times) * 0.95) - 1], 1), "min_ms": round(times[0], 1),
               "target_ms": 50}
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"file {len(content) / 1e6:.2f} MB, {args.rounds} checks: median {figures['median_ms']} ms, "
              f"p95 {figures['p95_ms']} ms, min {figures['min_ms']} ms (target median <= 50 ms)")


if __name__ == "__main__":
    main()

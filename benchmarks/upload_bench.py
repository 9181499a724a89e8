"""Measure the cleaning of uploads: the pixel bomb refused from its header, a phone photo, a scanned PDF.

Each case runs in its own child process that reads the sample from a file, so its peak resident memory
(ru_maxrss) is that of cleaning alone (plus Django and the libraries). Times are CPU seconds of the child
(best of the rounds).

    .venv/bin/python benchmarks/upload_bench.py [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

CASES = {
    "bomb": "an 8,900 x 8,900 PNG (79 MP, a few KB): refused from the header",
    "photo": "a 4,000 x 3,000 phone JPEG (12 MP): decoded, stripped, re-encoded",
    "limit": "a 5,000 x 10,000 PNG (50 MP, the bound): decoded and re-encoded",
    "pdf": "a 20-page PDF with a 2,480 x 3,508 scan per page: parsed, walked, re-saved",
}


def sample(case: str) -> bytes:  # built in the parent, so the child measures cleaning alone
    """Return the input bytes of a case."""
    import pikepdf
    from PIL import Image

    out = io.BytesIO()
    if case == "bomb":
        Image.new("1", (8900, 8900)).save(out, "PNG")
    elif case == "photo":
        Image.effect_noise((4000, 3000), 40).convert("RGB").save(out, "JPEG", quality=85)
    elif case == "limit":
        Image.new("RGB", (5000, 10000), (200, 200, 200)).save(out, "PNG")
    else:
        pdf = pikepdf.new()
        scan = io.BytesIO()
        Image.effect_noise((2480, 3508), 30).save(scan, "JPEG", quality=60)
        for _ in range(20):
            page = pdf.add_blank_page(page_size=(595, 842))
            image = pdf.make_stream(scan.getvalue(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                                    Width=2480, Height=3508, ColorSpace=pikepdf.Name.DeviceGray,
                                    BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode)
            page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
            page.Contents = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
        pdf.save(out)
    return out.getvalue()


def child(case: str, path: str, rounds: int) -> None:
    """Run one case in this process on the sample file and print its figures as JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    import django

    django.setup()
    from registry.applications.uploads import UploadRejected, clean_upload

    with open(path, "rb") as handle:
        data = handle.read()
    best, outcome = float("inf"), ""
    for _ in range(rounds):
        started = time.process_time()
        try:
            outcome = f"accepted, {len(clean_upload(data, max_bytes=100 * 1024 * 1024).content):,} bytes stored"
        except UploadRejected as error:
            outcome = f"refused: {error.message}"
        best = min(best, time.process_time() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"case": case, "input_bytes": len(data), "cpu_ms": round(best * 1000, 1),
                      "peak_rss_mib": round(peak, 1), "outcome": outcome}, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=sorted(CASES))
    parser.add_argument("--sample")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.sample, args.rounds)
        return
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for case in CASES:
            path = os.path.join(folder, case)
            with open(path, "wb") as handle:
                handle.write(sample(case))
            run = subprocess.run([sys.executable, __file__, "--child", case, "--sample", path,
                                  "--rounds", str(args.rounds)], capture_output=True, text=True, check=True)
            results.append(json.loads(run.stdout.strip().splitlines()[-1]))
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    for row in results:
        print(f"{row['case']:6} {CASES[row['case']]}\n       input {row['input_bytes']:,} B, "
              f"{row['cpu_ms']} ms CPU, peak {row['peak_rss_mib']} MiB; {row['outcome'][:80]}")


if __name__ == "__main__":
    main()

"""Command line: ``python -m registry.seal verify FILE.ofd`` and ``python -m registry.seal demo-pki DIR``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from registry.ofd.package import MAX_PACKAGE_BYTES

from .certs import CertificateError, load_certificates_pem
from .demo import create_demo_pki
from .verify import Report, Status, verify_ofd

_MARKS = {Status.OK: "ok", Status.FAILED: "FAILED", Status.WARNING: "warning", Status.SKIPPED: "skipped"}


def _parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _print_report(path: str, report: Report) -> None:
    print(f"{path}: {report.verdict.upper()}")
    for step in report.steps:
        where = f" [{step.signature}]" if step.signature else ""
        print(f"  {_MARKS[step.status]:<8} {step.code}{where}: {step.message}")
    if report.failures:
        first = report.failures[0]
        print(f"First failing step: {first.code}: {first.message}")


def _verify(args: argparse.Namespace) -> int:
    try:
        # The size first: a file too large to be a package is never read into memory.
        with Path(args.file).open("rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            if size > MAX_PACKAGE_BYTES:
                print(f"{args.file}: {size} bytes, larger than an OFD package may be ({MAX_PACKAGE_BYTES})",
                      file=sys.stderr)
                return 2
            data = stream.read(MAX_PACKAGE_BYTES + 1)
    except OSError as exc:
        print(f"{args.file}: cannot read: {exc.strerror}", file=sys.stderr)
        return 2
    trust_roots = None
    if args.trust:
        trust_roots = []
        for trust_file in args.trust:
            try:
                trust_roots.extend(load_certificates_pem(Path(trust_file).read_bytes()))
            except (OSError, CertificateError) as exc:
                print(f"{trust_file}: cannot read trust root: {exc}", file=sys.stderr)
                return 2
    at = _parse_time(args.at) if args.at else None
    report = verify_ofd(data, trust_roots=trust_roots, at=at, strict=args.strict)
    if args.json:
        print(json.dumps({"file": args.file, **report.to_dict()}, ensure_ascii=False, indent=2))
    else:
        _print_report(args.file, report)
    return report.exit_code


def _demo_pki(args: argparse.Namespace) -> int:
    authority = create_demo_pki(args.directory)
    print(f"Demo PKI written to {args.directory} (seal: {len(authority.seal)} bytes)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m registry.seal", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="verify the seals of an OFD file (exit 0 valid, 1 invalid, 2 unreadable)")
    verify.add_argument("file")
    verify.add_argument("--trust", action="append", metavar="ROOT.pem", help="trusted root certificate(s), PEM or DER")
    verify.add_argument("--at", metavar="TIME", help="evaluate validity at this ISO time instead of the signing time")
    verify.add_argument("--strict", action="store_true", help="fail when a file is covered by no signature")
    verify.add_argument("--json", action="store_true", help="print the report as JSON")
    verify.set_defaults(handler=_verify)
    demo = commands.add_parser("demo-pki", help="create a demo root CA, seal maker, signer and seal in DIR")
    demo.add_argument("directory", type=Path)
    demo.set_defaults(handler=_demo_pki)
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

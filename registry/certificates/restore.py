"""Checks run after a restore (settings.RESTORE_VERIFIERS): every stored certificate is whole and sealed.

For each row: its file is in the certificates' storage, its size, SM3 and SHA-256 match the row, and its
seals verify in strict mode against the authority's trust roots (every part covered, the chain to a
trusted root). A certificate that fails any of these is named with the reason.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from registry.certificates.models import Certificate
from registry.certificates.sealing import certificate_storage, trust_roots
from registry.ops.backup import Check
from registry.seal import sm3, verify_ofd


def verify_certificates(*, now: datetime) -> Check:
    """Re-verify every stored certificate: file present, hashes as recorded, seal valid and trusted."""
    check = Check("certificates")
    storage, roots = certificate_storage(), trust_roots()
    if not roots:
        check.problems.append("no trust roots configured (CERTIFICATE_TRUST_ROOTS_FILE): seals cannot be checked")
    for certificate in Certificate.objects.order_by("pk").iterator():
        check.checked += 1
        label = f"certificate {certificate.serial} ({certificate.storage_name})"
        try:
            with storage.open(certificate.storage_name, "rb") as handle:
                content = handle.read()
        except OSError:
            check.problems.append(f"{label}: file missing")
            continue
        if (len(content), sm3(content).hex(), hashlib.sha256(content).hexdigest()) != (
            certificate.size, certificate.sm3, certificate.sha256
        ):
            check.problems.append(f"{label}: size or hash differs from the row")
            continue
        if roots:
            report = verify_ofd(content, trust_roots=roots, strict=True)
            if not report.valid:
                first = report.failures[0]
                check.problems.append(f"{label}: seal does not verify ({first.code}: {first.message})")
    return check

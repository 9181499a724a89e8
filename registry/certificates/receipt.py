"""Build the sealed verification receipt (核验回执): one A4 OFD page stating what a check found.

Pure: no Django. A relying party who checked a certificate (by its QR link or the registry search)
downloads a receipt sealed by the authority: "certificate X, version Y, outcome Z, as of T, checked
through channel C". Its QR code carries the certificate's live verification link, so anyone holding
the receipt can see whether the answer still holds. The page is drawn from a layout file
(``receipt_layout.json``) by the certificate's own composer, and written and sealed by the same
``write_sealed`` as certificates: one code path for fonts, the QR image and the seal.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from registry.certificates.document import compose_page, write_sealed
from registry.certificates.layout import Layout, load_layout
from registry.certificates.outcomes import format_as_of
from registry.clock import LOCAL_ZONE
from registry.ofd.model import DocInfo

RECEIPT_LAYOUT_FILE = Path(__file__).with_name("receipt_layout.json")
RECEIPT_NAME = "电子证书核验回执"


@dataclass(frozen=True)
class ReceiptData:
    """What one receipt states; the outcome is the server's fresh answer, never the client's."""

    receipt_number: str
    certificate_serial: str
    certificate_version: int
    outcome_code: str
    outcome_title: str
    outcome_reason: str
    as_of: datetime
    channel_label: str
    authority_name: str
    verification_url: str  # the certificate's live link (what its own QR code carries)


def load_receipt_layout(path: str | Path | None = None) -> Layout:
    """Return the receipt layout (the bundled one when path is None)."""
    return load_layout(path or RECEIPT_LAYOUT_FILE)


def build_receipt(
    data: ReceiptData, *, layout: Layout, signer: Any = None, seal: bytes | None = None, sign_time: datetime
) -> bytes:
    """Return the OFD bytes of a receipt, sealed when a signer and a seal are given."""
    values = {
        "receipt_number": data.receipt_number,
        "certificate_serial": data.certificate_serial,
        "version": str(data.certificate_version),
        "outcome_title": data.outcome_title,
        "outcome_reason": data.outcome_reason,
        "as_of": format_as_of(data.as_of),
        "channel": data.channel_label,
        "authority_name": data.authority_name,
    }
    page = compose_page(layout, values, qr_content=data.verification_url)
    info = DocInfo(
        doc_id=uuid.uuid5(uuid.NAMESPACE_URL, "verification-receipt:" + data.receipt_number).hex,
        creation_date=sign_time.astimezone(LOCAL_ZONE).date(),
        title=str(layout.options.get("title", RECEIPT_NAME)),
        author=data.authority_name,
        creator=str(layout.options.get("creator", "registry")),
        creator_version="1.0",
        # The same facts for software, in stable codes and ISO time.
        custom_data=(
            ("回执编号", data.receipt_number),
            ("证书编号", data.certificate_serial),
            ("证书版本", str(data.certificate_version)),
            ("核验结果", data.outcome_code),
            ("核验时间", data.as_of.isoformat()),
            ("核验渠道", data.channel_label),
            ("核验地址", data.verification_url),
        ),
    )
    return write_sealed(page, info, layout=layout, signer=signer, seal=seal, sign_time=sign_time).to_bytes()

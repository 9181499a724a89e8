"""Issue a sealed verification receipt for a certificate named by its verification link.

The outcome printed is computed here, in the request, from the live record (``resolve_link``); the
client sends only the link's public id and check value and the channel it checked through. A link
that is malformed, carries a wrong check value or names no certificate gets no receipt and leaves no
row. Otherwise the receipt is built and sealed, its row stored, and the check counted (channel
``receipt``) -- in that order, so a row always has a file that was handed out.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction

from registry import clock
from registry.certificates import checks
from registry.certificates.models import Certificate, CheckChannel, VerificationReceipt
from registry.certificates.outcomes import Answer
from registry.certificates.public import link_of, resolve_link
from registry.certificates.receipt import ReceiptData, build_receipt, load_receipt_layout
from registry.certificates.sealing import get_sealing
from registry.clock import LOCAL_ZONE

# The channels a relying party can have checked through before asking for a receipt (the pages with
# the button); the upload check and the API are not among them.
RECEIPT_CHANNELS = (CheckChannel.QR, CheckChannel.SEARCH)


class ReceiptRefused(Exception):
    """No receipt: the answer says why (in Chinese), as the landing page would."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.code)
        self.answer = answer


@dataclass(frozen=True)
class IssuedReceipt:
    row: VerificationReceipt
    content: bytes
    answer: Answer


def new_receipt_number(now: datetime) -> str:
    """Return a fresh receipt number: HY, the local date, 8 random base32 characters (no personal data)."""
    random_part = base64.b32encode(secrets.token_bytes(5)).decode("ascii")
    return f"HY{now.astimezone(LOCAL_ZONE):%Y%m%d}{random_part}"


def issue_receipt(public_id: str, check: str, *, channel: CheckChannel | str, now: datetime) -> IssuedReceipt:
    """Return a sealed receipt of the certificate's live answer, or raise ReceiptRefused."""
    channel = CheckChannel(channel)
    if channel not in RECEIPT_CHANNELS:
        raise ValueError(f"no receipt for channel {channel}")
    answer, certificate = resolve_link(public_id, check, now=now)
    if certificate is None:
        raise ReceiptRefused(answer)
    number = new_receipt_number(now)
    content = _build(certificate, answer, number=number, channel=channel)
    with transaction.atomic():
        row = VerificationReceipt.objects.create(
            number=number, certificate=certificate, certificate_version=certificate.version,
            outcome=answer.code, as_of=answer.as_of, channel=channel,
            sha256=hashlib.sha256(content).hexdigest(), created_at=now)
        checks.record_check(certificate, channel=CheckChannel.RECEIPT, outcome=answer.outcome, now=now)
    return IssuedReceipt(row, content, answer)


@functools.cache
def _layout():
    return load_receipt_layout()


def _build(certificate: Certificate, answer: Answer, *, number: str, channel: CheckChannel) -> bytes:
    sealing = get_sealing()
    data = ReceiptData(
        receipt_number=number, certificate_serial=certificate.serial, certificate_version=certificate.version,
        outcome_code=answer.code, outcome_title=answer.title, outcome_reason=answer.reason, as_of=answer.as_of,
        channel_label=str(channel.label), authority_name=settings.AUTHORITY_NAME,
        verification_url=link_of(certificate))
    # The seal records the moment it is made (the real clock), like a certificate's.
    return build_receipt(data, layout=_layout(), signer=sealing.signer, seal=sealing.seal,
                         sign_time=clock.now().replace(microsecond=0))

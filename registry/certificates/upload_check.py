"""The upload check: a relying party uploads a certificate file and learns whether to trust it.

The file's seals are verified strictly against this authority's trust roots and the report is classified
in the one vocabulary (``outcomes.classify_report``). When the seals hold, the stored certificate is found
by the SHA-256 of the whole file, and its *live* status answers: a perfectly sealed file of a superseded
certificate says superseded.

A file whose seals hold under this authority's roots but whose hash matches no stored certificate was
never issued as it stands (no certificate is sealed without being recorded), so it is answered
``unknown_certificate`` with its own reason, never valid. Hostile input (garbage, ZIP bombs, truncated
or huge files, HTML renamed .ofd) is answered, never raised: the seal verifier reports it as a failed
step and the size is refused before the upload is read.

``check_upload`` is the one entry point: the page, the API and the verification receipt call it; its
result carries the Answer, the Certificate (if any) and each step worded in Chinese.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from django.conf import settings
from django.db import DatabaseError

from registry.certificates.models import Certificate
from registry.certificates.outcomes import Answer, Outcome, answer, classify_report
from registry.certificates.public import PublicView, public_view, status_answer
from registry.certificates.sealing import trust_roots
from registry.seal.verify import Report, Status, verify_ofd

# Plain Chinese labels of the seal verifier's steps (codes in registry.seal.verify.STEP_CODES).
STEP_LABELS: dict[str, str] = {
    "package.open": "文件结构",
    "package.entry": "文件结构",
    "signatures.list": "电子签章",
    "signature.description": "电子签章",
    "signed_value.parse": "签名值",
    "reference.digest": "文件完整性",
    "seal.stored_copy": "印章",
    "data_hash": "签名值",
    "signer.signature": "签名值",
    "seal.maker_signature": "印章",
    "seal.signer_listed": "印章",
    "seal.validity": "签章时间",
    "cert.validity": "签章时间",
    "cert.chain": "证书链",
    "signature.error": "电子签章",
    "coverage": "文件完整性",
}
# What each step checks, in Chinese (shown next to its result).
STEP_TEXT: dict[str, str] = {
    "package.open": "文件是可读取的 OFD 文件包",
    "package.entry": "OFD 主文件格式正确",
    "signatures.list": "文件带有电子签章",
    "signature.description": "签章描述可读取",
    "signed_value.parse": "签名值格式正确",
    "reference.digest": "签章覆盖的文件内容未被改动",
    "seal.stored_copy": "印章与签名值中的印章一致",
    "data_hash": "签章描述未被改动",
    "signer.signature": "签章人的数字签名正确",
    "seal.maker_signature": "制章人的数字签名正确",
    "seal.signer_listed": "签章人有权使用该印章",
    "seal.validity": "签章时印章在有效期内",
    "cert.validity": "签章时数字证书在有效期内",
    "cert.chain": "数字证书属于本机关的信任体系",
    "signature.error": "签章数据可检查",
    "coverage": "文件的每一部分都在签章保护之下",
}
STATUS_TEXT = {Status.OK: "通过", Status.FAILED: "未通过", Status.WARNING: "注意", Status.SKIPPED: "未检查"}

TOO_LARGE = "file_too_large"
NO_FILE = "no_file"


class UploadRefused(Exception):
    """The upload is refused before any check (too large, empty); code is stable, message Chinese."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CheckStep:
    """One verification step in plain Chinese: label, what it checks, and its result."""

    code: str
    label: str
    text: str
    status: str
    result: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "label": self.label, "text": self.text, "status": self.status,
                "result": self.result}


@dataclass(frozen=True)
class UploadCheck:
    """The result of an upload check: the answer, the certificate found (if any) and the steps."""

    answer: Answer
    certificate: Certificate | None
    steps: list[CheckStep] = field(default_factory=list)
    sha256: str = ""

    @property
    def public(self) -> PublicView | None:
        return public_view(self.certificate) if self.certificate is not None else None


def max_bytes() -> int:
    return settings.VERIFY_UPLOAD_MAX_BYTES


def too_large() -> UploadRefused:
    """Return the refusal of an upload over the limit, the limit in MB (or KB below one MB)."""
    limit = max_bytes()
    shown = f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
    return UploadRefused(TOO_LARGE, f"文件过大：上传的电子证书不能超过 {shown}。")


def read_upload(upload: IO[bytes], size: int | None) -> bytes:
    """Return an upload's bytes, refusing it by its declared size before reading, and never reading more."""
    limit = max_bytes()
    if size is not None and size > limit:
        raise too_large()
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_large()
    if not data:
        raise UploadRefused(NO_FILE, "请选择要核验的电子证书文件（.ofd）。")
    return data


def chinese_steps(report: Report) -> list[CheckStep]:
    """Return the report's steps in plain Chinese, one per step, in order."""
    return [CheckStep(step.code, STEP_LABELS.get(step.code, "其他检查"), STEP_TEXT.get(step.code, step.code),
                      str(step.status), STATUS_TEXT[step.status]) for step in report.steps]


def check_upload(data: bytes, *, now: datetime) -> UploadCheck:
    """Return the answer for an uploaded certificate file: its seals, then the stored certificate's live status."""
    if len(data) > max_bytes():
        raise too_large()
    digest = hashlib.sha256(data).hexdigest()
    try:
        report = verify_ofd(data, trust_roots=trust_roots(), strict=True)
    except Exception:  # the verifier reports failures as steps; anything else is still the file's fault
        return UploadCheck(answer(Outcome.NOT_A_CERTIFICATE, as_of=now), None, [], digest)
    steps = chinese_steps(report)
    outcome = classify_report(report)
    if outcome is not None:
        return UploadCheck(answer(outcome, as_of=now), None, steps, digest)
    try:
        certificate = (Certificate.objects.select_related("superseded_by").filter(sha256=digest)
                       .order_by("-pk").first())
    except DatabaseError:
        return UploadCheck(answer(Outcome.STATUS_UNAVAILABLE, as_of=now), None, steps, digest)
    if certificate is None:
        return UploadCheck(answer(Outcome.UNKNOWN_CERTIFICATE, as_of=now,
                                  reason="该文件的电子印章属于本机关，但本机关没有签发过与之完全一致的电子证书，"
                                         "请勿信任该文件。"), None, steps, digest)
    return UploadCheck(status_answer(certificate, now=now), certificate, steps, digest)

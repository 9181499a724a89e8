"""The one vocabulary of verification answers: every channel (page, upload, API, receipt) renders these.

Pure (no Django). An answer carries a stable code, a plain Chinese reason and the moment it was true
("as of"). Only ``valid`` means a relying party may trust the certificate; ``status_unavailable`` means
the service could not tell and is never shown as valid or invalid.

The seal verifier's report (``registry.seal.verify``) is classified here too, so that the upload check
and any other channel name a changed byte, a foreign seal and a non-certificate the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from registry.clock import LOCAL_ZONE
from registry.seal.verify import Report, Status


class Outcome(StrEnum):
    """What a verification found; the value is the stable code of the answer."""

    VALID = "valid"
    SUPERSEDED = "superseded"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REVOKED = "revoked"
    NOT_ISSUED_HERE = "not_issued_here"
    TAMPERED = "tampered"
    STATUS_UNAVAILABLE = "status_unavailable"
    NOT_A_CERTIFICATE = "not_a_certificate"
    # Answers of the QR link itself, before any certificate is looked up.
    MALFORMED_LINK = "malformed_link"
    CHECK_FAILED = "check_failed"
    UNKNOWN_CERTIFICATE = "unknown_certificate"


class Tone(StrEnum):
    """How a page shows an answer: trusted, no longer in force, refused, or undetermined."""

    GOOD = "good"
    ENDED = "ended"
    BAD = "bad"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class _Wording:
    title: str
    reason: str
    tone: Tone


WORDING: Mapping[Outcome, _Wording] = {
    Outcome.VALID: _Wording("有效", "该电子证书由本机关签发，当前有效。", Tone.GOOD),
    Outcome.SUPERSEDED: _Wording(
        "已失效（已被新证书替代）", "该电子证书已于{superseded_on}被新版本替代，请以最新证书为准。", Tone.ENDED
    ),
    Outcome.CANCELLED: _Wording("已注销", "该电子证书对应的注册已注销，证书不再有效。", Tone.ENDED),
    Outcome.EXPIRED: _Wording("已过期", "该电子证书所载注册专业的有效期均已届满，证书不再有效。", Tone.ENDED),
    Outcome.REVOKED: _Wording("已撤销", "该电子证书已被发证机关撤销，证书不再有效。", Tone.BAD),
    Outcome.NOT_ISSUED_HERE: _Wording(
        "非本机关签发", "该文件的电子印章不属于本机关的信任体系，不是本机关签发的电子证书。", Tone.BAD
    ),
    Outcome.TAMPERED: _Wording("文件被篡改", "该文件签章后被修改过，内容不可信。", Tone.BAD),
    Outcome.STATUS_UNAVAILABLE: _Wording(
        "暂时无法查询", "暂时无法确认该证书的状态，请稍后再试。此结果不表示证书有效或无效。", Tone.UNKNOWN
    ),
    Outcome.NOT_A_CERTIFICATE: _Wording("不是电子证书", "该文件不是带电子印章的电子证书文件。", Tone.BAD),
    Outcome.MALFORMED_LINK: _Wording("链接无效", "该核验链接格式不正确，请扫描证书上的二维码。", Tone.BAD),
    Outcome.CHECK_FAILED: _Wording(
        "校验码不符", "该核验链接的校验码不正确，链接可能被篡改或输入有误，请扫描证书上的二维码。", Tone.BAD
    ),
    Outcome.UNKNOWN_CERTIFICATE: _Wording("未找到证书", "未找到该核验链接对应的电子证书。", Tone.BAD),
}


@dataclass(frozen=True)
class Answer:
    """One verification answer: outcome, the reason in Chinese, and when it was true."""

    outcome: Outcome
    as_of: datetime
    reason: str
    details: Mapping[str, str] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.outcome.value

    @property
    def title(self) -> str:
        return WORDING[self.outcome].title

    @property
    def tone(self) -> str:
        return WORDING[self.outcome].tone.value

    @property
    def as_of_text(self) -> str:
        """The moment as every channel prints it, in Chongqing's time: 2026年12月1日 08:05:09."""
        return format_as_of(self.as_of)

    @property
    def trustworthy(self) -> bool:
        """Return whether a relying party may rely on the certificate: only when it is valid."""
        return self.outcome is Outcome.VALID

    def to_dict(self) -> dict[str, Any]:
        """Return the answer as JSON-ready data (the API and the receipts)."""
        return {
            "outcome": self.code,
            "title": self.title,
            "reason": self.reason,
            "as_of": self.as_of.isoformat(),
            "trustworthy": self.trustworthy,
            **({"details": dict(self.details)} if self.details else {}),
        }


def format_as_of(moment: datetime) -> str:
    """Return a check's moment as pages and receipts print it, in Chongqing's time: 2026年12月1日 08:05:09."""
    if moment.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    local = moment.astimezone(LOCAL_ZONE)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M:%S}"


def answer(outcome: Outcome, *, as_of: datetime, reason: str | None = None, **details: str) -> Answer:
    """Return the answer for an outcome, worded from the vocabulary (details fill its placeholders)."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    text = reason or WORDING[outcome].reason.format(**details)
    return Answer(outcome, as_of, text, details)


# Steps of the seal verifier whose failure, alone, means "signed with a seal this authority does not trust".
_TRUST_STEPS = frozenset({"cert.chain"})
# Steps whose failure means the file is not a sealed OFD at all.
_NOT_A_CERTIFICATE_STEPS = frozenset({"package.open", "package.entry", "signatures.list"})


def classify_report(report: Report) -> Outcome | None:
    """Return what a seal verification report says about a file, or None when its seals hold.

    None means the file is intact and sealed by a trusted seal: the certificate's live status decides
    the answer. The report must come from a strict verification against this authority's trust roots.
    """
    failed = {step.code for step in report.steps if step.status is Status.FAILED}
    if not failed:
        return None
    if failed & _NOT_A_CERTIFICATE_STEPS:
        return Outcome.NOT_A_CERTIFICATE
    if failed <= _TRUST_STEPS:
        return Outcome.NOT_ISSUED_HERE
    return Outcome.TAMPERED

"""Verify the GB/T 38540 (and legacy GM/T 0031) seals of an OFD file, step by step.

Every check becomes a ``Step`` with a stable ``code`` (for translation on a web page), a status and an
English message; nothing here raises on bad input. The order follows what a reader does (brief §3.11):
the package opens, Signatures.xml lists signatures, then for each signature its description, the
signed value, each Reference digest, dataHash, the signer's SM2 signature, the seal maker's signature,
the seal and certificate validity at the signing time, and the chain to a trusted root. Finally the
package files no signature covers are listed.

All cryptographic checks run on the raw bytes found in the file; nothing is re-encoded.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from asn1crypto import core

from registry.ofd.package import Package, PackageError, read_package, resolve
from registry.ofd.xml import XmlError, child, child_text, children, parse_xml

from . import asn1
from .certs import CertificateError, cert_info, certificate_public_key, chain_to_root
from .crypto import (
    OID_SM2_WITH_SM3,
    PublicKey,
    sm2_verify,
    sm2_verify_digest,
    sm2_z,
    sm3,
)
from .sign import der_sequence

MAX_SIGNATURES = 64
MAX_REFERENCES = 10_000
# Bytes one verification may digest, over every signature of the package. Each part is digested once
# per digest method however many signatures list it; a real certificate needs well under 1 MiB.
MAX_DIGEST_BYTES = 128 * 1024 * 1024


class Status(StrEnum):
    OK = "ok"
    FAILED = "failed"
    WARNING = "warning"
    SKIPPED = "skipped"


class Verdict(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    UNREADABLE = "unreadable"


# Steps whose failure means the file is not a readable OFD at all (exit status 2).
UNREADABLE_CODES = frozenset({"package.open", "package.entry"})

# One line per stable code: what the step checks (for a legend or a translation table).
STEP_CODES: dict[str, str] = {
    "package.open": "The file is a readable OFD (ZIP) package",
    "package.entry": "OFD.xml is well-formed and has a DocBody",
    "signatures.list": "The document lists its signatures in a readable Signatures.xml",
    "signature.description": "The signature's Signature.xml is present and readable",
    "signed_value.parse": "SignedValue.dat is a well-formed SES_Signature (v4 or v1)",
    "reference.digest": "A file listed in the signature still has its signed digest",
    "seal.stored_copy": "Seal.esl is byte-identical to the seal inside the signed value",
    "data_hash": "Signature.xml still has the digest the signer signed (dataHash)",
    "signer.signature": "The signer's SM2 signature over TBS_Sign verifies with the signer certificate",
    "seal.maker_signature": "The seal maker's SM2 signature over the seal verifies",
    "seal.signer_listed": "The seal lists the signer's certificate as allowed to use it",
    "seal.validity": "The seal was within its validity period at the signing time",
    "cert.validity": "The signer and seal maker certificates were valid at the signing time",
    "cert.chain": "The signer and seal maker certificates chain to a trusted root",
    "signature.error": "The signature's data could be examined at all",
    "coverage": "Every file of the package is covered by some signature",
}


@dataclass(frozen=True)
class Step:
    """One check and its outcome."""

    code: str
    status: Status
    message: str
    signature: str | None = None
    params: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the step as JSON-ready data."""
        return {
            "code": self.code,
            "status": str(self.status),
            "message": self.message,
            "signature": self.signature,
            "params": dict(self.params),
        }


@dataclass
class Report:
    """The outcome of verifying one file: every step, in order."""

    steps: list[Step] = field(default_factory=list)

    @property
    def verdict(self) -> Verdict:
        """Return unreadable, invalid (some step failed) or valid."""
        if any(step.status is Status.FAILED and step.code in UNREADABLE_CODES for step in self.steps):
            return Verdict.UNREADABLE
        if any(step.status is Status.FAILED for step in self.steps):
            return Verdict.INVALID
        return Verdict.VALID

    @property
    def valid(self) -> bool:
        """Return whether no step failed."""
        return self.verdict is Verdict.VALID

    @property
    def exit_code(self) -> int:
        """Return the command-line exit status: 0 valid, 1 invalid, 2 unreadable."""
        return {Verdict.VALID: 0, Verdict.INVALID: 1, Verdict.UNREADABLE: 2}[self.verdict]

    @property
    def failures(self) -> list[Step]:
        """Return the failed steps in order."""
        return [step for step in self.steps if step.status is Status.FAILED]

    @property
    def warnings(self) -> list[Step]:
        """Return the steps that passed with a reservation."""
        return [step for step in self.steps if step.status is Status.WARNING]

    def step(self, code: str, signature: str | None = None) -> Step | None:
        """Return the first step with a code (and signature label, when given), or None."""
        for item in self.steps:
            if item.code == code and (signature is None or item.signature == signature):
                return item
        return None

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        first = self.failures[0] if self.failures else None
        return {
            "verdict": str(self.verdict),
            "first_failure": first.to_dict() if first else None,
            "steps": [step.to_dict() for step in self.steps],
        }


@dataclass
class _SignedValue:
    """What verification needs from SignedValue.dat, as raw bytes where they were signed."""

    version: int
    tbs_der: bytes
    signature_alg: str
    signature: bytes
    signer_cert: bytes
    seal_der: bytes
    seal_header: tuple[str, int]
    maker_signed_der: bytes
    maker_cert: bytes
    maker_alg: str
    maker_signature: bytes
    time_info: datetime | None
    time_text: str
    data_hash: bytes
    property_info: str
    seal_valid_start: datetime
    seal_valid_end: datetime
    cert_list_type: int | None
    cert_list: list[bytes] | None
    cert_digests: list[tuple[str, bytes]] | None = None


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _fmt(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _parse_time_text(text: str) -> datetime | None:
    """Return the datetime of a v1 timeInfo text (several vendor formats), or None."""
    cleaned = text.strip().rstrip("\x00")
    for candidate in (cleaned, cleaned.replace("Z", "+00:00")):
        try:
            return _utc(datetime.fromisoformat(candidate))
        except ValueError:
            pass
    for fmt in ("%Y%m%d%H%M%SZ", "%Y%m%d%H%M%S", "%Y-%m-%d %H:%M:%S", "%y%m%d%H%M%SZ"):
        try:
            return datetime.strptime(cleaned, fmt).replace(tzinfo=UTC)
        except ValueError:
            pass
    return None


def _cert_list(value: core.Any) -> list[bytes] | None:
    try:
        return [item.native for item in asn1.CertList.load(value.dump(), strict=True)]
    except Exception:
        return None


def _cert_digests(value: core.Any) -> list[tuple[str, bytes]] | None:
    try:
        return [
            (item["type"].native, item["value"].native)
            for item in asn1.CertDigestList.load(value.dump(), strict=True)
        ]
    except Exception:
        return None


def _parse_signed_value(data: bytes) -> _SignedValue:
    """Return the parts of a v4 or v1 SES_Signature; raise ValueError when it is neither."""
    outer = core.Sequence.load(data, strict=True)
    count = len(outer)
    if count in (4, 5):
        signature = asn1.SESSignature.load(data, strict=True)
        signature.native  # noqa: B018 - parse everything now so corruption is reported here
        tbs = signature["to_sign"]
        seal = tbs["eseal"]
        info = seal["e_seal_info"]
        prop = info["property"]
        list_type = prop["cert_list_type"].native
        return _SignedValue(
            version=tbs["version"].native,
            tbs_der=tbs.dump(),
            signature_alg=signature["signature_alg_id"].dotted,
            signature=bytes(signature["signature"]),
            signer_cert=signature["cert"].native,
            seal_der=seal.dump(),
            seal_header=(info["header"]["id"].native, info["header"]["version"].native),
            maker_signed_der=info.dump(),
            maker_cert=seal["cert"].native,
            maker_alg=seal["sign_alg_id"].dotted,
            maker_signature=bytes(seal["signed_value"]),
            time_info=_utc(tbs["time_info"].native),
            time_text=tbs["time_info"].native.strftime("%Y%m%d%H%M%SZ"),
            data_hash=bytes(tbs["data_hash"]),
            property_info=tbs["property_info"].native,
            seal_valid_start=_utc(prop["valid_start"].native),
            seal_valid_end=_utc(prop["valid_end"].native),
            cert_list_type=list_type,
            cert_list=_cert_list(prop["cert_list"]) if list_type == 1 else None,
            cert_digests=_cert_digests(prop["cert_list"]) if list_type == 2 else None,
        )
    if count == 2:
        signature = asn1.SESSignatureV1.load(data, strict=True)
        signature.native  # noqa: B018
        tbs = signature["to_sign"]
        seal = tbs["eseal"]
        info = seal["e_seal_info"]
        sign_info = seal["sign_info"]
        prop = info["property"]
        time_text = bytes(tbs["time_info"]).decode("ascii", "replace")
        return _SignedValue(
            version=tbs["version"].native,
            tbs_der=tbs.dump(),
            signature_alg=tbs["signature_algorithm"].dotted,
            signature=bytes(signature["signature"]),
            signer_cert=tbs["cert"].native,
            seal_der=seal.dump(),
            seal_header=(info["header"]["id"].native, info["header"]["version"].native),
            # GM/T 0031: the maker signs SEQUENCE{esealInfo, cert, signatureAlgorithm}.
            maker_signed_der=der_sequence(
                info.dump(), sign_info["cert"].dump(), sign_info["signature_algorithm"].dump()
            ),
            maker_cert=sign_info["cert"].native,
            maker_alg=sign_info["signature_algorithm"].dotted,
            maker_signature=bytes(sign_info["sign_data"]),
            time_info=_parse_time_text(time_text),
            time_text=time_text,
            data_hash=bytes(tbs["data_hash"]),
            property_info=tbs["property_info"].native,
            seal_valid_start=_utc(prop["valid_start"].native),
            seal_valid_end=_utc(prop["valid_end"].native),
            cert_list_type=None,
            cert_list=_cert_list(prop["cert_list"]),
        )
    raise ValueError(f"SES_Signature with {count} elements is neither v4 (4-5) nor v1 (2)")


def _hash_function(method: str) -> tuple[Callable[[bytes], bytes] | None, bool]:
    """Return (digest function, uses the SM2 Z prefix) for a CheckMethod, or (None, False)."""
    normalised = method.strip().upper()
    if normalised in ("1.2.156.10197.1.401", "1.2.156.10197.1.401.1", "SM3"):
        return sm3, False
    if normalised == "1.2.156.10197.1.401.2":
        return sm3, True
    if normalised in ("MD5", "1.2.840.113549.2.5"):
        return lambda data: hashlib.md5(data, usedforsecurity=False).digest(), False
    if normalised in ("SHA1", "SHA-1", "1.3.14.3.2.26"):
        return lambda data: hashlib.sha1(data, usedforsecurity=False).digest(), False
    return None, False


class _Digests:
    """The digests of one package's parts: each computed once per method, within a byte budget."""

    def __init__(self, budget: int) -> None:
        self.left = budget
        self.cache: dict[tuple[str, str, bytes], bytes] = {}

    def of(self, name: str, data: bytes, method: str, digest: Callable[[bytes], bytes], prefix: bytes) -> bytes | None:
        """Return the digest of a part, or None when computing it would exceed the budget."""
        key = (name, method, prefix)
        if key not in self.cache:
            if len(data) > self.left:
                return None
            self.left -= len(data)
            self.cache[key] = digest(prefix + data)
        return self.cache[key]


class _SignatureCheck:
    """Run the checks of one signature, appending steps to a report."""

    def __init__(
        self,
        package: Package,
        report: Report,
        label: str,
        signature_name: str,
        trust_roots: list[bytes] | None,
        at: datetime | None,
        covered: set[str],
        exempt: set[str],
        digests: _Digests,
    ) -> None:
        self.package = package
        self.report = report
        self.label = label
        self.name = signature_name
        self.folder = signature_name.rpartition("/")[0]
        self.trust_roots = trust_roots
        self.at = at
        self.covered = covered
        self.exempt = exempt
        self.digests = digests

    def add(self, code: str, status: Status, message: str, **params: str) -> None:
        self.report.steps.append(Step(code, status, message, self.label, params))

    def run(self) -> None:
        try:
            self._run()
        except Exception as exc:  # last resort: hostile data must give a report, never a crash
            self.add("signature.error", Status.FAILED, f"Signature data could not be examined: {type(exc).__name__}")

    def _locate(self, loc: str) -> str | None:
        """Return the part an ST_Loc in Signature.xml names (absolute, or relative to its folder)."""
        first = resolve(self.folder, loc)
        if first in self.package:
            return first
        second = resolve("", loc)
        return second if second in self.package else None

    def _run(self) -> None:
        # 1. The signature description.
        data = self.package.get_part(self.name)
        if data is None:
            self.add("signature.description", Status.FAILED, f"Signature file {self.name} is missing", file=self.name)
            return
        self.exempt.add(self.name)
        try:
            root = parse_xml(data)
        except XmlError as exc:
            self.add("signature.description", Status.FAILED, f"{self.name} is not readable: {exc}", file=self.name)
            return
        signed_info = child(root, "SignedInfo")
        references = child(signed_info, "References") if signed_info is not None else None
        value_loc = child_text(root, "SignedValue")
        if signed_info is None or references is None or not value_loc:
            self.add(
                "signature.description", Status.FAILED,
                f"{self.name} lacks SignedInfo, References or SignedValue", file=self.name,
            )
            return
        self.add("signature.description", Status.OK, f"Signature description {self.name} read", file=self.name)

        # 2. The signed value.
        value_name = self._locate(value_loc)
        if value_name is None:
            self.add("signed_value.parse", Status.FAILED, f"Signed value {value_loc} is missing", file=value_loc)
            return
        self.exempt.add(value_name)
        try:
            signed = _parse_signed_value(self.package[value_name])
        except Exception as exc:
            self.add(
                "signed_value.parse", Status.FAILED,
                f"{value_name} is not a valid SES_Signature: {type(exc).__name__}: {str(exc)[:120]}", file=value_name,
            )
            return
        standard = "GB/T 38540 v4" if signed.version == 4 else f"GM/T 0031 v{signed.version}"
        if signed.seal_header[0] != "ES" or signed.seal_header[1] != signed.version or signed.version not in (1, 4):
            self.add(
                "signed_value.parse", Status.FAILED,
                f"Seal header {signed.seal_header[0]!r} version {signed.seal_header[1]} does not match "
                f"signature version {signed.version}",
                file=value_name,
            )
            return
        self.add("signed_value.parse", Status.OK, f"Signed value parsed ({standard})", file=value_name,
                 version=str(signed.version))
        try:
            signer_key: PublicKey | None = certificate_public_key(signed.signer_cert)
        except CertificateError:
            signer_key = None

        # 3. Every Reference.
        self._check_references(references, signer_key)

        # 4. The stored copy of the seal, when the signature names one.
        seal_element = child(signed_info, "Seal")
        seal_loc = child_text(seal_element, "BaseLoc") if seal_element is not None else None
        if seal_loc:
            seal_name = self._locate(seal_loc)
            if seal_name is None:
                self.add("seal.stored_copy", Status.FAILED, f"Seal file {seal_loc} is missing", file=seal_loc)
            elif self.package[seal_name] != signed.seal_der:
                self.add("seal.stored_copy", Status.FAILED,
                         f"{seal_name} differs from the seal inside the signed value", file=seal_name)
            else:
                self.exempt.add(seal_name)
                self.add("seal.stored_copy", Status.OK, f"{seal_name} matches the signed seal", file=seal_name)

        # 5. dataHash.
        method = references.get("CheckMethod", "MD5")
        _, with_z = _hash_function(method)
        if sm3(data) == signed.data_hash:
            self.add("data_hash", Status.OK, f"dataHash matches {self.name}", file=self.name)
        elif with_z and signer_key is not None and sm3(sm2_z(signer_key) + data) == signed.data_hash:
            self.add("data_hash", Status.WARNING,
                     f"dataHash matches {self.name} only as SM3(Z || file) (non-standard)", file=self.name)
        else:
            self.add("data_hash", Status.FAILED,
                     f"{self.name} was modified after signing (dataHash mismatch)", file=self.name)

        # 6. The signer's signature over TBS_Sign.
        self._check_signer(signed, signer_key)
        # 7. The seal maker's signature and the seal's list of signers.
        self._check_seal(signed)
        # 8. Validity at the signing time, and trust.
        self._check_times(signed)
        self._check_chain(signed)

    def _check_references(self, references: Any, signer_key: PublicKey | None) -> None:
        method = references.get("CheckMethod", "MD5")
        digest, with_z = _hash_function(method)
        items = children(references, "Reference")
        if not items:
            self.add("reference.digest", Status.FAILED, "The signature lists no files")
            return
        if len(items) > MAX_REFERENCES:
            self.add("reference.digest", Status.FAILED, f"The signature lists too many files ({len(items)})")
            return
        if digest is None:
            self.add("reference.digest", Status.FAILED, f"Unsupported digest method {method!r}", method=method)
            return
        prefix = b""
        if with_z:
            if signer_key is None:
                self.add("reference.digest", Status.FAILED,
                         "Digest method SM3-with-Z needs the signer's public key, which is unreadable")
                return
            prefix = sm2_z(signer_key)
        note = " (SM3 with Z prefix, non-standard)" if with_z else ""
        for item in items:
            ref = (item.get("FileRef") or "").strip()
            name = self._locate(ref) if ref else None
            expected_text = child_text(item, "CheckValue") or ""
            if name is None:
                self.add("reference.digest", Status.FAILED, f"Signed file {ref or '(empty)'} is missing from the package",
                         file=ref)
                continue
            self.covered.add(name)
            try:
                expected = base64.b64decode(expected_text, validate=True)
            except (binascii.Error, ValueError):
                self.add("reference.digest", Status.FAILED, f"Digest of {name} is not valid Base64", file=name)
                continue
            actual = self.digests.of(name, self.package[name], method, digest, prefix)
            if actual is None:
                self.add("reference.digest", Status.FAILED,
                         "The package asks for more digesting than a certificate ever needs; verification stopped",
                         file=name)
                return
            if actual == expected:
                self.add("reference.digest", Status.OK, f"{name} is unchanged{note}", file=name)
            else:
                self.add("reference.digest", Status.FAILED, f"{name} was modified after signing", file=name)

    def _check_signer(self, signed: _SignedValue, signer_key: PublicKey | None) -> None:
        if signer_key is None:
            self.add("signer.signature", Status.FAILED, "The signer certificate is unreadable or not SM2")
            return
        if signed.signature_alg != OID_SM2_WITH_SM3:
            self.add("signer.signature", Status.FAILED, f"Unsupported signature algorithm {signed.signature_alg}",
                     algorithm=signed.signature_alg)
            return
        subject = cert_info(signed.signer_cert).subject
        if sm2_verify(signer_key, signed.tbs_der, signed.signature):
            self.add("signer.signature", Status.OK, f"Signer's SM2 signature verifies ({subject})", subject=subject)
        elif signed.version == 1 and sm2_verify_digest(signer_key, signed.data_hash, signed.signature):
            self.add("signer.signature", Status.WARNING,
                     f"Signer's SM2 signature verifies only with e = dataHash (non-standard GM/T 0031 variant; {subject})",
                     subject=subject)
        else:
            self.add("signer.signature", Status.FAILED,
                     f"Signer's SM2 signature does not verify: the signed value was altered or re-signed ({subject})",
                     subject=subject)

    def _check_seal(self, signed: _SignedValue) -> None:
        try:
            maker_key = certificate_public_key(signed.maker_cert)
            maker = cert_info(signed.maker_cert).subject
        except CertificateError:
            self.add("seal.maker_signature", Status.FAILED, "The seal maker certificate is unreadable or not SM2")
            maker_key = None
        if maker_key is not None:
            if signed.maker_alg != OID_SM2_WITH_SM3:
                self.add("seal.maker_signature", Status.FAILED, f"Unsupported seal signature algorithm {signed.maker_alg}")
            elif sm2_verify(maker_key, signed.maker_signed_der, signed.maker_signature):
                self.add("seal.maker_signature", Status.OK, f"Seal maker's signature verifies ({maker})", subject=maker)
            else:
                self.add("seal.maker_signature", Status.FAILED, f"Seal maker's signature does not verify ({maker})",
                         subject=maker)

        if signed.cert_list is not None:
            if signed.signer_cert in signed.cert_list:
                self.add("seal.signer_listed", Status.OK, "The seal lists the signer's certificate")
            else:
                self.add("seal.signer_listed", Status.FAILED, "The seal does not list the signer's certificate")
        elif signed.cert_digests is not None:
            digests = {
                "sm3": sm3(signed.signer_cert),
                "sha1": hashlib.sha1(signed.signer_cert, usedforsecurity=False).digest(),
                "sha256": hashlib.sha256(signed.signer_cert).digest(),
            }
            listed = any(
                value == digests.get(kind.lower().replace("-", ""), b"") for kind, value in signed.cert_digests
            )
            status = Status.OK if listed else Status.FAILED
            self.add("seal.signer_listed", status,
                     "The seal lists the signer's certificate digest" if listed
                     else "The seal does not list the signer's certificate digest")
        elif signed.version == 1:
            self.add("seal.signer_listed", Status.WARNING,
                     "The legacy seal's certificate list is not a list of certificates; not checked")
        else:
            self.add("seal.signer_listed", Status.FAILED,
                     f"The seal's certificate list (type {signed.cert_list_type}) is unreadable")

    def _moment(self, signed: _SignedValue) -> tuple[datetime | None, str]:
        if self.at is not None:
            return _utc(self.at), f"at {_fmt(_utc(self.at))} (requested)"
        if signed.time_info is None:
            return None, ""
        return signed.time_info, f"at the signing time {_fmt(signed.time_info)}"

    def _check_times(self, signed: _SignedValue) -> None:
        moment, when = self._moment(signed)
        if moment is None:
            message = f"The signing time {signed.time_text!r} is unreadable"
            self.add("seal.validity", Status.FAILED, message)
            self.add("cert.validity", Status.FAILED, message)
            return
        window = f"{_fmt(signed.seal_valid_start)} to {_fmt(signed.seal_valid_end)}"
        if signed.seal_valid_start <= moment <= signed.seal_valid_end:
            self.add("seal.validity", Status.OK, f"Seal valid {when} (valid {window})",
                     start=_fmt(signed.seal_valid_start), end=_fmt(signed.seal_valid_end), at=_fmt(moment))
        else:
            state = "had expired" if moment > signed.seal_valid_end else "was not yet valid"
            self.add("seal.validity", Status.FAILED, f"Seal {state} {when} (valid {window})",
                     start=_fmt(signed.seal_valid_start), end=_fmt(signed.seal_valid_end), at=_fmt(moment))

        problems = []
        for role, der in (("signer", signed.signer_cert), ("seal maker", signed.maker_cert)):
            try:
                info = cert_info(der)
            except CertificateError:
                problems.append(f"{role} certificate unreadable")
                continue
            if not info.valid_at(moment):
                problems.append(
                    f"{role} certificate valid only {_fmt(info.not_before)} to {_fmt(info.not_after)}"
                )
        if problems:
            self.add("cert.validity", Status.FAILED, f"Certificate not valid {when}: " + "; ".join(problems))
        else:
            self.add("cert.validity", Status.OK, f"Signer and seal maker certificates valid {when}")

    def _check_chain(self, signed: _SignedValue) -> None:
        if self.trust_roots is None:
            self.add("cert.chain", Status.SKIPPED, "Chain to a trusted root not checked (no trust roots given)")
            return
        untrusted = [
            role
            for role, der in (("signer", signed.signer_cert), ("seal maker", signed.maker_cert))
            if chain_to_root(der, self.trust_roots) is None
        ]
        if untrusted:
            self.add("cert.chain", Status.FAILED,
                     "No chain to a trusted root for the " + " and ".join(untrusted) + " certificate")
        else:
            self.add("cert.chain", Status.OK, "Signer and seal maker certificates chain to a trusted root")


def verify_ofd(
    data: bytes,
    *,
    trust_roots: list[bytes] | None = None,
    at: datetime | None = None,
    strict: bool = False,
) -> Report:
    """Return the step-by-step verification report of the seals of an OFD file.

    trust_roots are DER certificates; without them the chain is reported as not checked. Validity is
    evaluated at each signature's own signing time unless at is given. strict turns files covered by
    no signature from a warning into a failure (right for documents this system issued itself).
    """
    report = Report()

    def add(code: str, status: Status, message: str, **params: str) -> None:
        report.steps.append(Step(code, status, message, None, params))

    try:
        package = read_package(bytes(data))
    except PackageError as exc:
        add("package.open", Status.FAILED, f"Not a readable OFD package: {exc}")
        return report
    except Exception as exc:  # zipfile can raise oddities on crafted headers
        add("package.open", Status.FAILED, f"Not a readable OFD package: {type(exc).__name__}")
        return report
    add("package.open", Status.OK, f"Package opened ({len(package)} files)", files=str(len(package)))

    try:
        root = parse_xml(package["OFD.xml"])
    except XmlError as exc:
        add("package.entry", Status.FAILED, f"OFD.xml is not readable: {exc}")
        return report
    body = child(root, "DocBody")
    if body is None:
        add("package.entry", Status.FAILED, "OFD.xml has no DocBody")
        return report

    signatures_loc = child_text(body, "Signatures")
    if not signatures_loc:
        add("signatures.list", Status.FAILED, "The document is not signed (OFD.xml names no Signatures.xml)")
        return report
    signatures_name = resolve("", signatures_loc)
    signatures_data = package.get_part(signatures_name)
    if signatures_data is None:
        add("signatures.list", Status.FAILED, f"{signatures_name} is missing", file=signatures_name)
        return report
    try:
        entries = children(parse_xml(signatures_data), "Signature")
    except XmlError as exc:
        add("signatures.list", Status.FAILED, f"{signatures_name} is not readable: {exc}", file=signatures_name)
        return report
    if not entries:
        add("signatures.list", Status.FAILED, f"{signatures_name} lists no signature", file=signatures_name)
        return report
    if len(entries) > MAX_SIGNATURES:
        add("signatures.list", Status.FAILED, f"{signatures_name} lists too many signatures ({len(entries)})")
        return report
    add("signatures.list", Status.OK, f"{len(entries)} signature(s) listed in {signatures_name}",
        file=signatures_name, count=str(len(entries)))

    covered: set[str] = set()
    exempt: set[str] = {signatures_name}
    digests = _Digests(MAX_DIGEST_BYTES)
    folder = signatures_name.rpartition("/")[0]
    for index, entry in enumerate(entries):
        label = entry.get("ID") or f"#{index + 1}"
        base_loc = (entry.get("BaseLoc") or "").strip()
        if not base_loc:
            report.steps.append(Step("signature.description", Status.FAILED, "Signature entry has no BaseLoc", label))
            continue
        name = resolve(folder, base_loc)
        if name not in package and not base_loc.startswith("/"):
            name = resolve("", base_loc) if resolve("", base_loc) in package else name
        _SignatureCheck(package, report, label, name, trust_roots, at, covered, exempt, digests).run()

    uncovered = [name for name in package if name not in covered and name not in exempt]
    if not uncovered:
        add("coverage", Status.OK, "Every file of the package is covered by a signature")
    else:
        listed = ", ".join(uncovered[:20]) + (" ..." if len(uncovered) > 20 else "")
        add("coverage", Status.FAILED if strict else Status.WARNING,
            f"Not covered by any signature: {listed}", files=" ".join(uncovered))
    return report

"""A self-contained demo PKI: root CA, seal maker, signer, and the authority's seal.

For demonstrations and tests only. A production seal comes from the provincial e-seal platform and
the signing key from a certified device; only the ``Signer`` and the seal bytes change.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from registry import clock

from .certs import build_certificate, load_certificate, pem_certificate
from .crypto import generate_private_key, private_key_pem, public_key_der, sm2_sign
from .picture import draw_round_seal
from .seal import make_seal
from .signer import SoftwareSigner

AUTHORITY_NAME = "重庆市住房和城乡建设委员会"
SEAL_NAME = AUTHORITY_NAME + "电子证照专用章"
PASSWORD_ENV = "REGISTRY_SEAL_KEY_PASSWORD"

ROOT_CERT, ROOT_KEY = "root.pem", "root.key.pem"
MAKER_CERT, MAKER_KEY = "seal-maker.pem", "seal-maker.key.pem"
SIGNER_CERT, SIGNER_KEY = "signer.pem", "signer.key.pem"
SEAL_FILE, SEAL_PICTURE = "seal.esl", "seal.png"


@dataclass(frozen=True)
class DemoAuthority:
    """What the certificate builder needs to seal: a signer, the seal, and the trust root."""

    signer: SoftwareSigner
    seal: bytes
    trust_root: bytes
    maker_certificate: bytes


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    path.write_bytes(data)
    if private:
        path.chmod(0o600)


def create_demo_pki(
    directory: Path | str, *, now: datetime | None = None, not_before: datetime | None = None
) -> DemoAuthority:
    """Create a root CA, a seal maker, a signer and the authority's seal as files in directory.

    Everything is valid from a day before ``now`` (or from ``not_before``, for tests whose scenarios are
    dated earlier) for ten years after it (the root for twenty).
    Private keys are written as PKCS#8 PEM (mode 600), encrypted when the environment variable
    REGISTRY_SEAL_KEY_PASSWORD is set. Existing files are overwritten.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    now = (now or clock.now()).astimezone(UTC).replace(microsecond=0)
    password = os.environ.get(PASSWORD_ENV, "").encode() or None
    anchor = now - timedelta(days=1)
    start = not_before.astimezone(UTC) if not_before else anchor

    root_key = generate_private_key()
    root_subject = {"country_name": "CN", "organization_name": "Demo Registry CA", "common_name": "Demo SM2 Root CA"}
    root_cert = build_certificate(
        subject=root_subject,
        public_key_der=public_key_der(root_key.public_key()),
        issuer_der=None,
        sign=lambda tbs: sm2_sign(root_key, tbs),
        not_before=start,
        not_after=anchor + timedelta(days=365 * 20),
        is_ca=True,
        key_usage={"key_cert_sign", "crl_sign"},
    )

    def issue(common_name: str, unit: str) -> tuple[object, bytes]:
        key = generate_private_key()
        cert = build_certificate(
            subject={
                "country_name": "CN",
                "state_or_province_name": "重庆",
                "organization_name": AUTHORITY_NAME,
                "organizational_unit_name": unit,
                "common_name": common_name,
            },
            public_key_der=public_key_der(key.public_key()),
            issuer_der=root_cert,
            sign=lambda tbs: sm2_sign(root_key, tbs),
            not_before=start,
            not_after=anchor + timedelta(days=365 * 10),
            is_ca=False,
            key_usage={"digital_signature", "non_repudiation"},
        )
        return key, cert

    maker_key, maker_cert = issue("Demo seal maker", "电子印章管理")
    signer_key, signer_cert = issue(AUTHORITY_NAME, "电子证照")
    picture = draw_round_seal(AUTHORITY_NAME, bottom_text="电子证照专用章")
    seal = make_seal(
        SoftwareSigner(maker_key, maker_cert),
        es_id="50000000000001",
        name=SEAL_NAME,
        signer_certs=[signer_cert],
        picture_png=picture,
        width_mm=40,
        height_mm=40,
        created=now,
        valid_start=start,
        valid_end=anchor + timedelta(days=365 * 10),
    )

    _write(directory / ROOT_CERT, pem_certificate(root_cert))
    _write(directory / ROOT_KEY, private_key_pem(root_key, password), private=True)
    _write(directory / MAKER_CERT, pem_certificate(maker_cert))
    _write(directory / MAKER_KEY, private_key_pem(maker_key, password), private=True)
    _write(directory / SIGNER_CERT, pem_certificate(signer_cert))
    _write(directory / SIGNER_KEY, private_key_pem(signer_key, password), private=True)
    _write(directory / SEAL_FILE, seal)
    _write(directory / SEAL_PICTURE, picture)
    return DemoAuthority(
        signer=SoftwareSigner(signer_key, signer_cert), seal=seal, trust_root=root_cert, maker_certificate=maker_cert
    )


def load_demo_authority(directory: Path | str, *, create_if_missing: bool = True) -> DemoAuthority:
    """Return the demo authority stored in directory, creating the demo PKI there if it is missing."""
    directory = Path(directory)
    needed = (ROOT_CERT, MAKER_CERT, SIGNER_CERT, SIGNER_KEY, SEAL_FILE)
    if not all((directory / name).is_file() for name in needed):
        if not create_if_missing:
            raise FileNotFoundError(f"no demo PKI in {directory}")
        return create_demo_pki(directory)
    signer = SoftwareSigner.from_files(directory / SIGNER_KEY, directory / SIGNER_CERT, password_env=PASSWORD_ENV)
    return DemoAuthority(
        signer=signer,
        seal=(directory / SEAL_FILE).read_bytes(),
        trust_root=load_certificate((directory / ROOT_CERT).read_bytes()).dump(),
        maker_certificate=load_certificate((directory / MAKER_CERT).read_bytes()).dump(),
    )

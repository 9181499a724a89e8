"""One contract for every Signer: the software key file and the remote signing service."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.seal import RemoteSigner, Signer, SignerError, SoftwareSigner
from registry.seal.certs import certificate_public_key, load_certificate
from registry.seal.crypto import load_private_key_pem, sm2_verify
from registry.seal.demo import PASSWORD_ENV, SIGNER_CERT, SIGNER_KEY, create_demo_pki

from .signing_service import SigningService

TOKEN = "test-token"


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("contract-pki")
    create_demo_pki(directory)
    return directory


@pytest.fixture(scope="module")
def service(pki_dir: Path) -> Iterator[SigningService]:
    key = load_private_key_pem((pki_dir / SIGNER_KEY).read_bytes())
    with SigningService(key, TOKEN) as running:
        yield running


@pytest.fixture(params=["software", "remote"])
def signer(request: pytest.FixtureRequest, pki_dir: Path) -> Signer:
    if request.param == "software":
        return SoftwareSigner.from_files(pki_dir / SIGNER_KEY, pki_dir / SIGNER_CERT)
    service = request.getfixturevalue("service")
    service.mode = "ok"
    return RemoteSigner(service.url, TOKEN, (pki_dir / SIGNER_CERT).read_bytes(), timeout=5)


def test_it_is_a_signer(signer: Signer) -> None:
    assert isinstance(signer, Signer)


def test_its_certificate_is_der(signer: Signer) -> None:
    cert = load_certificate(signer.certificate)

    assert cert.dump() == signer.certificate
    assert signer.certificate[0] == 0x30


def test_its_signature_verifies_with_its_certificate_and_the_default_user_id(signer: Signer) -> None:
    message = b"\x30\x03\x02\x01\x04 TBS_Sign bytes"

    signature = signer.sign(message)

    key = certificate_public_key(signer.certificate)
    assert signature[0] == 0x30 and 70 <= len(signature) <= 72  # DER SEQUENCE{r, s}
    assert sm2_verify(key, message, signature)
    assert not sm2_verify(key, message + b"!", signature)


def test_it_signs_empty_and_large_inputs(signer: Signer) -> None:
    key = certificate_public_key(signer.certificate)
    for message in (b"", bytes(range(256)) * 4096):
        assert sm2_verify(key, message, signer.sign(message))


def test_its_signatures_are_randomised(signer: Signer) -> None:
    assert signer.sign(b"same") != signer.sign(b"same")


# --- implementation-specific failure modes -------------------------------------------------------


def test_software_signer_refuses_a_key_of_another_certificate(pki_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    create_demo_pki(other)

    with pytest.raises(SignerError, match="does not belong"):
        SoftwareSigner.from_files(other / SIGNER_KEY, pki_dir / SIGNER_CERT)


def test_software_signer_reads_an_encrypted_key_with_the_password_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "s3cret")
    create_demo_pki(tmp_path)
    assert b"ENCRYPTED" in (tmp_path / SIGNER_KEY).read_bytes()

    signer = SoftwareSigner.from_files(tmp_path / SIGNER_KEY, tmp_path / SIGNER_CERT, password_env=PASSWORD_ENV)
    assert sm2_verify(certificate_public_key(signer.certificate), b"m", signer.sign(b"m"))

    monkeypatch.setenv(PASSWORD_ENV, "wrong")
    with pytest.raises(SignerError):
        SoftwareSigner.from_files(tmp_path / SIGNER_KEY, tmp_path / SIGNER_CERT, password_env=PASSWORD_ENV)


def test_remote_signer_sends_base64_and_the_bearer_token(service: SigningService, pki_dir: Path) -> None:
    service.mode = "ok"
    signer = RemoteSigner(service.url, TOKEN, (pki_dir / SIGNER_CERT).read_bytes())
    service.requests.clear()

    signer.sign(b"\x00\xffbytes")

    assert service.requests == [{"tbs": "AP9ieXRlcw==", "algorithm": "SM2-SM3", "user_id": "1234567812345678"}]


@pytest.mark.parametrize(
    ("mode", "token", "message"),
    [
        ("ok", "wrong-token", "HTTP 401"),
        ("error", TOKEN, "HTTP 503"),
        ("not-json", TOKEN, "without a valid base64 'signature'"),
        ("wrong-signature", TOKEN, "does not verify with the certificate"),
    ],
)
def test_remote_signer_reports_a_misbehaving_service_clearly(
    service: SigningService, pki_dir: Path, mode: str, token: str, message: str
) -> None:
    service.mode = mode
    signer = RemoteSigner(service.url, token, (pki_dir / SIGNER_CERT).read_bytes())

    with pytest.raises(SignerError, match=message):
        signer.sign(b"tbs")


def test_remote_signer_gives_up_after_its_timeout(service: SigningService, pki_dir: Path) -> None:
    service.mode = "slow"
    signer = RemoteSigner(service.url, TOKEN, (pki_dir / SIGNER_CERT).read_bytes(), timeout=0.2)

    with pytest.raises(SignerError, match="did not answer within 0.2 s"):
        signer.sign(b"tbs")


def test_remote_signer_reports_an_unreachable_service(pki_dir: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    signer = RemoteSigner(f"http://127.0.0.1:{port}/sign", TOKEN, (pki_dir / SIGNER_CERT).read_bytes(), timeout=2)

    with pytest.raises(SignerError, match="unreachable"):
        signer.sign(b"tbs")

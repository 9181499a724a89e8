"""Who holds the signing key: the ``Signer`` interface and its implementations.

A signer exposes its certificate and signs raw to-be-signed bytes (SM2-with-SM3, default user ID,
DER ``SEQUENCE{r,s}``). The demo uses a key file; production keeps the key in a signing service or a
certified device behind the same interface, so the sealing code never sees a private key.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path
from typing import Protocol, runtime_checkable

import requests

from .certs import certificate_public_key, load_certificate
from .crypto import PrivateKey, load_private_key_pem, public_key_der, sm2_sign, sm2_verify


class SignerError(Exception):
    """The signer could not produce a signature."""


@runtime_checkable
class Signer(Protocol):
    """Sign bytes with the key of one certificate."""

    @property
    def certificate(self) -> bytes:
        """Return the DER of the signer's X.509 certificate."""
        ...

    def sign(self, tbs: bytes) -> bytes:
        """Return the DER SEQUENCE{r,s} SM2-with-SM3 signature of tbs (user ID 1234567812345678)."""
        ...


class SoftwareSigner:
    """Sign with a private key held in memory, loaded from a PEM file (demo and tests)."""

    def __init__(self, private_key: PrivateKey, certificate: bytes) -> None:
        cert = load_certificate(certificate)
        if public_key_der(private_key.public_key()) != cert["tbs_certificate"]["subject_public_key_info"].dump():
            raise SignerError("the private key does not belong to the certificate")
        self._key = private_key
        self._certificate = cert.dump()

    @classmethod
    def from_files(
        cls, key_path: Path | str, cert_path: Path | str, *, password_env: str | None = None
    ) -> SoftwareSigner:
        """Return a signer for a PEM key file and a PEM/DER certificate file.

        The key password, if any, is read from the environment variable named by password_env.
        """
        password = os.environ.get(password_env, "").encode() if password_env else b""
        try:
            key = load_private_key_pem(Path(key_path).read_bytes(), password or None)
            cert = load_certificate(Path(cert_path).read_bytes()).dump()
        except OSError as exc:
            raise SignerError(f"cannot read key or certificate: {exc}") from None
        except Exception as exc:
            raise SignerError(str(exc)) from None
        return cls(key, cert)

    @property
    def certificate(self) -> bytes:
        """Return the DER of the signer's certificate."""
        return self._certificate

    def sign(self, tbs: bytes) -> bytes:
        """Return the DER SM2-with-SM3 signature of tbs."""
        return sm2_sign(self._key, tbs)


class RemoteSigner:
    """Sign through an external signing service over HTTP.

    Protocol: ``POST {url}`` with ``Authorization: Bearer {token}`` and JSON
    ``{"tbs": base64(bytes), "algorithm": "SM2-SM3", "user_id": "1234567812345678"}``; the service
    answers 200 with ``{"signature": base64(DER SEQUENCE{r,s})}``. The certificate is configured
    locally (it is public) and every returned signature is checked against it before use, so a
    misconfigured service cannot slip a wrong signature into a document.
    """

    def __init__(
        self,
        url: str,
        token: str,
        certificate: bytes,
        *,
        timeout: float = 10.0,
        session: requests.Session | None = None,
    ) -> None:
        self._url = url
        self._token = token
        self._certificate = load_certificate(certificate).dump()
        self._public_key = certificate_public_key(self._certificate)
        self._timeout = timeout
        self._session = session or requests.Session()

    @property
    def certificate(self) -> bytes:
        """Return the DER of the signer's certificate."""
        return self._certificate

    def sign(self, tbs: bytes) -> bytes:
        """Return the DER SM2-with-SM3 signature of tbs made by the signing service."""
        body = {
            "tbs": base64.b64encode(tbs).decode("ascii"),
            "algorithm": "SM2-SM3",
            "user_id": "1234567812345678",
        }
        try:
            response = self._session.post(
                self._url,
                json=body,
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=self._timeout,
            )
        except requests.Timeout:
            raise SignerError(f"signing service at {self._url} did not answer within {self._timeout} s") from None
        except requests.RequestException as exc:
            raise SignerError(f"signing service at {self._url} is unreachable: {exc}") from None
        if response.status_code != 200:
            raise SignerError(
                f"signing service refused the request: HTTP {response.status_code} {response.text[:200]}"
            )
        try:
            signature = base64.b64decode(response.json()["signature"], validate=True)
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise SignerError("signing service answered without a valid base64 'signature'") from None
        if not sm2_verify(self._public_key, tbs, signature):
            raise SignerError("signing service returned a signature that does not verify with the certificate")
        return signature

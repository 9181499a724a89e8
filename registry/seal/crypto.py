"""SM2 signatures and SM3 digests through tongsuopy (Tongsuo, an OpenSSL fork).

Every signature here is SM2-with-SM3 with the default user ID ``1234567812345678`` (GM/T 0009), which
tongsuopy applies itself when it computes the Z value; OpenSSL 3 needs ``distid:1234567812345678`` to
agree. Signatures are DER ``SEQUENCE {r, s}``. No curve arithmetic is written here: the only SM2 sums
are the library's; the Z value below is plain SM3 over published constants and the public key.
"""

from __future__ import annotations

from tongsuopy.crypto import hashes, serialization
from tongsuopy.crypto.asymciphers import ec
from tongsuopy.crypto.exceptions import InvalidSignature, UnsupportedAlgorithm

DEFAULT_USER_ID = b"1234567812345678"

OID_SM3 = "1.2.156.10197.1.401"
OID_SM3_WITH_Z = "1.2.156.10197.1.401.2"
OID_SM2 = "1.2.156.10197.1.301"
OID_SM2_WITH_SM3 = "1.2.156.10197.1.501"

PrivateKey = ec.EllipticCurvePrivateKey
PublicKey = ec.EllipticCurvePublicKey

# sm2p256v1 domain parameters (GB/T 32918.5), needed only as input bytes of the Z digest.
_SM2_A = bytes.fromhex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC")
_SM2_B = bytes.fromhex("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93")
_SM2_GX = bytes.fromhex("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7")
_SM2_GY = bytes.fromhex("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0")


class CryptoError(Exception):
    """A key or signature could not be used (wrong type, corrupt encoding)."""


def sm3(data: bytes) -> bytes:
    """Return the 32-byte SM3 digest of data."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def sm2_z(public_key: PublicKey, user_id: bytes = DEFAULT_USER_ID) -> bytes:
    """Return Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA) for a public key and user ID."""
    numbers = public_key.public_numbers()
    entl = (len(user_id) * 8).to_bytes(2, "big")
    return sm3(
        entl + user_id + _SM2_A + _SM2_B + _SM2_GX + _SM2_GY
        + numbers.x.to_bytes(32, "big") + numbers.y.to_bytes(32, "big")
    )


def generate_private_key() -> PrivateKey:
    """Return a new SM2 private key."""
    return ec.generate_private_key(ec.SM2())


def sm2_sign(private_key: PrivateKey, message: bytes) -> bytes:
    """Return the DER SEQUENCE{r,s} SM2-with-SM3 signature of message with the default user ID."""
    return bytes(private_key.sign(message, ec.ECDSA(hashes.SM3())))


def sm2_verify(public_key: PublicKey, message: bytes, signature: bytes) -> bool:
    """Return whether signature (DER r,s) is a valid SM2-with-SM3 signature of message, default ID."""
    try:
        public_key.verify(signature, message, ec.ECDSA(hashes.SM3()))
    except InvalidSignature:
        return False
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return False
    except Exception:  # the binding raises internal assertion errors on garbage input: still just "invalid"
        return False
    return True


def sm2_verify_digest(public_key: PublicKey, digest: bytes, signature: bytes) -> bool:
    """Return whether signature verifies when the SM2 input e is digest itself (no Z, no hashing).

    Only some legacy GM/T 0031 producers sign this way; it is a fallback for reading, never for
    producing. It goes through the binding's EVP_PKEY_verify, which for an SM2 key takes e as given.
    """
    try:
        from tongsuopy.backends.tongsuo import backend
    except ImportError:  # pragma: no cover - the binding is a hard dependency
        return False
    lib, ffi = backend._lib, backend._ffi
    evp_pkey = getattr(public_key, "_evp_pkey", None)
    if evp_pkey is None or len(digest) != 32:
        return False
    ctx = lib.EVP_PKEY_CTX_new(evp_pkey, ffi.NULL)
    if ctx == ffi.NULL:
        backend._consume_errors()
        return False
    try:
        if lib.EVP_PKEY_verify_init(ctx) != 1:
            return False
        result = lib.EVP_PKEY_verify(ctx, signature, len(signature), digest, len(digest))
        return result == 1
    finally:
        lib.EVP_PKEY_CTX_free(ctx)
        backend._consume_errors()


def load_public_key_der(spki_der: bytes) -> PublicKey:
    """Return the SM2 public key of a DER SubjectPublicKeyInfo, or raise CryptoError."""
    try:
        key = serialization.load_der_public_key(spki_der)
    except Exception as exc:  # the binding raises assorted errors on garbage
        raise CryptoError(f"unreadable public key: {exc}") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "SM2":
        raise CryptoError("the public key is not an SM2 key")
    return key


def load_private_key_pem(data: bytes, password: bytes | None = None) -> PrivateKey:
    """Return the SM2 private key of a PEM file, or raise CryptoError."""
    try:
        key = serialization.load_pem_private_key(data, password)
    except Exception as exc:  # wrong password, corrupt PEM, ...
        raise CryptoError(f"unreadable private key: {exc}") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "SM2":
        raise CryptoError("the private key is not an SM2 key")
    return key


def private_key_pem(private_key: PrivateKey, password: bytes | None = None) -> bytes:
    """Return the PKCS#8 PEM of a private key, encrypted when a password is given."""
    encryption = (
        serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    )
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def public_key_der(public_key: PublicKey) -> bytes:
    """Return the DER SubjectPublicKeyInfo of a public key."""
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def public_key_pem(public_key: PublicKey) -> bytes:
    """Return the PEM SubjectPublicKeyInfo of a public key."""
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

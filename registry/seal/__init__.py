"""Electronic seals and signatures for OFD files (GB/T 38540, SM2/SM3): seal, sign, verify.

A pure library: no Django import anywhere in this package.
"""

from .certs import CertificateError, build_certificate, cert_info, chain_to_root, load_certificate
from .crypto import DEFAULT_USER_ID, sm2_sign, sm2_verify, sm3
from .demo import DemoAuthority, create_demo_pki, load_demo_authority
from .seal import SealError, SealInfo, make_seal, read_seal
from .sign import seal_package
from .signer import RemoteSigner, Signer, SignerError, SoftwareSigner
from .verify import STEP_CODES, Report, Status, Step, Verdict, verify_ofd

__all__ = [
    "DEFAULT_USER_ID",
    "STEP_CODES",
    "CertificateError",
    "DemoAuthority",
    "RemoteSigner",
    "Report",
    "SealError",
    "SealInfo",
    "Signer",
    "SignerError",
    "SoftwareSigner",
    "Status",
    "Step",
    "Verdict",
    "build_certificate",
    "cert_info",
    "chain_to_root",
    "create_demo_pki",
    "load_certificate",
    "load_demo_authority",
    "make_seal",
    "read_seal",
    "seal_package",
    "sm2_sign",
    "sm2_verify",
    "sm3",
    "verify_ofd",
]

"""Make and read GB/T 38540 v4 seals (``SESeal``).

A seal is made once by the seal maker (制章者) and reused for every signature: it names the seal,
carries its picture and validity window, lists the certificates allowed to use it, and is signed by
the maker over DER(SES_SealInfo).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from asn1crypto import core

from . import asn1
from .crypto import OID_SM2_WITH_SM3
from .signer import Signer


class SealError(Exception):
    """The seal cannot be made or is not a usable v4 seal."""


@dataclass(frozen=True)
class SealInfo:
    """What a signer needs to know about a seal before using it."""

    der: bytes
    es_id: str
    name: str
    picture_type: str
    picture: bytes
    width_mm: int
    height_mm: int
    valid_start: datetime
    valid_end: datetime
    cert_list_type: int
    certs: tuple[bytes, ...]


def generalized_time(moment: datetime) -> core.GeneralizedTime:
    """Return a GeneralizedTime "YYYYMMDDhhmmssZ" (UTC, whole seconds) of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return core.GeneralizedTime(moment.astimezone(UTC).replace(microsecond=0))


def make_seal(
    maker: Signer,
    *,
    es_id: str,
    name: str,
    signer_certs: list[bytes],
    picture_png: bytes,
    width_mm: int,
    height_mm: int,
    created: datetime,
    valid_start: datetime,
    valid_end: datetime,
    vid: str = "CQ",
    seal_type: int = 1,
) -> bytes:
    """Return the DER SESeal v4 of a seal signed by maker, usable by the listed signer certificates.

    seal_type 1 is an official (公章-type) seal; confirm the code with the seal authority.
    """
    if not signer_certs:
        raise SealError("a seal must list at least one signer certificate")
    if not es_id.isascii() or not vid.isascii():
        raise SealError("esID and vid must be ASCII")
    info = asn1.SESSealInfo(
        {
            "header": {"id": "ES", "version": 4, "vid": vid},
            "es_id": es_id,
            "property": {
                "type": seal_type,
                "name": name,
                "cert_list_type": 1,
                "cert_list": core.Any.load(asn1.CertList(list(signer_certs)).dump()),
                "create_date": generalized_time(created),
                "valid_start": generalized_time(valid_start),
                "valid_end": generalized_time(valid_end),
            },
            "picture": {"type": "PNG", "data": picture_png, "width": width_mm, "height": height_mm},
        }
    )
    info_der = info.dump()
    signature = maker.sign(info_der)
    seal = asn1.SESeal(
        {
            "e_seal_info": asn1.SESSealInfo.load(info_der),
            "cert": maker.certificate,
            "sign_alg_id": OID_SM2_WITH_SM3,
            "signed_value": signature,
        }
    )
    der = seal.dump()
    if info_der not in der:  # the maker signed these exact bytes; they must survive intact
        raise SealError("internal error: SES_SealInfo was re-encoded")
    return der


def read_seal(der: bytes) -> SealInfo:
    """Return the contents of a DER SESeal v4, or raise SealError."""
    try:
        seal = asn1.SESeal.load(der, strict=True)
        info = seal["e_seal_info"]
        prop = info["property"]
        header = info["header"]
        if header["id"].native != "ES" or header["version"].native != 4:
            raise SealError("not a v4 seal (header must be ES, version 4)")
        list_type = prop["cert_list_type"].native
        certs: tuple[bytes, ...] = ()
        if list_type == 1:
            certs = tuple(item.native for item in asn1.CertList.load(prop["cert_list"].dump(), strict=True))
        picture = info["picture"]
        return SealInfo(
            der=der,
            es_id=info["es_id"].native,
            name=prop["name"].native,
            picture_type=picture["type"].native,
            picture=picture["data"].native,
            width_mm=picture["width"].native,
            height_mm=picture["height"].native,
            valid_start=prop["valid_start"].native,
            valid_end=prop["valid_end"].native,
            cert_list_type=list_type,
            certs=certs,
        )
    except SealError:
        raise
    except Exception as exc:
        raise SealError(f"unreadable seal: {exc}") from None

"""Seal an OFD package: GB/T 38540 v4 signature over every file, with a visible stamp.

The procedure follows the byte-exact order of the implementer brief (§3.10):

1. Make OFD.xml point at Signatures.xml (inserted textually, never re-serialised) and write
   Signatures.xml with the new entry; write Seal.esl.
2. Digest (SM3) every file of the package except Signatures.xml into References.
3. Serialise Signature.xml once; those bytes are final.
4. TBS_Sign = SEQUENCE{4, SESeal, timeInfo, SM3(Signature.xml), propertyInfo}.
5. Ask the signer for SM2(DER(TBS_Sign)).
6. SignedValue.dat = SEQUENCE{TBS_Sign, signer cert, SM2-with-SM3 OID, signature}.

From step 2 on no byte of any digested part changes.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from xml.sax.saxutils import quoteattr

from asn1crypto import core

from registry.ofd.package import normalise_name, resolve
from registry.ofd.xml import XmlError, child, children, parse_xml
from registry.ofd.xml import local as local_name

from .crypto import OID_SM2_WITH_SM3, OID_SM3, sm3
from .seal import SealError, generalized_time, read_seal
from .signer import Signer

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
NS_DECL = 'xmlns:ofd="http://www.ofdspec.org/2016"'

PROVIDER_NAME = "cq-constructor-registry"
PROVIDER_COMPANY = "Chongqing Municipal Commission of Housing and Urban-Rural Development"
PROVIDER_VERSION = "1.0"

_SIGN_ID = re.compile(r"^s?(\d+)$")


def der_sequence(*encoded_children: bytes) -> bytes:
    """Return a DER SEQUENCE wrapping already-encoded children byte for byte."""
    body = b"".join(encoded_children)
    length = len(body)
    if length < 0x80:
        header = bytes([0x30, length])
    else:
        size = length.to_bytes((length.bit_length() + 7) // 8, "big")
        header = bytes([0x30, 0x80 | len(size)]) + size
    return header + body


def _number(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _ensure_signatures_pointer(ofd_xml: bytes, signatures_path: str) -> tuple[bytes, str]:
    """Return OFD.xml with a DocBody/Signatures pointer, and the part name it points to.

    An existing pointer is kept; a missing one is inserted textually before the first </ofd:DocBody>,
    so every other byte of OFD.xml stays as the layout code wrote it.
    """
    try:
        root = parse_xml(ofd_xml)
    except XmlError as exc:
        raise SealError(f"OFD.xml: {exc}") from None
    body = child(root, "DocBody")
    if body is None:
        raise SealError("OFD.xml has no DocBody")
    existing = child(body, "Signatures")
    if existing is not None and (existing.text or "").strip():
        return ofd_xml, resolve("", existing.text)
    if existing is not None:
        raise SealError("OFD.xml has an empty Signatures element")
    marker = b"</ofd:DocBody>"
    position = ofd_xml.find(marker)
    if position < 0 or ofd_xml.count(marker) != 1:
        raise SealError("OFD.xml must contain exactly one </ofd:DocBody> (with the ofd: prefix)")
    pointer = f"<ofd:Signatures>{signatures_path}</ofd:Signatures>".encode()
    return ofd_xml[:position] + pointer + ofd_xml[position:], signatures_path


def _existing_signatures(data: bytes | None) -> list[tuple[str, str, str]]:
    """Return (ID, Type, BaseLoc) of every signature already listed in Signatures.xml."""
    if data is None:
        return []
    try:
        root = parse_xml(data)
    except XmlError as exc:
        raise SealError(f"Signatures.xml: {exc}") from None
    return [
        (item.get("ID", ""), item.get("Type", "Seal"), item.get("BaseLoc", ""))
        for item in children(root, "Signature")
    ]


def _max_sign_number(data: bytes | None) -> int:
    if data is None:
        return 0
    numbers = [0]
    for element in parse_xml(data).iter():
        if local_name(element) == "MaxSignId":
            match = _SIGN_ID.match((element.text or "").strip())
            if match:
                numbers.append(int(match.group(1)))
        elif local_name(element) == "Signature":
            match = _SIGN_ID.match(element.get("ID", ""))
            if match:
                numbers.append(int(match.group(1)))
    return max(numbers)


def _check_page(parts: Mapping[str, bytes], ofd_xml: bytes, page_id: str) -> None:
    """Refuse a stamp on a page the document does not have (readers would drop it silently)."""
    root = parse_xml(ofd_xml)
    body = child(root, "DocBody")
    doc_root = child(body, "DocRoot") if body is not None else None
    if doc_root is None or not (doc_root.text or "").strip():
        raise SealError("OFD.xml has no DocRoot")
    document_name = resolve("", doc_root.text)
    document = parts.get(document_name)
    if document is None:
        raise SealError(f"the document root {document_name} is not in the package")
    page_ids = {
        element.get("ID")
        for element in parse_xml(document).iter()
        if local_name(element) == "Page" and element.get("ID") is not None
    }
    if page_id not in page_ids:
        raise SealError(f"Document.xml has no page with ID {page_id!r}")


def seal_package(
    parts: Mapping[str, bytes],
    *,
    signer: Signer,
    seal: bytes,
    page_id: str,
    stamp_box: tuple[float, float, float, float],
    sign_time: datetime,
    doc_root: str = "Doc_0",
) -> dict[str, bytes]:
    """Return the parts of the package sealed with one more GB/T 38540 v4 signature.

    parts maps part names (no leading slash) to final bytes, in ZIP order. The result holds every
    input part (OFD.xml with a Signatures pointer added if it had none), then Signatures.xml and the
    new Sign_N folder (Seal.esl, Signature.xml, SignedValue.dat). stamp_box is (x, y, w, h) in mm on
    the page whose Document.xml ID is page_id. Write the result with write_package unchanged.
    """
    if sign_time.tzinfo is None:
        raise ValueError("sign_time must be timezone-aware")
    info = read_seal(seal)
    if info.cert_list_type == 1 and signer.certificate not in info.certs:
        raise SealError("the signer's certificate is not listed in the seal; verifiers would reject it")
    sign_time = sign_time.astimezone(UTC).replace(microsecond=0)
    if not info.valid_start <= sign_time <= info.valid_end:
        raise SealError("the seal is not valid at the signing time")

    out: dict[str, bytes] = {normalise_name(name): bytes(data) for name, data in parts.items()}
    if "OFD.xml" not in out:
        raise SealError("the package has no OFD.xml")

    # Step 1: pointers and Signatures.xml, all before anything is digested.
    out["OFD.xml"], signatures_name = _ensure_signatures_pointer(out["OFD.xml"], f"{doc_root}/Signs/Signatures.xml")
    _check_page(out, out["OFD.xml"], page_id)
    previous = out.get(signatures_name)
    existing = _existing_signatures(previous)
    number = _max_sign_number(previous)
    # Plain numbers, as the standard's text and every vendor file write them: ofd.js stacks a stamp
    # at its StampAnnot ID plus an offset, so with the letter prefix the 2016 XSD's xs:ID asks for
    # ("s002") it computes no stacking order and draws the page's text over the seal. Files sealed
    # with "sNNN" IDs earlier are still numbered on from by _SIGN_ID.
    signature_id, stamp_id = str(number + 1), str(number + 2)
    signs_dir = signatures_name.rpartition("/")[0]
    folder_index = 0
    while any(name.startswith(f"{signs_dir}/Sign_{folder_index}/") for name in out):
        folder_index += 1
    sign_dir = f"{signs_dir}/Sign_{folder_index}"
    signature_name = f"{sign_dir}/Signature.xml"
    entries = "".join(
        f"<ofd:Signature ID={quoteattr(sid)} Type={quoteattr(kind)} BaseLoc={quoteattr(loc)}/>"
        for sid, kind, loc in existing
    )
    entries += f'<ofd:Signature ID="{signature_id}" Type="Seal" BaseLoc="/{signature_name}"/>'
    out.pop(signatures_name, None)
    out[signatures_name] = (
        f"{XML_DECLARATION}<ofd:Signatures {NS_DECL}><ofd:MaxSignId>{stamp_id}</ofd:MaxSignId>"
        f"{entries}</ofd:Signatures>"
    ).encode()
    seal_name = f"{sign_dir}/Seal.esl"
    out[seal_name] = seal

    # Step 2: digest every file except Signatures.xml (left open so later seals can be added).
    references = "".join(
        f"<ofd:Reference FileRef={quoteattr('/' + name)}><ofd:CheckValue>"
        f"{base64.b64encode(sm3(data)).decode('ascii')}</ofd:CheckValue></ofd:Reference>"
        for name, data in out.items()
        if name != signatures_name
    )

    # Step 3: Signature.xml, serialised once.
    x, y, w, h = stamp_box
    signed_value_name = f"{sign_dir}/SignedValue.dat"
    signature_xml = (
        f"{XML_DECLARATION}<ofd:Signature {NS_DECL}><ofd:SignedInfo>"
        f"<ofd:Provider ProviderName={quoteattr(PROVIDER_NAME)} Company={quoteattr(PROVIDER_COMPANY)}"
        f" Version={quoteattr(PROVIDER_VERSION)}/>"
        f"<ofd:SignatureMethod>{OID_SM2_WITH_SM3}</ofd:SignatureMethod>"
        f"<ofd:SignatureDateTime>{sign_time:%Y%m%d%H%M%S}Z</ofd:SignatureDateTime>"
        f'<ofd:References CheckMethod="{OID_SM3}">{references}</ofd:References>'
        f"<ofd:StampAnnot ID={quoteattr(stamp_id)} PageRef={quoteattr(page_id)}"
        f' Boundary="{_number(x)} {_number(y)} {_number(w)} {_number(h)}"/>'
        f"<ofd:Seal><ofd:BaseLoc>/{seal_name}</ofd:BaseLoc></ofd:Seal>"
        f"</ofd:SignedInfo><ofd:SignedValue>/{signed_value_name}</ofd:SignedValue></ofd:Signature>"
    ).encode()

    # Steps 4-6: TBS_Sign, the signer's signature, SES_Signature.
    tbs_sign = der_sequence(
        core.Integer(4).dump(),
        seal,
        generalized_time(sign_time).dump(),
        core.OctetBitString(sm3(signature_xml)).dump(),
        core.IA5String("/" + signature_name).dump(),
    )
    signature = signer.sign(tbs_sign)
    signed_value = der_sequence(
        tbs_sign,
        core.OctetString(signer.certificate).dump(),
        core.ObjectIdentifier(OID_SM2_WITH_SM3).dump(),
        core.OctetBitString(signature).dump(),
    )
    out[signature_name] = signature_xml
    out[signed_value_name] = signed_value
    return out

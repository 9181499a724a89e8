"""ASN.1 structures of GB/T 38540-2020 ("v4") and GM/T 0031-2014 ("v1") electronic seals.

Field names follow the standards. Verifiers must work on the raw bytes: asn1crypto keeps the original
encoding of every parsed value (``.dump()`` returns it unchanged unless a value was modified), so the
signed ``TBS_Sign`` and ``SES_SealInfo`` are sliced, never re-encoded.
"""

from __future__ import annotations

from asn1crypto import core


class ExtData(core.Sequence):
    _fields = [
        ("extn_id", core.ObjectIdentifier),
        ("critical", core.Boolean, {"default": False}),
        ("extn_value", core.OctetString),
    ]


class ExtensionDatas(core.SequenceOf):
    _child_spec = ExtData


class SESHeader(core.Sequence):
    _fields = [
        ("id", core.IA5String),
        ("version", core.Integer),
        ("vid", core.IA5String),
    ]


class CertList(core.SequenceOf):
    _child_spec = core.OctetString


class CertDigestObj(core.Sequence):
    _fields = [
        ("type", core.PrintableString),
        ("value", core.OctetString),
    ]


class CertDigestList(core.SequenceOf):
    _child_spec = CertDigestObj


class SESESPropertyInfo(core.Sequence):
    """SES_ESPropertyInfo (v4); certList is kept raw and read according to certListType."""

    _fields = [
        ("type", core.Integer),
        ("name", core.UTF8String),
        ("cert_list_type", core.Integer),
        ("cert_list", core.Any),
        ("create_date", core.GeneralizedTime),
        ("valid_start", core.GeneralizedTime),
        ("valid_end", core.GeneralizedTime),
    ]


class SESESPictureInfo(core.Sequence):
    """SES_ESPictrueInfo (the standard's spelling)."""

    _fields = [
        ("type", core.IA5String),
        ("data", core.OctetString),
        ("width", core.Integer),
        ("height", core.Integer),
    ]


class SESSealInfo(core.Sequence):
    _fields = [
        ("header", SESHeader),
        ("es_id", core.IA5String),
        ("property", SESESPropertyInfo),
        ("picture", SESESPictureInfo),
        ("ext_datas", ExtensionDatas, {"optional": True}),
    ]


class SESeal(core.Sequence):
    """SESeal v4: the seal, signed once by the seal maker over DER(SES_SealInfo)."""

    _fields = [
        ("e_seal_info", SESSealInfo),
        ("cert", core.OctetString),
        ("sign_alg_id", core.ObjectIdentifier),
        ("signed_value", core.OctetBitString),
    ]


class TBSSign(core.Sequence):
    _fields = [
        ("version", core.Integer),
        ("eseal", SESeal),
        ("time_info", core.GeneralizedTime),
        ("data_hash", core.OctetBitString),
        ("property_info", core.IA5String),
        ("ext_datas", ExtensionDatas, {"explicit": 0, "optional": True}),
    ]


class SESSignature(core.Sequence):
    """SES_Signature v4: the content of SignedValue.dat."""

    _fields = [
        ("to_sign", TBSSign),
        ("cert", core.OctetString),
        ("signature_alg_id", core.ObjectIdentifier),
        ("signature", core.OctetBitString),
        ("time_stamp", core.OctetBitString, {"explicit": 0, "optional": True}),
    ]


# --- GM/T 0031-2014 (v1), read only -------------------------------------------------------------


class SESESPropertyInfoV1(core.Sequence):
    _fields = [
        ("type", core.Integer),
        ("name", core.UTF8String),
        ("cert_list", core.Any),
        ("create_date", core.UTCTime),
        ("valid_start", core.UTCTime),
        ("valid_end", core.UTCTime),
    ]


class SESSealInfoV1(core.Sequence):
    _fields = [
        ("header", SESHeader),
        ("es_id", core.IA5String),
        ("property", SESESPropertyInfoV1),
        ("picture", SESESPictureInfo),
        ("ext_datas", ExtensionDatas, {"optional": True}),
    ]


class SESSignInfoV1(core.Sequence):
    _fields = [
        ("cert", core.OctetString),
        ("signature_algorithm", core.ObjectIdentifier),
        ("sign_data", core.OctetBitString),
    ]


class SESealV1(core.Sequence):
    _fields = [
        ("e_seal_info", SESSealInfoV1),
        ("sign_info", SESSignInfoV1),
    ]


class TBSSignV1(core.Sequence):
    _fields = [
        ("version", core.Integer),
        ("eseal", SESealV1),
        ("time_info", core.OctetBitString),
        ("data_hash", core.OctetBitString),
        ("property_info", core.IA5String),
        ("cert", core.OctetString),
        ("signature_algorithm", core.ObjectIdentifier),
    ]


class SESSignatureV1(core.Sequence):
    _fields = [
        ("to_sign", TBSSignV1),
        ("signature", core.OctetBitString),
    ]

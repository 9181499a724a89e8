"""Making and reading the authority's seal (SESeal v4) and its picture."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image

from registry.seal import SealError, make_seal, read_seal
from registry.seal.asn1 import SESeal
from registry.seal.certs import certificate_public_key
from registry.seal.crypto import sm2_verify
from registry.seal.demo import SEAL_NAME


def test_the_demo_seal_reads_back_with_its_name_picture_and_signer(authority) -> None:
    seal = read_seal(authority.seal)

    assert seal.name == SEAL_NAME
    assert seal.picture_type == "PNG"  # ofd.js only draws png and ofd pictures
    assert (seal.width_mm, seal.height_mm) == (40, 40)
    assert seal.cert_list_type == 1
    assert seal.certs == (authority.signer.certificate,)
    picture = Image.open(io.BytesIO(seal.picture))
    assert picture.format == "PNG"
    assert picture.convert("RGBA").getpixel((0, 0))[3] == 0  # transparent corner
    assert picture.size[0] == picture.size[1]


def test_the_maker_signs_exactly_the_der_of_ses_sealinfo(authority) -> None:
    seal = SESeal.load(authority.seal)
    info_der = seal["e_seal_info"].dump()
    key = certificate_public_key(seal["cert"].native)

    assert seal["cert"].native == authority.maker_certificate
    assert sm2_verify(key, info_der, bytes(seal["signed_value"]))
    assert not sm2_verify(key, seal.dump(), bytes(seal["signed_value"]))


def test_it_refuses_a_seal_without_signer_certificates(authority) -> None:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(SealError, match="at least one"):
        make_seal(authority.signer, es_id="1", name="x", signer_certs=[], picture_png=b"",
                  width_mm=40, height_mm=40, created=moment, valid_start=moment, valid_end=moment)


def test_read_seal_rejects_garbage_and_v1_seals(shared_dir) -> None:
    import zipfile

    with pytest.raises(SealError):
        read_seal(b"\x30\x03\x02\x01\x04")
    v1_seal = zipfile.ZipFile(shared_dir / "standards" / "ofd-samples" / "ofdrw-converter_n.ofd").read(
        "Doc_0/Signs/Sign_0/Seal.esl"
    )
    with pytest.raises(SealError):
        read_seal(v1_seal)


def test_a_certificate_chains_only_to_the_root_that_issued_it(authority, other_authority) -> None:
    from registry.seal import chain_to_root

    assert chain_to_root(authority.signer.certificate, [authority.trust_root]) == [
        authority.signer.certificate, authority.trust_root,
    ]
    assert chain_to_root(authority.signer.certificate, [other_authority.trust_root]) is None


@pytest.mark.parametrize("issuer_is_ca", [True, False])
def test_only_a_ca_certificate_can_issue(issuer_is_ca: bool) -> None:
    from registry.seal import build_certificate, chain_to_root
    from registry.seal.crypto import generate_private_key, public_key_der, sm2_sign

    moment = datetime(2026, 1, 1, tzinfo=UTC)
    issuer_key, leaf_key = generate_private_key(), generate_private_key()
    common = {"not_before": moment, "not_after": moment.replace(year=2030), "key_usage": {"digital_signature"}}
    issuer = build_certificate(
        subject={"common_name": "issuer"}, public_key_der=public_key_der(issuer_key.public_key()), issuer_der=None,
        sign=lambda tbs: sm2_sign(issuer_key, tbs), is_ca=issuer_is_ca, **common,
    )
    leaf = build_certificate(
        subject={"common_name": "leaf"}, public_key_der=public_key_der(leaf_key.public_key()), issuer_der=issuer,
        sign=lambda tbs: sm2_sign(issuer_key, tbs), is_ca=False, **common,
    )

    assert (chain_to_root(leaf, [issuer]) is not None) is issuer_is_ca

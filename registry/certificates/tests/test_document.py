"""The certificate: every field on the page, schema-valid parts, checked glyphs, a QR that scans."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import date, datetime, time

import pytest
from PIL import Image

from registry.certificates.document import (
    CertificateError,
    build_certificate,
    build_certificate_parts,
)
from registry.certificates.layout import parse_layout
from registry.certificates.tests.helpers import qr_texts
from registry.clock import LOCAL_ZONE
from registry.masking import CERTIFICATE, mask_id_number
from registry.ofd.fonts import MissingGlyphError
from registry.ofd.reader import ImageItem, read_ofd


def _page(data, layout, **kwargs):
    # Unsealed: the signing time only dates the document, so take it from the data's issue date.
    sign_time = datetime.combine(data.issue_date, time(10, 30), tzinfo=LOCAL_ZONE)
    built = build_certificate_parts(data, layout=layout, sign_time=sign_time, **kwargs)
    return built, read_ofd(built.to_bytes())


def _texts(document) -> list[str]:
    return [item.text for item in document.pages[0].texts]


def _chinese(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_the_page_shows_every_field_of_the_certificate_face(data, layout):
    _, document = _page(data, layout)
    texts = _texts(document)
    (first, start1, end1), (second, start2, end2) = data.specialties
    assert texts[0] == "中华人民共和国二级建造师注册证书"
    for expected in (
        "张晓明",
        "男",
        "1988年3月7日",
        "50010119880307123X",
        "渝2502019202100001",
        "重庆示例建设工程有限公司",
        f"{first}（有效期：{_chinese(start1)}至{_chinese(end1)}）",
        f"{second}（有效期：{_chinese(start2)}至{_chinese(end2)}）",
        _chinese(data.issue_date),
        "重庆市住房和城乡建设委员会",
        "证照标识：1.2.156.3005.2.11100000000013338W001.11500000MB1234567A.2026000001.001.M",
        "证书编号：CQ2026000001",
    ):
        assert expected in texts, expected
    for label in (
        "姓名",
        "性别",
        "出生日期",
        "身份证件号码",
        "注册编号",
        "聘用企业",
        "注册专业",
        "发证日期",
        "本人签名",
    ):
        assert label in texts, label


def test_values_sit_in_the_value_column_on_their_label_baseline(data, layout):
    _, document = _page(data, layout)
    by_text = {item.text: item for item in document.pages[0].texts}
    name, label = by_text["张晓明"], by_text["姓名"]
    assert (name.x, name.y) == (62, 70)
    assert (label.x, label.y) == (26, 70)
    # The two-character label is spread across the label column.
    assert label.delta_x[0] == pytest.approx(30 - 4.94)


def test_the_photo_and_signature_are_embedded_unchanged(data, layout):
    _, document = _page(data, layout)
    images = [image.data for image in document.pages[0].images]
    assert data.photo in images and data.signature in images
    [photo] = [image for image in document.pages[0].images if image.format == "JPEG"]
    x, y, w, h = photo.boundary
    assert 148 <= x and x + w <= 183.001 and 60 <= y and y + h <= 105.001


def test_the_metadata_carries_the_key_fields(data, layout):
    _, document = _page(data, layout)
    custom = document.custom_data
    assert custom["注册编号"] == "渝2502019202100001"
    assert custom["证照标识"] == data.licence_identifier
    assert custom["持证人"] == "张晓明"
    first, start, end = data.specialties[0]
    assert custom["注册专业"].startswith(f"{first}（{start.isoformat()}至{end.isoformat()}）")
    assert document.doc_info["CreationDate"] == data.issue_date.isoformat()
    assert re.fullmatch(r"[0-9a-f]{32}", document.doc_info["DocID"])


def test_every_xml_part_validates_against_the_schemas(data, layout, validate):
    built, _ = _page(data, layout)
    for name, content in built.parts.items():
        if name.endswith(".xml"):
            validate(name, content)


def test_the_same_data_gives_the_same_bytes(data, layout, sign_time):
    first = build_certificate(data, layout=layout, sign_time=sign_time)
    assert build_certificate(data, layout=layout, sign_time=sign_time) == first


def test_the_id_number_is_masked_when_the_layout_says_so(data, layout):
    masked = dataclasses.replace(layout, options={**layout.options, "mask_id_number": True})
    _, document = _page(data, masked)
    assert "500101********123X" in _texts(document)
    assert "50010119880307123X" not in document.text
    assert mask_id_number("50010119880307123X", CERTIFICATE) == "500101********123X"


def test_a_rare_character_outside_the_bmp_is_printed(data, layout):
    _, document = _page(dataclasses.replace(data, name="𠮷祥"), layout)
    assert "𠮷祥" in _texts(document)


def test_a_character_the_font_lacks_stops_the_build(data, layout, sign_time):
    with pytest.raises(MissingGlyphError) as caught:
        build_certificate(dataclasses.replace(data, name="张\ue123"), layout=layout, sign_time=sign_time)
    assert caught.value.codepoint == 0xE123
    assert str(caught.value) == "字体缺少字符“\ue123”（U+E123），无法生成证书"


def test_a_long_employer_name_wraps_onto_a_second_line(data, layout):
    employer = "重庆市某某区某某某某建筑工程集团股份有限公司第三分公司城市更新项目部"
    _, document = _page(dataclasses.replace(data, employer_name=employer), layout)
    lines = [item for item in document.pages[0].texts if item.y in (125, 131.5)]
    lines = [item for item in lines if item.x == 62]
    assert "".join(item.text for item in lines) == employer
    assert len(lines) == 2


def test_an_employer_name_too_long_for_the_layout_is_refused(data, layout, sign_time):
    with pytest.raises(CertificateError, match="聘用企业"):
        build_certificate(
            dataclasses.replace(data, employer_name="很长" * 60), layout=layout, sign_time=sign_time
        )


def test_more_specialties_than_the_layout_holds_are_refused(data, layout, sign_time):
    many = [("建筑工程", date(2026, 1, 1), date(2029, 1, 1))] * 7
    with pytest.raises(CertificateError, match="6"):
        build_certificate(dataclasses.replace(data, specialties=many), layout=layout, sign_time=sign_time)


@pytest.mark.parametrize("field", ["photo", "signature"])
def test_an_image_that_is_not_jpeg_or_png_is_refused(data, layout, field, sign_time):
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, "GIF")
    for bad in (b"not an image", gif.getvalue()):
        with pytest.raises(CertificateError, match="JPEG 或 PNG"):
            build_certificate(dataclasses.replace(data, **{field: bad}), layout=layout, sign_time=sign_time)


def test_sign_time_must_be_aware(data, layout):
    with pytest.raises(ValueError):
        build_certificate(data, layout=layout, sign_time=datetime(2026, 11, 24))


def test_a_layout_without_a_stamp_cannot_be_sealed(data, layout, authority, sign_time):
    raw_items = [item for item in layout.items if item["type"] != "stamp"]
    no_stamp = dataclasses.replace(layout, items=tuple(raw_items))
    with pytest.raises(CertificateError, match="签章位置"):
        build_certificate(
            data, layout=no_stamp, signer=authority.signer, seal=authority.seal, sign_time=sign_time
        )


# -- the QR code -----------------------------------------------------------------------------------


def _qr_image(document, data) -> ImageItem:
    [qr] = [image for image in document.pages[0].images if image.data not in (data.photo, data.signature)]
    return qr


def test_the_qr_code_scans_back_to_the_verification_url(data, layout):
    _, document = _page(data, layout)
    qr = _qr_image(document, data)
    assert qr.format == "PNG"
    assert qr_texts(Image.open(io.BytesIO(qr.data))) == [data.verification_url]


def test_the_qr_code_is_printable_size_with_a_white_quiet_zone(data, layout):
    _, document = _page(data, layout)
    qr = _qr_image(document, data)
    x, y, w, h = qr.boundary
    assert (x, y) == (24, 226) and w == h
    image = Image.open(io.BytesIO(qr.data)).convert("L")
    modules = round(w / 0.7)  # 0.7 mm modules, the symbol and 4 quiet modules each side
    scale = image.width / modules
    assert scale == int(scale) and scale / 0.7 * 25.4 >= 600
    quiet = 4 * int(scale)
    for box in ((0, 0, image.width, quiet), (0, 0, quiet, image.height)):
        assert image.crop(box).getextrema() == (255, 255)
    for box in ((0, image.height - quiet, image.width, image.height), (image.width - quiet, 0, image.width, image.height)):
        assert image.crop(box).getextrema() == (255, 255)
    assert image.crop((quiet, quiet, quiet + int(scale), quiet + int(scale))).getextrema() == (0, 0)  # finder


def test_the_qr_code_holds_no_personal_data(data, layout):
    assert data.id_number not in data.verification_url
    assert data.registration_number not in data.verification_url


def test_a_qr_module_smaller_than_half_a_millimetre_is_refused(data, layout, sign_time):
    import json

    from registry.certificates.layout import DEFAULT_LAYOUT_FILE

    raw = json.loads(DEFAULT_LAYOUT_FILE.read_text(encoding="utf-8"))
    for item in raw["items"]:
        if item["type"] == "qr":
            item["module"] = 0.4
    with pytest.raises(ValueError, match="0.5 mm"):
        build_certificate(data, layout=parse_layout(raw), sign_time=sign_time)

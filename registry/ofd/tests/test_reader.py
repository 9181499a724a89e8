"""The reader: round-trips our output, reads other vendors' files, and refuses hostile input cleanly."""

from __future__ import annotations

import io
import zipfile

import pytest

from registry.ofd.package import write_package
from registry.ofd.reader import OfdReadError, expand_deltas, read_ofd
from registry.ofd.writer import write_document, write_ofd


def _samples(shared_dir):
    return shared_dir / "standards" / "ofd-samples"


def test_it_reads_back_what_the_writer_wrote(sample_document):
    document = read_ofd(write_ofd(sample_document))
    assert document.version == "1.0"
    assert document.doc_info["DocID"] == "0123456789abcdef0123456789abcdef"
    assert document.doc_info["CreationDate"] == "2026-11-24"
    assert document.custom_data == {"注册编号": "渝2502019202100001", "姓名": "张三"}
    assert document.physical_box == (0, 0, 210, 297)
    [page] = document.pages
    assert page.id == "1"
    title, line = page.texts
    assert title.text == "二级建造师电子注册证书"
    assert (title.x, title.y, title.size) == (40, 40, 7.76)
    assert line.text == "注册编号：渝2502019202100001 & <测试>"
    assert len(line.delta_x) == len(line.text) - 1
    [image] = page.images
    assert image.boundary == (150, 80, 25, 35) and image.format == "PNG"
    assert image.data == sample_document.pages[0].objects[3].image.data
    [path] = page.paths
    assert path.stroke_color == (150, 20, 20) and path.line_width == 0.5
    assert document.fonts["2"].file_path == "Doc_0/Res/font_2.ttf"
    assert document.signatures == []


def test_the_raw_bytes_of_every_part_are_kept(sample_document):
    written = write_document(sample_document)
    assert read_ofd(written.to_bytes()).parts == written.parts


@pytest.mark.parametrize(
    ("file", "pages", "text", "signatures"),
    [
        ("ofdrw-sign_v4signed.ofd", 1, "重庆增值税电子普通发票", 1),
        ("ofdrw-converter_999.ofd", 5, "销售货物或者提供应税劳务、服务清单", 1),
        ("ofdrw-converter_n.ofd", 2, "关于同意张阿三同志辞职的批复", 1),
        ("ofdrw-reader_SESV4SignDoc.ofd", 1, "你好呀，OFD Reader&Writer！", 1),
    ],
)
def test_it_reads_the_vendor_samples(shared_dir, file, pages, text, signatures):
    document = read_ofd((_samples(shared_dir) / file).read_bytes())
    assert len(document.pages) == pages
    assert text in document.text
    assert len(document.signatures) == signatures
    for signature in document.signatures:
        assert signature.signed_value(document.package) is not None
        assert signature.references
        assert signature.stamp_annots[0].page_ref in {page.id for page in document.pages}


def test_it_finds_the_template_despite_the_tpls_case_quirk(shared_dir):
    document = read_ofd((_samples(shared_dir) / "ofdrw-sign_v4signed.ofd").read_bytes())
    assert document.version == "1.1"
    page = document.pages[0]
    assert any(item.from_template for item in page.texts)
    assert "机器编号：" in [item.text for item in page.texts if item.from_template]
    assert document.custom_data["发票号码"] == "99999951"
    assert page.images[0].data.startswith(b"\x89PNG")


def test_it_resolves_a_relative_signature_base_loc(shared_dir):
    document = read_ofd((_samples(shared_dir) / "ofdrw-converter_999.ofd").read_bytes())
    [signature] = document.signatures
    assert signature.path == "Doc_0/Signs/Sign_0/Signature.xml"
    assert signature.signed_value_path == "Doc_0/Signs/Sign_0/SignedValue.dat"
    assert signature.check_method == "1.2.156.10197.1.401"


def test_it_reads_the_seal_path_of_an_ofdrw_signature(shared_dir):
    document = read_ofd((_samples(shared_dir) / "ofdrw-reader_SESV4SignDoc.ofd").read_bytes())
    [signature] = document.signatures
    assert signature.seal_path == "Doc_0/Signs/Sign_0/Seal.esl"
    assert signature.stamp_annots[0].boundary == (50, 50, 40, 40)


def _package_with(ofd_xml: bytes, **extra: bytes) -> bytes:
    return write_package({"OFD.xml": ofd_xml, **{k.replace("__", "/"): v for k, v in extra.items()}})


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a zip at all",
        b"PK\x03\x04garbage",
    ],
)
def test_it_refuses_non_packages(data):
    with pytest.raises(OfdReadError):
        read_ofd(data)


def test_it_refuses_external_entities():
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody><ofd:DocRoot>&x;</ofd:DocRoot>'
        b"</ofd:DocBody></ofd:OFD>"
    )
    with pytest.raises(OfdReadError, match="DOCTYPE|entity|not well-formed"):
        read_ofd(_package_with(xxe))


def test_it_refuses_entity_expansion():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016">'
        b"<ofd:DocBody><ofd:DocRoot>&c;</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
    )
    with pytest.raises(OfdReadError):
        read_ofd(_package_with(bomb))


def test_it_refuses_a_missing_doc_root():
    ofd = b'<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>'
    with pytest.raises(OfdReadError, match="missing"):
        read_ofd(_package_with(ofd))


def test_it_refuses_malformed_numbers(sample_document):
    written = write_document(sample_document)
    parts = dict(written.parts)
    page = "Doc_0/Pages/Page_0/Content.xml"
    parts[page] = parts[page].replace(b'Boundary="150 80 25 35"', b'Boundary="150 eighty"')
    with pytest.raises(OfdReadError, match="box|number"):
        read_ofd(write_package(parts))


def test_it_bounds_g_runs_by_the_text_length():
    assert expand_deltas("g 4000000000 3", 4) == (3.0, 3.0, 3.0, 3.0)
    assert expand_deltas("1 g 2 3 4", 5) == (1.0, 3.0, 3.0, 4.0)
    with pytest.raises(OfdReadError):
        expand_deltas("g 2", 3)


def test_it_refuses_a_zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", b"<a/>")
        archive.writestr("Doc_0/big.bin", b"\0" * (40 * 1024 * 1024))
    with pytest.raises(OfdReadError):
        read_ofd(buffer.getvalue())

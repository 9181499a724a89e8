"""The writer's output: schema-valid, deterministic, and laid out as the brief says."""

from __future__ import annotations

import dataclasses
import re
import zipfile
from io import BytesIO

import pytest

from registry.ofd.model import Document, Font, Page, TextObject
from registry.ofd.package import read_package
from registry.ofd.writer import WriterError, compress_deltas, write_document, write_ofd
from registry.ofd.xml import OFD_NS


def test_every_xml_part_validates_against_the_schemas(sample_document, validate):
    written = write_document(sample_document)
    xml_parts = [name for name in written.parts if name.endswith(".xml")]
    assert xml_parts == [
        "OFD.xml",
        "Doc_0/Document.xml",
        "Doc_0/PublicRes.xml",
        "Doc_0/DocumentRes.xml",
        "Doc_0/Pages/Page_0/Content.xml",
    ]
    for name in xml_parts:
        validate(name, written.parts[name])


def test_the_signatures_pointer_is_written_when_asked_and_still_validates(sample_document, validate):
    document = dataclasses.replace(sample_document, with_signatures=True)
    ofd_xml = write_document(document).parts["OFD.xml"]
    assert b"<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures></ofd:DocBody>" in ofd_xml
    validate("OFD.xml", ofd_xml)


def test_same_input_gives_the_same_bytes(sample_document):
    assert write_ofd(sample_document) == write_ofd(sample_document)


def test_every_element_carries_the_ofd_prefix_and_no_bom(sample_document):
    for name, data in write_document(sample_document).parts.items():
        if not name.endswith(".xml"):
            continue
        assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?><ofd:')
        assert f'xmlns:ofd="{OFD_NS}"'.encode() in data
        assert b"<ofd" in data and b"xmlns=" not in data


def test_ids_are_unique_and_max_unit_id_is_the_largest(sample_document):
    import re

    written = write_document(sample_document)
    ids: list[int] = []
    for name, data in written.parts.items():
        if name.endswith(".xml") and name != "OFD.xml":
            ids += [int(v) for v in re.findall(rb' ID="(\d+)"', data)]
    # Page IDs appear once in Document.xml; every other ID once in its own file.
    assert len(ids) == len(set(ids))
    assert max(ids) == written.max_unit_id
    assert (
        f"<ofd:MaxUnitID>{written.max_unit_id}</ofd:MaxUnitID>".encode()
        in written.parts["Doc_0/Document.xml"]
    )
    assert written.page_ids == ("1",)


def test_every_referenced_path_exists_byte_exactly(sample_document):
    written = write_document(sample_document)
    document_xml = written.parts["Doc_0/Document.xml"].decode()
    assert 'BaseLoc="Pages/Page_0/Content.xml"' in document_xml
    assert "Doc_0/Pages/Page_0/Content.xml" in written.parts
    public_res = written.parts["Doc_0/PublicRes.xml"].decode()
    assert "<ofd:FontFile>font_2.ttf</ofd:FontFile>" in public_res
    assert "Doc_0/Res/font_2.ttf" in written.parts
    assert "Doc_0/Res/image_3.png" in written.parts


def test_the_package_is_a_plain_zip_with_ascii_names(sample_document):
    data = write_ofd(sample_document)
    with zipfile.ZipFile(BytesIO(data)) as archive:
        names = archive.namelist()
    assert names[0] == "OFD.xml"
    assert all(name.isascii() and not name.startswith("/") for name in names)
    assert set(read_package(data)) == set(names)


def test_image_objects_have_a_ctm_equal_to_their_size(sample_document):
    page = write_document(sample_document).parts["Doc_0/Pages/Page_0/Content.xml"].decode()
    assert 'Boundary="150 80 25 35" CTM="25 0 0 35 0 0" ResourceID="3"' in page


def test_text_is_escaped_and_advances_are_n_minus_one(sample_document):
    page = write_document(sample_document).parts["Doc_0/Pages/Page_0/Content.xml"].decode()
    assert "&amp; &lt;测试&gt;" in page


def test_it_refuses_a_wrong_number_of_advances(sample_document):
    font = Font("宋体")
    bad = Document(sample_document.info, [Page([TextObject("三个字", font, 5, 0, 0, (5.0,))])])
    with pytest.raises(WriterError, match="2 advances"):
        write_document(bad)


def test_it_refuses_a_document_without_pages(sample_document):
    with pytest.raises(WriterError):
        write_document(Document(sample_document.info, []))


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ((), ""),
        ((5.0,), "5"),
        ((5.0, 5.0), "5 5"),
        ((5.0, 5.0, 5.0, 2.5), "g 3 5 2.5"),
        ((1.1234, 1.1236, 1.12361), "1.123 1.124 1.124"),
    ],
)
def test_compress_deltas_writes_runs_with_g(values, expected):
    assert compress_deltas(values) == expected


def test_already_compressed_parts_and_fonts_are_stored_and_xml_deflated():
    from registry.ofd.package import write_package

    parts = {
        "OFD.xml": b"<ofd:OFD/>" * 50,
        "Doc_0/Res/font_2.ttf": b"\0\1\0\0" * 200,
        "Doc_0/Res/image_3.jpg": b"\xff\xd8" + bytes(range(256)) * 4,
        "Doc_0/Res/image_4.PNG": b"\x89PNG" + bytes(range(256)),
        "Doc_0/Signs/Sign_0/Seal.esl": b"0\x82" + bytes(300),
        "Doc_0/Signs/Sign_0/SignedValue.dat": b"0\x82" + bytes(300),
    }
    data = write_package(parts)
    with zipfile.ZipFile(BytesIO(data)) as archive:
        methods = {info.filename: info.compress_type for info in archive.infolist()}
    assert methods == {
        "OFD.xml": zipfile.ZIP_DEFLATED,
        "Doc_0/Res/font_2.ttf": zipfile.ZIP_STORED,
        "Doc_0/Res/image_3.jpg": zipfile.ZIP_STORED,
        "Doc_0/Res/image_4.PNG": zipfile.ZIP_STORED,
        "Doc_0/Signs/Sign_0/Seal.esl": zipfile.ZIP_STORED,
        "Doc_0/Signs/Sign_0/SignedValue.dat": zipfile.ZIP_STORED,
    }
    assert dict(read_package(data)) == parts
    assert write_package(parts) == data


@pytest.mark.parametrize("sample", ["ofdrw-sign_v4signed.ofd", "ofdrw-converter_999.ofd"])
def test_the_schemas_accept_the_numeric_signature_ids_vendor_files_use(shared_dir, validate, sample):
    # Our seals number signatures as these files do (see schemas.SIGNATURE_ID_SCHEMAS).
    package = read_package((shared_dir / "standards" / "ofd-samples" / sample).read_bytes())
    signature_parts = [name for name in package if name.endswith(("Signatures.xml", "Signature.xml"))]
    assert len(signature_parts) == 2
    for name in signature_parts:
        assert re.search(rb'(ID="\d+"|MaxSignId>\d+<)', package[name]), name
        validate(name, package[name])

"""Packages two readers could read two ways are refused: local headers, letter case, overlaps, prefixes."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest

from registry.ofd.package import PackageError, read_package, write_package

OFD_XML = b'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>'


def raw_zip(entries: list[tuple[str, bytes]], *, alias: tuple[str, int, int] | None = None) -> bytes:
    """Return a STORED ZIP written byte by byte; alias (name, offset, size) adds a central entry only."""
    body, central = b"", b""
    for name, data in entries:
        encoded, crc = name.encode(), zlib.crc32(data)
        local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 0, 0, 0x21, crc, len(data), len(data),
                            len(encoded), 0)
        central += _central(encoded, crc, len(data), len(body))
        body += local + encoded + data
    count = len(entries)
    if alias:
        name, offset, size = alias
        central += _central(name.encode(), zlib.crc32(body[offset + 30 + len(name):][:size]), size, offset)
        count += 1
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, len(central), len(body), 0)
    return body + central + end


def _central(name: bytes, crc: int, size: int, offset: int) -> bytes:
    return struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 0, 0, 0x21, crc, size, size,
                       len(name), 0, 0, 0, 0, 0o644 << 16, offset) + name


def test_a_plain_stored_package_reads():
    assert read_package(raw_zip([("OFD.xml", OFD_XML), ("Doc_0/a.xml", b"<a/>")]))["Doc_0/a.xml"] == b"<a/>"


def test_our_own_deflated_packages_read():
    assert read_package(write_package({"OFD.xml": OFD_XML, "Doc_0/x.bin": bytes(range(256)) * 40}))


def test_two_names_differing_only_in_case_are_refused():
    with pytest.raises(PackageError, match="letter case"):
        read_package(raw_zip([("OFD.xml", OFD_XML), ("ofd.xml", b"<other/>")]))


@pytest.mark.parametrize(("field_offset", "value"), [
    (8, struct.pack("<H", 8)),          # compression method: the local header says deflated
    (26, struct.pack("<H", 6)),         # name length
    (18, struct.pack("<I", 3)),         # compressed size
    (14, struct.pack("<I", 12345)),     # CRC-32
])
def test_a_local_header_that_disagrees_with_the_central_directory_is_refused(field_offset, value):
    data = bytearray(raw_zip([("OFD.xml", OFD_XML)]))
    data[field_offset:field_offset + len(value)] = value
    with pytest.raises(PackageError, match="local header disagrees|cannot be read"):
        read_package(bytes(data))


def test_a_local_name_that_differs_from_the_central_name_is_refused():
    data = raw_zip([("OFD.xml", OFD_XML), ("Doc_0/a.xml", b"<a/>")])
    tampered = data.replace(b"Doc_0/a.xml", b"Doc_0/b.xml", 1)  # the first occurrence is the local header
    with pytest.raises(PackageError):
        read_package(tampered)


def test_entries_sharing_bytes_are_refused():
    # A central entry whose local header sits inside another entry's data: a reader following the
    # central directory sees a file that a reader following the local headers never sees.
    inner = b"PK\x03\x04" + struct.pack("<HHHHHIIIHH", 20, 0, 0, 0, 0x21, zlib.crc32(b"<x/>"), 4, 4, 5, 0)
    inner += b"x.xml<x/>"
    data = raw_zip([("OFD.xml", OFD_XML), ("Doc_0/cover.bin", inner)],
                   alias=("x.xml", 30 + 7 + len(OFD_XML) + 30 + len("Doc_0/cover.bin"), 4))
    assert len(zipfile.ZipFile(io.BytesIO(data)).namelist()) == 3  # zipfile itself reads all three
    with pytest.raises(PackageError, match="overlap"):
        read_package(data)


def test_data_before_the_first_entry_is_refused():
    with pytest.raises(PackageError, match="before the first entry"):
        read_package(b"PK-prefix-" + raw_zip([("OFD.xml", OFD_XML)]))

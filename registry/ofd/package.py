"""The OFD container: a ZIP of named parts whose bytes are frozen once written.

Writing keeps exactly the bytes given (what was hashed is what is zipped). Reading is defensive: an
OFD may come from anyone (the public upload check), so sizes, entry counts and compression ratios are
bounded before anything is inflated, and every failure is a ``PackageError`` rather than a crash.
"""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

# Limits for reading untrusted packages. A real certificate is well under 1 MiB.
MAX_PACKAGE_BYTES = 50 * 1024 * 1024
MAX_ENTRIES = 2000
MAX_ENTRY_BYTES = 30 * 1024 * 1024
MAX_TOTAL_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200  # inflated / compressed, beyond which an entry is treated as a bomb


# A ZIP local file header: signature, version, flags, method, time, date, CRC-32, sizes, name and extra lengths.
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_DATA_DESCRIPTOR_FLAG = 0x08
_ZIP64_MARK = 0xFFFFFFFF


class PackageError(Exception):
    """The bytes are not a readable OFD package."""


@dataclass(frozen=True)
class Package(Mapping[str, bytes]):
    """An OFD package as an ordered mapping of normalised part name to raw bytes."""

    parts: dict[str, bytes]

    def __getitem__(self, name: str) -> bytes:
        return self.parts[normalise_name(name)]

    def __iter__(self) -> Iterator[str]:
        return iter(self.parts)

    def __len__(self) -> int:
        return len(self.parts)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and normalise_name(name) in self.parts

    def get_part(self, name: str) -> bytes | None:
        """Return the bytes of a part, or None when the package has no such part."""
        return self.parts.get(normalise_name(name))


def normalise_name(name: str) -> str:
    """Return a part name without a leading slash, with '.' and '..' segments resolved."""
    cleaned = posixpath.normpath("/" + name.replace("\\", "/")).lstrip("/")
    return "" if cleaned == "." else cleaned


def resolve(base_dir: str, loc: str) -> str:
    """Resolve an ST_Loc: absolute ("/Doc_0/...") from the root, otherwise relative to base_dir."""
    loc = loc.strip().replace("\\", "/")
    if loc.startswith("/"):
        return normalise_name(loc)
    return normalise_name(posixpath.join(base_dir, loc))


# Parts that deflate would not shrink enough to pay for it are stored. JPEG photos, PNG signatures
# and QR codes gain 1-10 %; the seal (Seal.esl: a PNG picture and certificates) 2 %, SignedValue.dat
# (which holds the seal again) 4 %. TrueType subsets are not compressed, and deflate shrinks them by
# 30 % (8.9 KB of a 128 KB certificate), but for 0.43 ms per certificate, an eighth of the 3.3 ms
# that issuing 300 certificates a second on one core allows; so they are stored too. XML is deflated
# (by 50-75 %, in 0.1 ms). benchmarks/README.md has the figures.
STORED_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".jb2", ".ttf", ".otf", ".esl", ".dat")
DEFLATE_LEVEL = 6


def write_package(parts: Iterable[tuple[str, bytes]] | Mapping[str, bytes]) -> bytes:
    """Return the ZIP bytes of a package holding exactly the given parts, in the given order.

    Every entry has a fixed timestamp so the same parts always give the same bytes; already
    compressed parts and fonts (STORED_SUFFIXES) are stored, the rest deflated.
    """
    items = parts.items() if isinstance(parts, Mapping) else parts
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=DEFLATE_LEVEL) as archive:
        seen: set[str] = set()
        for name, data in items:
            normalised = normalise_name(name)
            if not normalised or normalised in seen:
                raise PackageError(f"invalid or duplicate part name: {name!r}")
            seen.add(normalised)
            info = zipfile.ZipInfo(normalised, date_time=(2020, 1, 1, 0, 0, 0))
            stored = normalised.lower().endswith(STORED_SUFFIXES)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, bytes(data))
    return buffer.getvalue()


def read_package(data: bytes) -> Package:
    """Return the parts of an OFD package, refusing anything hostile with a PackageError."""
    if len(data) > MAX_PACKAGE_BYTES:
        raise PackageError("package larger than the accepted maximum")
    if not data.startswith(b"PK"):
        raise PackageError("not a ZIP container")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise PackageError(f"corrupt ZIP container: {exc}") from None
    if len(infos) > MAX_ENTRIES:
        raise PackageError("too many entries in the package")
    _check_layout(data, infos)
    parts: dict[str, bytes] = {}
    folded: set[str] = set()
    total = 0
    with archive:
        for info in infos:
            if info.is_dir():
                continue
            name = normalise_name(info.filename)
            if not name:
                continue
            if name in parts:
                raise PackageError(f"duplicate entry {name}")
            # Readers on case-insensitive systems (and some OFD readers) would see one of the two.
            if name.casefold() in folded:
                raise PackageError(f"entry {name} differs from another only in letter case")
            folded.add(name.casefold())
            if info.flag_bits & 0x1:
                raise PackageError(f"encrypted entry {name}")
            if info.file_size > MAX_ENTRY_BYTES:
                raise PackageError(f"entry {name} is too large")
            if info.compress_size and info.file_size / max(info.compress_size, 1) > MAX_RATIO and info.file_size > 1024 * 1024:
                raise PackageError(f"entry {name} has a suspicious compression ratio")
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise PackageError("package inflates beyond the accepted maximum")
            parts[name] = _read_bounded(archive, info, name)
    if "OFD.xml" not in parts:
        raise PackageError("OFD.xml is missing at the package root")
    return Package(parts)


def _check_layout(data: bytes, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a ZIP that two readers could read two ways.

    A streaming reader follows the local headers, Python's zipfile (like most desktop readers) the
    central directory. Each local header must agree with its central entry (name, method, and the
    CRC and sizes unless a data descriptor carries them), the first entry must start the file (no
    prepended data), and no two entries may share bytes.
    """
    regions = []
    for info in infos:
        offset = info.header_offset
        if offset < 0 or offset + _LOCAL_HEADER.size > len(data):
            raise PackageError(f"entry {info.filename!r} points outside the file")
        (signature, _version, flags, method, _time, _date, crc, compressed, size, name_length,
         extra_length) = _LOCAL_HEADER.unpack_from(data, offset)
        name_start = offset + _LOCAL_HEADER.size
        local_name = data[name_start:name_start + name_length]
        central_name = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437", "replace")
        if signature != _LOCAL_SIGNATURE or local_name != central_name or method != info.compress_type:
            raise PackageError(f"entry {info.filename!r}: local header disagrees with the central directory")
        if not flags & _DATA_DESCRIPTOR_FLAG and _ZIP64_MARK not in (compressed, size) and (
            crc != info.CRC or compressed != info.compress_size or size != info.file_size
        ):
            raise PackageError(f"entry {info.filename!r}: local header disagrees with the central directory")
        data_start = name_start + name_length + extra_length
        regions.append((offset, data_start + info.compress_size, info.filename))
    regions.sort()
    if regions and regions[0][0] != 0:
        raise PackageError("data before the first entry of the package")
    for (_, end, name), (start, _, following) in zip(regions, regions[1:], strict=False):
        if start < end:
            raise PackageError(f"entries {name!r} and {following!r} overlap")


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    """Inflate one entry, never producing more than the size its header declares."""
    try:
        with archive.open(info) as stream:
            content = stream.read(info.file_size + 1)
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError, zlib.error) as exc:
        raise PackageError(f"entry {name} cannot be read: {exc}") from None
    if len(content) != info.file_size:
        raise PackageError(f"entry {name} does not match its declared size")
    return content

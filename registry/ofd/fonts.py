"""Fonts for OFD documents: find an installed font, measure text, embed a TrueType subset.

The open CJK fonts the OS packages ship (Noto Serif/Sans CJK) are CFF-flavoured collections, while
OFD converters load TrueType most reliably (brief, pitfall 9). So the subset is rebuilt as a small
``glyf`` font: each used glyph is converted from cubic to quadratic outlines once per process and
cached, and every document gets a font holding exactly its characters, written as an sfnt directly
from the cached glyphs. Parsing the source font is also done once per process.
"""

from __future__ import annotations

import functools
import io
import itertools
import os
import shutil
import struct
import subprocess
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.misc.roundTools import otRound
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, TTLibError
from fontTools.ttLib.tables._g_l_y_f import Glyph
from fontTools.ttLib.tables.O_S_2f_2 import intersectUnicodeRanges

# Where fonts are looked for when fontconfig is not available (relative to no checkout; these are
# the usual system font folders, overridable with REGISTRY_FONT_DIRS, colon separated).
DEFAULT_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")
# Characters that need no glyph of their own because nothing is drawn for them.
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\ufeff"}


class FontError(Exception):
    """A font cannot be found or read."""


class MissingGlyphError(FontError):
    """A character to be printed has no glyph in the font; carries the character and its code point."""

    def __init__(self, character: str, font_name: str = "") -> None:
        self.character = character
        self.codepoint = ord(character)
        self.font_name = font_name
        super().__init__(f"字体缺少字符“{character}”（U+{self.codepoint:04X}），无法生成证书")

    @property
    def code(self) -> str:
        """Return the code point as written in the standard, e.g. U+20BB7."""
        return f"U+{self.codepoint:04X}"


class FontSource:
    """A parsed font face: character map, advances, and a cache of glyphs converted to TrueType."""

    def __init__(
        self, path: str | os.PathLike[str], *, face_name: str | None = None, face_index: int | None = None
    ):
        self.path = str(path)
        self.font = _open_face(self.path, face_name, face_index)
        self.cmap: dict[int, str] = self.font.getBestCmap() or {}
        self.units_per_em: int = self.font["head"].unitsPerEm
        self.hmtx = self.font["hmtx"].metrics
        self.glyph_set = self.font.getGlyphSet()
        self.family_name: str = self.font["name"].getDebugName(1) or Path(self.path).stem
        self.style_name: str = self.font["name"].getDebugName(2) or "Regular"
        hhea = self.font["hhea"]
        self.ascent: int = hhea.ascent
        self.descent: int = hhea.descent
        self._glyphs: dict[str, _CompiledGlyph] = {}
        self._subsets: dict[tuple[frozenset[str], str | None], bytes] = {}
        self._templates: dict[str | None, _Template] = {}
        self._units: dict[str, int] = {}  # advance widths by character, of characters it has
        self._lock = threading.Lock()

    # -- characters and metrics ---------------------------------------------------------------

    def has(self, character: str) -> bool:
        """Return whether the face has a glyph for the character."""
        return character in _INVISIBLE or ord(character) in self.cmap

    def check(self, text: str) -> None:
        """Raise MissingGlyphError for the first character of text the face cannot draw."""
        if self._units.keys() >= set(text):
            return  # every character measured (so checked) before
        for character in text:
            if not self.has(character):
                raise MissingGlyphError(character, self.family_name)

    def advance(self, character: str, size: float) -> float:
        """Return the advance width of a character at an em size (same unit as size)."""
        return self._advance_units(character) * size / self.units_per_em

    def advances(self, text: str, size: float, *, letter_spacing: float = 0.0) -> tuple[float, ...]:
        """Return the n-1 distances between glyph origins of a line of text (DeltaX)."""
        units = self._units
        try:
            widths = [units[character] for character in text[:-1]]
        except KeyError:
            widths = [self._advance_units(character) for character in text[:-1]]
        if text:
            self._advance_units(text[-1])  # the last character is checked too
        em = self.units_per_em
        return tuple(width * size / em + letter_spacing for width in widths)

    def width(self, text: str, size: float, *, letter_spacing: float = 0.0) -> float:
        """Return the full advance width of a line of text."""
        if not text:
            return 0.0
        return sum(self.advances(text, size, letter_spacing=letter_spacing)) + self.advance(text[-1], size)

    def _advance_units(self, character: str) -> int:
        """Return a character's advance in font units (cached), raising MissingGlyphError without a glyph."""
        units = self._units.get(character)
        if units is None:
            if character in _INVISIBLE:
                units = 0
            else:
                glyph = self.cmap.get(ord(character))
                if glyph is None:
                    raise MissingGlyphError(character, self.family_name)
                units = self.hmtx[glyph][0]
            self._units[character] = units
        return units

    # -- embedding ----------------------------------------------------------------------------

    def _tt_glyph(self, name: str) -> _CompiledGlyph:
        """Return a glyph converted to TrueType outlines and compiled, cached for the process."""
        cached = self._glyphs.get(name)
        if cached is not None:
            return cached
        with self._lock:
            cached = self._glyphs.get(name)
            if cached is None:
                pen = TTGlyphPen(None)
                # CFF outlines run counter-clockwise; TrueType wants clockwise, hence reverse_direction.
                self.glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
                cached = _compile_glyph(pen.glyph(), self.hmtx[name][0])
                self._glyphs[name] = cached
        return cached

    def subset_truetype(self, text: Iterable[str], *, family_name: str | None = None) -> bytes:
        """Return a TrueType font holding only the glyphs of the given characters (deterministic).

        Glyphs are compiled once per process, and the tables that do not depend on the glyphs once
        per family name (by fontTools' FontBuilder); a subset only concatenates compiled glyphs and
        writes the sfnt directly, which is what fontTools' recalculation and table compilers would
        give (a test compares the two) at a tenth of their time.
        """
        characters = frozenset(ch for ch in text if ch not in _INVISIBLE)
        self.check("".join(sorted(characters)))
        key = (characters, family_name)
        cached = self._subsets.get(key)
        if cached is None:
            cached = self._build_subset(sorted(characters), family_name)
            with self._lock:
                # Static text (titles, labels) gives the same subset on every certificate.
                if len(self._subsets) >= 64:
                    self._subsets.pop(next(iter(self._subsets)))
                self._subsets[key] = cached
        return cached

    def _build_subset(self, characters: list[str], family_name: str | None) -> bytes:
        mapping: dict[int, int] = {}
        glyph_ids: dict[str, int] = {}  # glyph 0 is .notdef, then the glyphs in character order
        for character in characters:
            name = self.cmap[ord(character)]
            mapping[ord(character)] = glyph_ids.setdefault(name, len(glyph_ids) + 1)
        glyphs = [_notdef(self.units_per_em), *(self._tt_glyph(name) for name in glyph_ids)]
        return _assemble_sfnt(self._template(family_name), glyphs, mapping)

    def _template(self, family_name: str | None) -> _Template:
        """Return the tables that do not depend on the glyphs, built once by fontTools' FontBuilder."""
        cached = self._templates.get(family_name)
        if cached is not None:
            return cached
        builder = FontBuilder(self.units_per_em, isTTF=True)
        head = self.font["head"]
        builder.setupHead(unitsPerEm=self.units_per_em, created=head.created, modified=head.modified)
        builder.setupGlyphOrder([".notdef"])
        builder.setupCharacterMap({})
        builder.setupGlyf({".notdef": _notdef_glyph(self.units_per_em)})
        builder.setupHorizontalMetrics({".notdef": (self.units_per_em // 2, 0)})
        builder.setupHorizontalHeader(ascent=self.ascent, descent=self.descent)
        source_names = self.font["name"]
        family = family_name or f"{self.family_name} Subset"
        names = {
            "familyName": family,
            "styleName": self.style_name,
            "uniqueFontIdentifier": f"{family} {self.style_name}",
            "fullName": f"{family} {self.style_name}",
            "psName": (family + "-" + self.style_name).replace(" ", ""),
        }
        for key, name_id in (("copyright", 0), ("licenseDescription", 13), ("licenseInfoURL", 14)):
            value = source_names.getDebugName(name_id)
            if value:
                names[key] = value
        builder.setupNameTable(names)
        os2 = self.font["OS/2"]
        builder.setupOS2(
            sTypoAscender=os2.sTypoAscender,
            sTypoDescender=os2.sTypoDescender,
            sTypoLineGap=os2.sTypoLineGap,
            usWinAscent=os2.usWinAscent,
            usWinDescent=os2.usWinDescent,
            usWeightClass=os2.usWeightClass,
            fsType=0,  # installable embedding (the OFL allows it)
            achVendID=os2.achVendID,
        )
        builder.setupPost(keepGlyphNames=False)  # format 3: readers map characters through cmap
        builder.setupMaxp()
        builder.font["maxp"].maxZones = 1
        out = io.BytesIO()
        builder.font.recalcTimestamp = False
        builder.font.recalcBBoxes = False  # the glyph-dependent fields are filled per subset
        builder.save(out)
        reader = TTFont(io.BytesIO(out.getvalue())).reader
        cached = _Template({tag: bytes(reader[tag]) for tag in ("head", "hhea", "maxp", "OS/2", "name", "post")})
        with self._lock:
            self._templates[family_name] = cached
        return cached


@dataclass(frozen=True)
class _Template:
    """Compiled tables of a subset font with only .notdef; the glyph-dependent fields are patched."""

    tables: dict[str, bytes]


def _assemble_sfnt(template: _Template, glyphs: list[_CompiledGlyph], mapping: dict[int, int]) -> bytes:
    """Return a TrueType font of the compiled glyphs (glyph 0 is .notdef) with the character map.

    The sfnt is written directly (tables sorted by tag, 4-byte aligned, checksums and the head
    adjustment as the OpenType specification defines them); the tables that depend on the glyphs are
    filled here with what fontTools would recalculate (head bounds, hhea extremes, maxp counts,
    OS/2 average width, character range and Unicode range bits).
    """
    tables = dict(template.tables)
    drawn = [glyph for glyph in glyphs if glyph.contours]
    x_min = min((g.bounds[0] for g in drawn), default=0)
    y_min = min((g.bounds[1] for g in drawn), default=0)
    x_max = max((g.bounds[2] for g in drawn), default=0)
    y_max = max((g.bounds[3] for g in drawn), default=0)

    glyf = b"".join(glyph.data for glyph in glyphs)  # each padded to 4 bytes when compiled
    offsets = [0, *itertools.accumulate(len(glyph.data) for glyph in glyphs)]
    short_loca = offsets[-1] < 0x20000
    loca = struct.pack(f">{len(offsets)}H", *(o // 2 for o in offsets)) if short_loca else struct.pack(
        f">{len(offsets)}I", *offsets
    )

    head = bytearray(tables["head"])
    struct.pack_into(">I", head, 8, 0)  # checkSumAdjustment, set once the whole file is known
    struct.pack_into(">hhhh", head, 36, x_min, y_min, x_max, y_max)
    struct.pack_into(">h", head, 50, 0 if short_loca else 1)

    advances = [glyph.advance for glyph in glyphs]
    long_metrics = len(glyphs)
    while long_metrics > 1 and advances[long_metrics - 2] == advances[-1]:
        long_metrics -= 1
    hmtx = b"".join(g.metric for g in glyphs[:long_metrics])
    hmtx += b"".join(struct.pack(">h", g.lsb) for g in glyphs[long_metrics:])
    hhea = bytearray(tables["hhea"])
    struct.pack_into(
        ">Hhhh",
        hhea,
        10,
        max(advances),
        min((g.lsb for g in drawn), default=0),
        min((g.advance - g.bounds[2] for g in drawn), default=0),
        x_max,
    )
    struct.pack_into(">H", hhea, 34, long_metrics)

    maxp = bytearray(tables["maxp"])
    struct.pack_into(
        ">HHH",
        maxp,
        4,
        len(glyphs),
        max((g.points for g in drawn), default=0),
        max((g.contours for g in drawn), default=0),
    )

    os2 = bytearray(tables["OS/2"])
    widths = [advance for advance in advances if advance > 0]
    struct.pack_into(">h", os2, 2, otRound(sum(widths) / len(widths)) if widths else 0)
    ranges = [0, 0, 0, 0]
    for bit in intersectUnicodeRanges(mapping):
        ranges[bit // 32] |= 1 << (bit % 32)
    struct.pack_into(">IIII", os2, 42, *ranges)
    if mapping:
        struct.pack_into(">HH", os2, 64, min(0xFFFF, min(mapping)), min(0xFFFF, max(mapping)))

    tables.update(head=bytes(head), hhea=bytes(hhea), maxp=bytes(maxp))
    tables.update({"OS/2": bytes(os2), "cmap": _cmap(mapping), "glyf": glyf, "loca": loca, "hmtx": hmtx})
    return _sfnt(tables, {"glyf": sum(glyph.checksum for glyph in glyphs) & 0xFFFFFFFF})


def _cmap(mapping: dict[int, int]) -> bytes:
    """Return a cmap as fontTools' FontBuilder makes it: format 4 for the BMP, format 12 (3, 10) beyond."""
    bmp = {code: gid for code, gid in mapping.items() if code <= 0xFFFF}
    # Runs of consecutive characters with consecutive glyphs share one segment (idDelta, no glyph array).
    segments: list[list[int]] = []
    for code in sorted(bmp):
        if segments and code == segments[-1][1] + 1 and bmp[code] == bmp[segments[-1][0]] + code - segments[-1][0]:
            segments[-1][1] = code
        else:
            segments.append([code, code])
    segments.append([0xFFFF, 0xFFFF])
    count = len(segments)
    power = 1 << (count.bit_length() - 1)
    deltas = [(bmp[start] - start) % 0x10000 if start in bmp else 1 for start, _ in segments]
    body = struct.pack(f">{count}H", *(end for _, end in segments)) + b"\0\0"
    body += struct.pack(f">{count}H", *(start for start, _ in segments))
    body += struct.pack(f">{count}H", *deltas) + b"\0\0" * count
    format4 = struct.pack(">7H", 4, 14 + len(body), 0, 2 * count, 2 * power, power.bit_length() - 1, 2 * (count - power))
    format4 += body
    subtables = [((0, 3), format4), ((3, 1), format4)]
    if any(code > 0xFFFF for code in mapping):
        groups: list[list[int]] = []
        for code in sorted(mapping):
            gid = mapping[code]
            if groups and code == groups[-1][1] + 1 and gid == groups[-1][2] + code - groups[-1][0]:
                groups[-1][1] = code
            else:
                groups.append([code, code, gid])
        format12 = struct.pack(">HHIII", 12, 0, 16 + 12 * len(groups), 0, len(groups))
        format12 += b"".join(struct.pack(">III", *group) for group in groups)
        subtables.append(((3, 10), format12))
    subtables.sort()
    header = struct.pack(">HH", 0, len(subtables))
    offset = 4 + 8 * len(subtables)
    records, data, placed = b"", b"", {}
    for (platform, encoding), table in subtables:
        if table not in placed:
            placed[table] = offset + len(data)
            data += table
        records += struct.pack(">HHI", platform, encoding, placed[table])
    return header + records + data


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF


def _sfnt(tables: dict[str, bytes], known_checksums: dict[str, int]) -> bytes:
    """Return the sfnt file of the tables (version 1.0 TrueType), head's checkSumAdjustment filled.

    Every table starts on a 4-byte boundary and is zero-padded, so the file's checksum is the sum of
    the directory's and the tables' checksums (glyf's, the sum of its cached glyphs', is given).
    """
    tags = sorted(tables)
    count = len(tags)
    power = 1 << (count.bit_length() - 1)
    directory = struct.pack(">IHHHH", 0x00010000, count, 16 * power, power.bit_length() - 1, 16 * (count - power))
    offset = 12 + 16 * count
    body = bytearray()
    head_offset = 0
    total = 0
    for tag in tags:
        data = tables[tag]
        if tag == "head":
            head_offset = offset + len(body)
        checksum = known_checksums[tag] if tag in known_checksums else _checksum(data)
        total += checksum
        directory += struct.pack(">4sIII", tag.encode("ascii"), checksum, offset + len(body), len(data))
        body += data
        body += b"\0" * (-len(data) % 4)
    font = bytearray(directory + body)
    adjustment = (0xB1B0AFBA - _checksum(directory) - total) & 0xFFFFFFFF
    struct.pack_into(">I", font, head_offset + 8, adjustment)
    return bytes(font)


@dataclass(frozen=True)
class _CompiledGlyph:
    data: bytes  # zero-padded to a multiple of 4 bytes, as it lies in glyf
    advance: int
    lsb: int
    bounds: tuple[int, int, int, int]
    points: int
    contours: int
    checksum: int
    metric: bytes  # the glyph's hmtx entry: advance and left side bearing



def _compile_glyph(glyph: Glyph, advance: int) -> _CompiledGlyph:
    if glyph.numberOfContours <= 0:
        return _CompiledGlyph(b"", advance, 0, (0, 0, 0, 0), 0, 0, 0, struct.pack(">Hh", advance, 0))
    glyph.recalcBounds(None)
    points, contours = glyph.getMaxpValues()
    data = bytes(glyph.compile(None, recalcBBoxes=False))
    data += b"\0" * (-len(data) % 4)
    bounds = (glyph.xMin, glyph.yMin, glyph.xMax, glyph.yMax)
    metric = struct.pack(">Hh", advance, glyph.xMin)
    return _CompiledGlyph(data, advance, glyph.xMin, bounds, points, contours, _checksum(data), metric)


@functools.lru_cache(maxsize=8)
def _notdef(units_per_em: int) -> _CompiledGlyph:
    return _compile_glyph(_notdef_glyph(units_per_em), units_per_em // 2)


def _notdef_glyph(units_per_em: int) -> Glyph:
    pen = TTGlyphPen(None)
    w, h, m = units_per_em // 2, int(units_per_em * 0.7), 50
    pen.moveTo((m, 0))
    pen.lineTo((m, h))
    pen.lineTo((w - m, h))
    pen.lineTo((w - m, 0))
    pen.closePath()
    return pen.glyph()


def _open_face(path: str, face_name: str | None, face_index: int | None) -> TTFont:
    try:
        with open(path, "rb") as handle:
            is_collection = handle.read(4) == b"ttcf"
        if not is_collection:
            return TTFont(path, lazy=True)
        if face_index is not None:
            return TTFont(path, fontNumber=face_index, lazy=True)
        collection = TTCollection(path, lazy=True)
        for index, face in enumerate(collection.fonts):
            names = {face["name"].getDebugName(i) for i in (1, 4, 16)}
            if face_name is None or face_name in names:
                return TTFont(path, fontNumber=index, lazy=True)
    except (OSError, TTLibError) as exc:
        raise FontError(f"无法读取字体文件 {path}：{exc}") from None
    raise FontError(f"字体文件 {path} 中没有字体“{face_name}”")


@functools.lru_cache(maxsize=16)
def load_font(family: str, style: str = "Regular", path: str | None = None) -> FontSource:
    """Return the parsed face of an installed font family (parsed once per process)."""
    if path is None:
        path, index = find_system_font(family, style)
        return FontSource(path, face_name=family, face_index=index)
    return FontSource(path, face_name=family)


def find_system_font(family: str, style: str = "Regular") -> tuple[str, int | None]:
    """Return (file, face index) of an installed font family and style, using fontconfig if present."""
    fc_match = shutil.which("fc-match")
    if fc_match:
        try:
            result = subprocess.run(
                [fc_match, "-f", "%{family}\n%{file}\n%{index}", f"{family}:style={style}"],
                capture_output=True,
                text=True,
                timeout=10,
                check=True,
            )
            lines = result.stdout.split("\n")
            if len(lines) >= 3 and family in lines[0].split(","):
                return lines[1], int(lines[2]) if lines[2].isdigit() else None
        except (OSError, subprocess.SubprocessError, ValueError):
            pass
    dirs = os.environ.get("REGISTRY_FONT_DIRS", "")
    for folder in [d for d in dirs.split(":") if d] or DEFAULT_FONT_DIRS:
        for file in sorted(Path(folder).rglob("*")):
            if file.suffix.lower() not in (".ttc", ".otc", ".ttf", ".otf"):
                continue
            try:
                source = FontSource(file, face_name=family)
            except FontError:
                continue
            if source.family_name == family and style.lower() in source.style_name.lower():
                return str(file), None
    raise FontError(f"未安装字体“{family} {style}”（请安装 fonts-noto-cjk）")

"""Fonts: every printed character has a glyph, and the embedded subset is a complete TrueType font."""

from __future__ import annotations

import io
import struct

import pytest
from fontTools.ttLib import TTFont

from registry.ofd.fonts import MissingGlyphError, load_font


def test_the_subset_is_a_truetype_font_with_only_the_used_characters(serif):
    data = serif.subset_truetype("张三丰12")
    font = TTFont(io.BytesIO(data))
    assert "glyf" in font and "CFF " not in font
    for table in ("cmap", "OS/2", "hhea", "hmtx", "head", "maxp", "name", "post"):
        assert table in font
    assert set(font.getBestCmap()) == {ord(c) for c in "张三丰12"}
    assert font["OS/2"].fsType == 0


def test_the_subset_is_deterministic(serif):
    assert serif.subset_truetype("重庆市") == serif.subset_truetype("市庆重")


def test_a_rare_name_character_outside_the_bmp_is_printable(serif):
    serif.check("𠮷")  # U+20BB7, in Noto CJK's supplementary set
    font = TTFont(io.BytesIO(serif.subset_truetype("𠮷野")))
    assert 0x20BB7 in font.getBestCmap()


def test_a_missing_character_stops_with_its_code_point(serif):
    with pytest.raises(MissingGlyphError) as caught:
        serif.check("张\ue000三")
    error = caught.value
    assert error.character == "\ue000"
    assert error.codepoint == 0xE000 and error.code == "U+E000"
    assert str(error) == "字体缺少字符“\ue000”（U+E000），无法生成证书"
    with pytest.raises(MissingGlyphError):
        serif.subset_truetype("\ue000")


def test_advances_come_from_the_font_metrics(serif):
    assert serif.advances("中国", 10) == (10.0,)
    digit = serif.advance("1", 10)
    assert 3 < digit < 7
    assert serif.width("中1", 10) == pytest.approx(10 + digit)


def test_fonts_are_parsed_once_per_process():
    assert load_font("Noto Serif CJK SC") is load_font("Noto Serif CJK SC")


def test_the_precomputed_tables_match_what_fonttools_would_recalculate(serif):
    data = serif.subset_truetype("张三丰12𠮷")
    font = TTFont(io.BytesIO(data))
    recalculated = io.BytesIO()
    font.recalcBBoxes = True
    font.save(recalculated)
    again = TTFont(io.BytesIO(recalculated.getvalue()))
    checks = {
        "head": ("xMin", "yMin", "xMax", "yMax"),
        "maxp": ("numGlyphs", "maxPoints", "maxContours"),
        "hhea": ("advanceWidthMax", "minLeftSideBearing", "minRightSideBearing", "xMaxExtent"),
    }
    for tag, attributes in checks.items():
        for attribute in attributes:
            assert getattr(TTFont(io.BytesIO(data))[tag], attribute) == getattr(again[tag], attribute), (
                tag,
                attribute,
            )


def test_freetype_draws_the_embedded_subset(serif):
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(io.BytesIO(serif.subset_truetype("张三𠮷")), 64)
    image = Image.new("L", (260, 80), 255)
    ImageDraw.Draw(image).text((0, 0), "张三𠮷", font=font, fill=0)
    assert image.getextrema() == (0, 255)
    assert image.histogram()[0] > 500  # many fully dark pixels: real outlines, not empty boxes


def _fonttools_subset(source, text: str) -> bytes:
    """Build the same subset the slow, obvious way: fontTools' FontBuilder recalculating every table."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    from registry.ofd.fonts import _notdef_glyph

    characters = sorted(set(text))
    names = list(dict.fromkeys(source.cmap[ord(ch)] for ch in characters))
    glyphs = {".notdef": _notdef_glyph(source.units_per_em)}
    for name in names:
        pen = TTGlyphPen(None)
        source.glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    builder = FontBuilder(source.units_per_em, isTTF=True)
    head = source.font["head"]
    builder.setupHead(unitsPerEm=source.units_per_em, created=head.created, modified=head.modified)
    builder.setupGlyphOrder([".notdef", *names])
    builder.setupCharacterMap({ord(ch): source.cmap[ord(ch)] for ch in characters})
    builder.setupGlyf(glyphs)
    glyf = builder.font["glyf"]
    metrics = {".notdef": (source.units_per_em // 2, glyphs[".notdef"].xMin)}
    for name in names:
        glyph = glyf[name]
        glyph.recalcBounds(glyf)
        metrics[name] = (source.hmtx[name][0], glyph.xMin if glyph.numberOfContours else 0)
    builder.setupHorizontalMetrics(metrics)
    builder.setupHorizontalHeader(ascent=source.ascent, descent=source.descent)
    family = f"{source.family_name} Subset"
    names_table = {
        "familyName": family,
        "styleName": source.style_name,
        "uniqueFontIdentifier": f"{family} {source.style_name}",
        "fullName": f"{family} {source.style_name}",
        "psName": (family + "-" + source.style_name).replace(" ", ""),
    }
    for key, name_id in (("copyright", 0), ("licenseDescription", 13), ("licenseInfoURL", 14)):
        if source.font["name"].getDebugName(name_id):
            names_table[key] = source.font["name"].getDebugName(name_id)
    builder.setupNameTable(names_table)
    os2 = source.font["OS/2"]
    builder.setupOS2(
        sTypoAscender=os2.sTypoAscender,
        sTypoDescender=os2.sTypoDescender,
        sTypoLineGap=os2.sTypoLineGap,
        usWinAscent=os2.usWinAscent,
        usWinDescent=os2.usWinDescent,
        usWeightClass=os2.usWeightClass,
        fsType=0,
        achVendID=os2.achVendID,
    )
    builder.setupPost(keepGlyphNames=False)
    builder.setupMaxp()
    builder.font["maxp"].maxZones = 1
    builder.font.recalcTimestamp = False
    out = io.BytesIO()
    builder.save(out)  # recalcBBoxes: head, hhea and maxp recalculated from the outlines
    return out.getvalue()


def _facts(data: bytes) -> dict[str, object]:
    """Return every table of a TrueType font as comparable values, glyphs by ID (names are invented)."""
    from fontTools.misc.xmlWriter import XMLWriter

    font = TTFont(io.BytesIO(data))
    order = font.getGlyphOrder()
    gid = {name: index for index, name in enumerate(order)}
    facts: dict[str, object] = {"tables": sorted(font.keys())}
    for tag in ("head", "hhea", "maxp", "OS/2", "name", "post"):
        out = io.StringIO()
        font[tag].toXML(XMLWriter(out), font)
        facts[tag] = "\n".join(line for line in out.getvalue().splitlines() if "checkSumAdjustment" not in line)
    facts["cmap"] = sorted(
        (t.platformID, t.platEncID, t.format, sorted((code, gid[name]) for code, name in t.cmap.items()))
        for t in font["cmap"].tables
    )
    facts["hmtx"] = [font["hmtx"][name] for name in order]
    glyf = font["glyf"]
    facts["glyf"] = [
        (glyf[name].numberOfContours, *(list(part) for part in glyf[name].getCoordinates(glyf)))
        if glyf[name].numberOfContours
        else 0
        for name in order
    ]
    return facts


@pytest.mark.parametrize(
    "text",
    ["张三丰12", "𠮷野", "𠮷", "0123456789", "A", " ", "重庆市住房和城乡建设委员会（）：；X", "𠮷王0189李刘陈X"],
)
def test_the_directly_written_subset_is_what_fonttools_would_build(serif, text):
    data = serif.subset_truetype(text)
    assert _facts(data) == _facts(_fonttools_subset(serif, text))
    # The checksums: every table's (fontTools refuses a mismatch) and the whole file's (OpenType: the
    # file's sum with head.checkSumAdjustment filled in is 0xB1B0AFBA).
    TTFont(io.BytesIO(data), checkChecksums=2).ensureDecompiled()
    padded = data + b"\0" * (-len(data) % 4)
    assert sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF == 0xB1B0AFBA

"""Fonts: every printed character has a glyph, and the embedded subset is a complete TrueType font."""

from __future__ import annotations

import io

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

"""The layout is data: loaded from JSON, checked when loaded, replaceable by a file."""

from __future__ import annotations

import json

import pytest

from registry.certificates.document import build_certificate_parts
from registry.certificates.layout import DEFAULT_LAYOUT_FILE, LayoutError, load_layout, parse_layout
from registry.ofd.reader import read_ofd


def _raw():
    return json.loads(DEFAULT_LAYOUT_FILE.read_text(encoding="utf-8"))


def test_the_default_layout_is_a4_portrait_with_a_stamp_box(layout):
    assert (layout.page_width, layout.page_height) == (210, 297)
    assert layout.stamp_box == (140, 218, 40, 40)
    assert layout.options["mask_id_number"] is False


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda raw: raw["items"].append({"type": "hologram"}), "类型未知"),
        (
            lambda raw: raw["items"].append(
                {"type": "text", "text": "x", "font": "comic", "size": 3, "x": 0, "y": 0}
            ),
            "字体",
        ),
        (
            lambda raw: raw["items"].append(
                {"type": "rect", "box": [0, 0, 1, 1], "line_width": 1, "color": "gold"}
            ),
            "颜色",
        ),
        (lambda raw: raw["items"].append({"type": "qr", "x": 1}), "缺少"),
        (lambda raw: raw["items"].append({"type": "stamp", "box": [0, 0, 40, 40]}), "一个签章"),
        (
            lambda raw: raw["items"].append({"type": "image", "source": "fingerprint", "box": [0, 0, 1, 1]}),
            "图像来源",
        ),
        (lambda raw: raw.pop("fonts"), "不完整"),
    ],
)
def test_a_broken_layout_fails_when_loaded(change, message):
    raw = _raw()
    change(raw)
    with pytest.raises(LayoutError, match=message):
        parse_layout(raw)


def test_another_province_moves_things_with_a_file_only(tmp_path, data, sign_time):
    raw = _raw()
    for item in raw["items"]:
        if item["type"] == "text" and item["text"].startswith("中华人民共和国"):
            item["y"] = 50
            item["text"] = "二级建造师注册证书（四川）"
    file = tmp_path / "layout.json"
    file.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    built = build_certificate_parts(data, layout=load_layout(file), sign_time=sign_time)
    title = read_ofd(built.to_bytes()).pages[0].texts[0]
    assert title.text == "二级建造师注册证书（四川）" and title.y == 50


def test_an_unreadable_layout_file_is_a_layout_error(tmp_path):
    with pytest.raises(LayoutError):
        load_layout(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(LayoutError):
        load_layout(tmp_path / "bad.json")

"""Build the electronic registration certificate: one A4 OFD page, sealed by the issuing authority.

Pure: no Django. Every input comes in explicitly (the data printed, the layout, the signer and seal,
the signing time), so the same call gives the same bytes. Steps:

1. Format the values to print (dates, the ID number full or masked, one line per specialty).
2. Walk the layout items, measuring text with the real font metrics (shrink or wrap where the
   layout allows); every character is checked against the font first (MissingGlyphError).
3. Subset each font to the characters this certificate uses and embed it as TrueType.
4. Write the OFD parts once, then seal them (GB/T 38540) and zip exactly those bytes.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from registry.certificates.layout import Layout
from registry.certificates.qr import qr_image
from registry.masking import CERTIFICATE
from registry.ofd.fonts import FontSource, load_font
from registry.ofd.model import DocInfo, Document, Font, Image, ImageObject, Page, PathObject, TextObject
from registry.ofd.package import write_package
from registry.ofd.writer import write_document
from registry.ofd.xml import num

CERTIFICATE_NAME = "中华人民共和国二级建造师注册证书"
CHINA_TIME = timezone(timedelta(hours=8))
_FORMATS = {"JPEG": "JPEG", "PNG": "PNG"}


class CertificateError(ValueError):
    """The certificate cannot be built from this data; the message is for users (Chinese)."""


@dataclass(frozen=True)
class CertificateData:
    """Everything printed on one certificate (copied from the registration when it is issued)."""

    name: str
    sex: str
    birth_date: date
    id_number: str
    registration_number: str
    employer_name: str
    specialties: Sequence[tuple[str, date, date]]
    issue_date: date
    authority_name: str
    photo: bytes  # JPEG or PNG, embedded as given
    signature: bytes  # PNG (transparent background works best)
    certificate_serial: str
    licence_identifier: str  # 证照标识, GB/T 36904
    verification_url: str


@dataclass(frozen=True)
class BuiltCertificate:
    """The final parts of a certificate and where its seal goes."""

    parts: dict[str, bytes]
    page_id: str
    stamp_box: tuple[float, float, float, float] | None
    sealed: bool

    def to_bytes(self) -> bytes:
        """Return the OFD package."""
        return write_package(self.parts)


def build_certificate(
    data: CertificateData,
    *,
    layout: Layout,
    signer: Any = None,
    seal: bytes | None = None,
    sign_time: datetime,
) -> bytes:
    """Return the OFD bytes of a certificate, sealed when a signer and a seal are given."""
    return build_certificate_parts(
        data, layout=layout, signer=signer, seal=seal, sign_time=sign_time
    ).to_bytes()


def build_certificate_parts(
    data: CertificateData,
    *,
    layout: Layout,
    signer: Any = None,
    seal: bytes | None = None,
    sign_time: datetime,
) -> BuiltCertificate:
    """Return the parts of a certificate (see build_certificate) without zipping them."""
    _check_sealing(layout, signer, seal, sign_time)  # before composing: fail fast
    page = _compose(data, layout)
    values = _values(data, layout)
    info = DocInfo(
        doc_id=uuid.uuid5(
            uuid.NAMESPACE_URL, "certificate:" + (data.licence_identifier or data.certificate_serial)
        ).hex,
        creation_date=sign_time.astimezone(CHINA_TIME).date(),
        title=str(layout.options.get("title", CERTIFICATE_NAME)),
        author=data.authority_name,
        creator=str(layout.options.get("creator", "registry")),
        creator_version="1.0",
        custom_data=_custom_data(data, values),
    )
    return write_sealed(page, info, layout=layout, signer=signer, seal=seal, sign_time=sign_time)


def write_sealed(
    page: Page, info: DocInfo, *, layout: Layout, signer: Any, seal: bytes | None, sign_time: datetime
) -> BuiltCertificate:
    """Write a one-page document and seal it at the layout's stamp box (unsealed without a signer).

    The one path by which certificates and verification receipts are written and sealed.
    """
    _check_sealing(layout, signer, seal, sign_time)
    sealing = signer is not None
    stamp_box = layout.stamp_box
    written = write_document(Document(info, [page], with_signatures=sealing))
    parts = written.parts
    page_id = written.page_ids[0]
    if sealing:
        from registry.seal.sign import seal_package  # the seal library is optional for unsigned previews

        assert stamp_box is not None
        parts = seal_package(
            parts, signer=signer, seal=seal, page_id=page_id, stamp_box=stamp_box, sign_time=sign_time
        )
    return BuiltCertificate(parts=dict(parts), page_id=page_id, stamp_box=stamp_box, sealed=sealing)


def _check_sealing(layout: Layout, signer: Any, seal: bytes | None, sign_time: datetime) -> None:
    if sign_time.tzinfo is None:
        raise ValueError("sign_time must be timezone-aware")
    if (signer is None) != (seal is None):
        raise ValueError("give both a signer and a seal, or neither")
    if signer is not None and layout.stamp_box is None:
        raise CertificateError("证书版式没有签章位置，无法加盖电子印章")


# -- values ------------------------------------------------------------------------------------


def format_date(value: date, layout: Layout) -> str:
    """Return a date the way the layout prints dates (default 2026年11月24日)."""
    pattern = str(layout.options.get("date_format", "{year}年{month}月{day}日"))
    return pattern.format(year=value.year, month=value.month, day=value.day)


def _values(data: CertificateData, layout: Layout) -> dict[str, str]:
    # A layout that masks the number prints it as the certificate policy shows it (6 + 4 characters).
    id_number = CERTIFICATE.apply(data.id_number) if layout.options.get("mask_id_number") else data.id_number
    return {
        "name": data.name.strip(),
        "sex": data.sex,
        "birth_date": format_date(data.birth_date, layout),
        "id_number": id_number,
        "registration_number": data.registration_number,
        "employer_name": data.employer_name.strip(),
        "issue_date": format_date(data.issue_date, layout),
        "authority_name": data.authority_name,
        "certificate_serial": data.certificate_serial,
        "licence_identifier": data.licence_identifier,
    }


def _specialty_lines(data: CertificateData, layout: Layout) -> list[str]:
    pattern = str(layout.options.get("specialty_format", "{name}（有效期：{valid_from}至{valid_to}）"))
    return [
        pattern.format(name=name, valid_from=format_date(start, layout), valid_to=format_date(end, layout))
        for name, start, end in data.specialties
    ]


def _custom_data(data: CertificateData, values: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    specialties = "；".join(
        f"{name}（{start.isoformat()}至{end.isoformat()}）" for name, start, end in data.specialties
    )
    pairs = [
        ("证照名称", CERTIFICATE_NAME),
        ("证照标识", data.licence_identifier),
        ("证书编号", data.certificate_serial),
        ("注册编号", data.registration_number),
        ("持证人", values["name"]),
        ("聘用企业", values["employer_name"]),
        ("注册专业", specialties),
        ("发证日期", data.issue_date.isoformat()),
        ("发证机关", data.authority_name),
        ("核验地址", data.verification_url),
    ]
    return tuple((key, value) for key, value in pairs if value)


# -- composition --------------------------------------------------------------------------------


@dataclass
class _Run:
    font_key: str
    text: str
    size: float
    x: float
    y: float
    advances: tuple[float, ...]
    color: tuple[int, int, int]


@dataclass
class _Composer:
    layout: Layout
    runs: list[tuple[int, _Run]] = field(default_factory=list)
    objects: list[Any] = field(default_factory=list)
    _sources: dict[str, FontSource] = field(default_factory=dict)

    def source(self, key: str) -> FontSource:
        found = self._sources.get(key)
        if found is None:
            spec = self.layout.fonts[key]
            found = load_font(spec.family, spec.style)
            self._sources[key] = found
        return found

    def text(
        self,
        font_key: str,
        text: str,
        size: float,
        x: float,
        y: float,
        color,
        align: str = "left",
        advances: tuple[float, ...] | None = None,
    ) -> None:
        if not text:
            return
        source = self.source(font_key)
        source.check(text)
        if advances is None:
            advances = source.advances(text, size)
        width = sum(advances) + source.advance(text[-1], size)
        if align == "center":
            x -= width / 2
        elif align == "right":
            x -= width
        # Text objects are placed later, once the font subsets exist; keep their drawing slot now.
        self.runs.append((len(self.objects), _Run(font_key, text, size, x, y, advances, color)))
        self.objects.append(None)

    def fitted_text(
        self,
        font_key: str,
        text: str,
        item: Mapping[str, Any],
        size: float,
        x: float,
        y: float,
        color,
        align: str = "left",
        what: str = "",
    ) -> float:
        """Place text, shrinking then wrapping it as the item allows; return the last baseline used."""
        source = self.source(font_key)
        source.check(text)
        max_width = item.get("max_width")
        if max_width is None or source.width(text, size) <= max_width:
            self.text(font_key, text, size, x, y, color, align)
            return y
        min_size = float(item.get("min_size", size))
        shrunk = size * max_width / source.width(text, size)
        if shrunk >= min_size:
            self.text(font_key, text, int(shrunk * 100) / 100, x, y, color, align)
            return y
        max_lines = int(item.get("max_lines", 1))
        line_height = float(item.get("line_height", size * 1.3))
        for candidate in (size, min_size):
            lines = _wrap(source, text, candidate, float(max_width))
            if len(lines) <= max_lines:
                for index, line in enumerate(lines):
                    self.text(font_key, line, candidate, x, y + index * line_height, color, align)
                return y + (len(lines) - 1) * line_height
        raise CertificateError(f"{what or '文字'}“{text}”过长，无法排入证书")

    def path(self, obj: PathObject) -> None:
        self.objects.append(obj)


def _wrap(source: FontSource, text: str, size: float, max_width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for character in text:
        if current and source.width(current + character, size) > max_width:
            lines.append(current)
            current = character
        else:
            current += character
    if current:
        lines.append(current)
    return lines


def _compose(data: CertificateData, layout: Layout) -> Page:
    values = _values(data, layout)
    if not values["name"]:
        raise CertificateError("姓名不能为空")
    return compose_page(
        layout,
        values,
        qr_content=data.verification_url,
        specialty_lines=_specialty_lines(data, layout),
        images={"photo": data.photo, "signature": data.signature},
    )


def compose_page(
    layout: Layout,
    values: Mapping[str, str],
    *,
    qr_content: str,
    specialty_lines: Sequence[str] = (),
    images: Mapping[str, bytes] | None = None,
) -> Page:
    """Return the page a layout draws with these values (``{placeholders}``), QR content and images."""
    images = images or {}
    composer = _Composer(layout)
    style = layout.field_style
    for item in layout.items:
        kind = item["type"]
        if kind == "text":
            text = _fill(str(item["text"]), values)
            composer.fitted_text(
                item["font"],
                text,
                item,
                float(item["size"]),
                float(item["x"]),
                float(item["y"]),
                layout.color(item.get("color")),
                item.get("align", "left"),
            )
        elif kind == "field":
            _field(composer, item, str(item["label"]), _fill(str(item["value"]), values), style)
        elif kind == "specialties":
            _specialties(composer, item, list(specialty_lines), style)
        elif kind == "image":
            _image(composer, item, images.get(item["source"], b""), item["source"])
        elif kind == "qr":
            _qr(composer, item, qr_content)
        elif kind == "rect":
            x, y, w, h = (float(v) for v in item["box"])
            composer.path(
                _stroke((x, y, w, h), [[(0, 0), (w, 0), (w, h), (0, h)]], item, layout, closed=True)
            )
        elif kind == "line":
            (x0, y0), (x1, y1) = item["from"], item["to"]
            box = (min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0))
            points = [(x0 - box[0], y0 - box[1]), (x1 - box[0], y1 - box[1])]
            composer.path(_stroke(box, [points], item, layout))
        elif kind == "corners":
            composer.path(_corners(item, layout))
        # "stamp" draws nothing in the page: the seal picture is the signature's StampAnnot.

    fonts = _embed_fonts(composer)
    objects = list(composer.objects)
    for slot, run in composer.runs:
        spec = layout.fonts[run.font_key]
        objects[slot] = TextObject(
            text=run.text,
            font=fonts[run.font_key],
            size=round(run.size, 3),
            x=run.x,
            y=run.y,
            advances=run.advances,
            color=run.color,
            weight=700 if spec.bold else None,
        )
    return Page(objects, (0, 0, layout.page_width, layout.page_height))


def _fill(template: str, values: Mapping[str, str]) -> str:
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError) as exc:
        raise CertificateError(f"证书版式中的占位符无效：{template}（{exc}）") from None


def _field(
    composer: _Composer, item: Mapping[str, Any], label: str, value: str, style: Mapping[str, Any]
) -> None:
    font_key = item.get("font", style["font"])
    size = float(item.get("size", style["size"]))
    color = composer.layout.color(item.get("color", style.get("color")))
    label_color = composer.layout.color(item.get("label_color", style.get("label_color", style.get("color"))))
    y = float(item["y"])
    _label(
        composer,
        font_key,
        label,
        float(item.get("label_size", style.get("label_size", size))),
        float(style["label_x"]),
        float(style["label_width"]),
        y,
        label_color,
    )
    if not value:
        return
    value_x = float(style["value_x"])
    fit = dict(item)
    fit.setdefault("max_width", composer.layout.page_width - value_x - float(style["label_x"]))
    composer.fitted_text(font_key, value, fit, size, value_x, y, color, what=label)


def _label(
    composer: _Composer, font_key: str, label: str, size: float, x: float, width: float, y: float, color
) -> None:
    """Place a label spread evenly across the label column (姓　　名 style)."""
    source = composer.source(font_key)
    natural = source.advances(label, size)
    if len(label) > 1:
        spare = width - source.width(label, size)
        extra = max(spare, 0) / (len(label) - 1)
        natural = tuple(a + extra for a in natural)
    composer.text(font_key, label, size, x, y, color, advances=natural)


def _specialties(
    composer: _Composer, item: Mapping[str, Any], lines: list[str], style: Mapping[str, Any]
) -> None:
    if not lines:
        raise CertificateError("证书至少需要一个注册专业")
    if len(lines) > int(item["max_lines"]):
        raise CertificateError(f"注册专业超过证书版式可容纳的 {item['max_lines']} 项")
    font_key = item.get("font", style["font"])
    size = float(item.get("size", style["size"]))
    color = composer.layout.color(item.get("color", style.get("color")))
    y = float(item["y"])
    _label(
        composer,
        font_key,
        str(item["label"]),
        float(item.get("label_size", style["size"])),
        float(style["label_x"]),
        float(style["label_width"]),
        y,
        color,
    )
    value_x = float(style["value_x"])
    fit = {"max_width": item.get("max_width"), "min_size": item.get("min_size", size)}
    for index, line in enumerate(lines):
        composer.fitted_text(
            font_key, line, fit, size, value_x, y + index * float(item["line_height"]), color, what="注册专业"
        )


def _image(composer: _Composer, item: Mapping[str, Any], data: bytes, source: str) -> None:
    what = {"photo": "证件照片", "signature": "签名图片"}[source]
    if not data:
        raise CertificateError(f"缺少{what}")
    try:
        with PILImage.open(io.BytesIO(data)) as picture:
            fmt = _FORMATS.get(picture.format or "")
            width, height = picture.size
    except (UnidentifiedImageError, OSError, ValueError):
        raise CertificateError(f"{what}无法识别，请上传 JPEG 或 PNG 图片") from None
    if fmt is None or width <= 0 or height <= 0:
        raise CertificateError(f"{what}格式不支持，请上传 JPEG 或 PNG 图片")
    x, y, w, h = (float(v) for v in item["box"])
    scale = min(w / width, h / height)
    fit_w, fit_h = width * scale, height * scale
    box = (round(x + (w - fit_w) / 2, 3), round(y + (h - fit_h) / 2, 3), round(fit_w, 3), round(fit_h, 3))
    composer.objects.append(ImageObject(Image(data, fmt), box, name=source))
    if item.get("frame_color"):
        frame = {"line_width": item.get("frame_width", 0.25), "color": item["frame_color"]}
        composer.path(
            _stroke((x, y, w, h), [[(0, 0), (w, 0), (w, h), (0, h)]], frame, composer.layout, closed=True)
        )


def _qr(composer: _Composer, item: Mapping[str, Any], url: str) -> None:
    if not url:
        raise CertificateError("缺少证书核验地址")
    qr = qr_image(
        url,
        module=float(item["module"]),
        error=str(item.get("error", "Q")),
        border=int(item.get("border", 4)),
    )
    x, y, size = float(item["x"]), float(item["y"]), qr.size
    # The image holds its white quiet zone, so nothing drawn underneath can break the scan.
    composer.objects.append(ImageObject(Image(qr.png, "PNG"), (x, y, round(size, 3), round(size, 3)), name="qr"))
    caption = item.get("caption")
    if caption:
        caption_size = float(item.get("caption_size", 3))
        composer.text(
            item.get("caption_font", composer.layout.field_style.get("font", "body")),
            str(caption),
            caption_size,
            x + size / 2,
            y + size + caption_size + 0.5,
            composer.layout.color(item.get("caption_color")),
            align="center",
        )


def _stroke(
    box,
    polylines: list[list[tuple[float, float]]],
    item: Mapping[str, Any],
    layout: Layout,
    closed: bool = False,
) -> PathObject:
    """Return a stroked path whose boundary is grown by the line width, so no reader clips the stroke."""
    line_width = float(item["line_width"])
    pad = line_width
    x, y, w, h = box
    commands = []
    for points in polylines:
        first, *rest = points
        commands.append(f"M {num(first[0] + pad)} {num(first[1] + pad)}")
        commands.extend(f"L {num(px + pad)} {num(py + pad)}" for px, py in rest)
        if closed:
            commands.append("C")
    return PathObject(
        (round(x - pad, 3), round(y - pad, 3), round(w + 2 * pad, 3), round(h + 2 * pad, 3)),
        " ".join(commands),
        line_width=line_width,
        stroke_color=layout.color(item.get("color")),
    )


def _corners(item: Mapping[str, Any], layout: Layout) -> PathObject:
    x, y, w, h = (float(v) for v in item["box"])
    inset, length = float(item.get("inset", 2)), float(item["length"])
    left, top, right, bottom = inset, inset, w - inset, h - inset
    polylines = [
        [(left, top + length), (left, top), (left + length, top)],
        [(right - length, top), (right, top), (right, top + length)],
        [(right, bottom - length), (right, bottom), (right - length, bottom)],
        [(left + length, bottom), (left, bottom), (left, bottom - length)],
    ]
    return _stroke((x, y, w, h), polylines, item, layout)


def _embed_fonts(composer: _Composer) -> dict[str, Font]:
    used: dict[str, set[str]] = {}
    for _, run in composer.runs:
        used.setdefault(run.font_key, set()).update(run.text)
    fonts: dict[str, Font] = {}
    for key, characters in used.items():
        spec = composer.layout.fonts[key]
        source = composer.source(key)
        fonts[key] = Font(
            name=spec.ofd_name,
            family=spec.ofd_name,
            data=source.subset_truetype(characters),
            serif=spec.serif,
            bold=spec.bold,
        )
    return fonts

"""Turn a photo of a handwritten signature into the transparent PNG printed on the certificate.

Pure: Pillow only. Steps:

1. Decode the upload with Pillow (JPEG or PNG only, size-limited), apply its EXIF orientation.
2. Estimate the paper's brightness and call ink every pixel clearly darker than it.
3. Crop to the ink with a small margin; refuse a photo with no ink, or ink everywhere.
4. Write dark-blue ink whose opacity follows its darkness on a transparent background (PNG).
"""

from __future__ import annotations

import io

from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000
MAX_WIDTH = 1200
INK = (20, 24, 60)


class SignatureRejected(ValueError):
    """The image cannot be used as a signature; the message says why (Chinese)."""


def clean_signature(data: bytes, *, max_bytes: int) -> bytes:
    """Return a transparent PNG of the signature in a photo, or raise SignatureRejected with the reason."""
    if not data:
        raise SignatureRejected("上传的签名图片是空的。")
    if len(data) > max_bytes:
        raise SignatureRejected(f"签名图片过大：不能超过 {max_bytes // (1024 * 1024)} MB。")
    gray = _decode(data)
    if gray.width < 50 or gray.height < 20:
        raise SignatureRejected("签名图片太小，无法辨认（至少 50×20 像素）。")
    gray = gray.filter(ImageFilter.MedianFilter(3))
    histogram = gray.histogram()
    paper = _percentile(histogram, 0.9)
    threshold = max(paper - 60, 0)
    mask = gray.point(lambda value: 255 if value < threshold else 0)
    ink_share = sum(mask.histogram()[255:]) / (gray.width * gray.height)
    box = mask.getbbox()
    if box is None or ink_share < 0.002:
        raise SignatureRejected("未能在图片中识别出签名笔迹，请在白纸上用深色笔签名后拍照上传。")
    if ink_share > 0.5:
        raise SignatureRejected("图片背景过暗或不是白纸，请在白纸上用深色笔签名后拍照上传。")
    margin = max(4, (box[3] - box[1]) // 10)
    box = (max(box[0] - margin, 0), max(box[1] - margin, 0),
           min(box[2] + margin, gray.width), min(box[3] + margin, gray.height))
    cropped = gray.crop(box)
    # Opacity: 0 at the paper's brightness, full at half of it and darker.
    span = max(paper / 2, 1)
    alpha = cropped.point(lambda value: int(max(0, min(255, (paper - value) * 255 / span))))
    picture = Image.new("RGBA", cropped.size, (*INK, 0))
    picture.putalpha(alpha)
    if picture.width > MAX_WIDTH:
        picture = picture.resize((MAX_WIDTH, max(1, picture.height * MAX_WIDTH // picture.width)), Image.LANCZOS)
    out = io.BytesIO()
    picture.save(out, "PNG", optimize=True)
    return out.getvalue()


def _decode(data: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            if probe.width * probe.height > MAX_PIXELS:
                raise SignatureRejected("签名图片像素过多。")
            probe.verify()
        if kind not in {"JPEG", "PNG"}:
            raise SignatureRejected("签名图片只接受 JPEG 或 PNG 格式。")
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            if image.mode in {"RGBA", "LA", "P"}:
                # A transparent background counts as paper.
                background = Image.new("RGBA", image.size, (255, 255, 255, 255))
                image = Image.alpha_composite(background, image.convert("RGBA"))
            return image.convert("L")
    except SignatureRejected:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise SignatureRejected("签名图片无法识别或已损坏，请上传 JPEG 或 PNG 图片。") from None


def _percentile(histogram: list[int], share: float) -> int:
    total = sum(histogram)
    running = 0
    for value, count in enumerate(histogram):
        running += count
        if running >= total * share:
            return value
    return 255

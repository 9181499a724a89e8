"""Demo certificate data: a synthetic person, a drawn ID photo and a drawn signature (no real data).

Used by the ``sample_certificate`` command, the tests and the benchmark. Pure: Pillow only.
"""

from __future__ import annotations

import io
import math
from datetime import date, timedelta

from PIL import Image, ImageDraw, ImageFilter

from registry import clock
from registry.applications.rules import add_years
from registry.certificates.document import CertificateData
from registry.certificates.verification import verification_url

DEMO_PUBLIC_ID = "K7Q2M9X4TZ8WD3FA"
DEMO_LICENCE_IDENTIFIER = "1.2.156.3005.2.11100000000013338W001.11500000MB1234567A.2026000001.001.M"


def demo_photo(width: int = 413, height: int = 531, quality: int = 90) -> bytes:
    """Return a synthetic 2-inch ID photo (JPEG): a head-and-shoulders silhouette on light blue."""
    picture = Image.new("RGB", (width, height), (67, 142, 219))
    draw = ImageDraw.Draw(picture)
    # A soft vertical gradient so the JPEG has realistic content to compress.
    for row in range(height):
        shade = int(30 * row / height)
        draw.line([(0, row), (width, row)], fill=(67 + shade, 142 + shade // 2, 219))
    cx = width // 2
    draw.ellipse([cx - 190, int(height * 0.72), cx + 190, int(height * 1.35)], fill=(38, 42, 58))  # jacket
    draw.polygon(
        [(cx - 45, int(height * 0.72)), (cx + 45, int(height * 0.72)), (cx, int(height * 0.9))],
        fill=(240, 240, 240),
    )  # collar
    draw.rectangle([cx - 38, int(height * 0.55), cx + 38, int(height * 0.75)], fill=(226, 184, 150))  # neck
    draw.ellipse([cx - 95, int(height * 0.2), cx + 95, int(height * 0.64)], fill=(236, 196, 160))  # face
    draw.chord(
        [cx - 102, int(height * 0.15), cx + 102, int(height * 0.45)], 180, 360, fill=(25, 22, 20)
    )  # hair
    for dx in (-40, 40):
        draw.ellipse(
            [cx + dx - 9, int(height * 0.4) - 5, cx + dx + 9, int(height * 0.4) + 5], fill=(40, 30, 30)
        )
    draw.arc([cx - 30, int(height * 0.47), cx + 30, int(height * 0.55)], 20, 160, fill=(160, 70, 70), width=4)
    picture = picture.filter(ImageFilter.GaussianBlur(1.2))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def demo_signature(width: int = 600, height: int = 220) -> bytes:
    """Return a synthetic handwritten-looking signature (PNG with a transparent background)."""
    picture = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    ink = (20, 24, 60, 255)
    strokes = []
    for index in range(3):  # three "characters", each a few looping strokes
        ox = 60 + index * 170
        points = []
        for step in range(60):
            t = step / 59
            x = ox + 120 * t + 18 * math.sin(t * 9 + index)
            y = height / 2 + 55 * math.sin(t * 6.5 + index * 1.7) * (1 - 0.4 * t)
            points.append((x, y))
        strokes.append(points)
    strokes.append([(40, height * 0.78), (width * 0.45, height * 0.72), (width - 40, height * 0.8)])
    for points in strokes:
        draw.line(points, fill=ink, width=7, joint="curve")
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def demo_certificate_data(
    *,
    base_url: str = "https://zfcxjw.cq.gov.cn/jzs/verify",
    secret: str | bytes = "demo-verification-key",
    issue_date: date | None = None,
    photo: bytes | None = None,
    signature: bytes | None = None,
    name: str = "张晓明",
) -> CertificateData:
    """Return the data of a synthetic Chongqing certificate issued on issue_date (default today).

    One specialty was registered on the issue date, the other a year and a half before it; both run
    for three years less a day.
    """
    issue_date = issue_date or clock.today()
    earlier = issue_date - timedelta(days=540)
    return CertificateData(
        name=name,
        sex="男",
        birth_date=date(1988, 3, 7),
        id_number="50010119880307123X",
        registration_number="渝2502019202100001",
        employer_name="重庆示例建设工程有限公司",
        specialties=[
            ("建筑工程", issue_date, add_years(issue_date, 3) - timedelta(days=1)),
            ("市政公用工程", earlier, add_years(earlier, 3) - timedelta(days=1)),
        ],
        issue_date=issue_date,
        authority_name="重庆市住房和城乡建设委员会",
        photo=photo if photo is not None else demo_photo(),
        signature=signature if signature is not None else demo_signature(),
        certificate_serial="CQ2026000001",
        licence_identifier=DEMO_LICENCE_IDENTIFIER,
        verification_url=verification_url(base_url, DEMO_PUBLIC_ID, secret),
    )

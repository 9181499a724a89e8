"""Private files: uploads checked, decoded and re-encoded, stored privately, served after a permission check.

Images are opened with Pillow, size-checked, stripped of metadata and saved again as PNG or JPEG;
PDFs must be PDFs (header, trailer, no embedded scripts). Files go to private storage under a random
name and are served only through ``private_file_response``, which a view calls once it has fetched the
object the file belongs to through its access helper (another party's object answers 404 there).
"""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from registry.errors import DomainError

MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class UploadRejected(DomainError):
    """The file is not acceptable; the message says why, in the user's language."""

    code = "bad_upload"


@dataclass(frozen=True)
class CleanFile:
    content: bytes
    content_type: str
    extension: str
    sha256: str


def clean_upload(data: bytes, *, images_only: bool = False, max_bytes: int | None = None) -> CleanFile:
    """Return the re-encoded content of an uploaded file, or raise UploadRejected with the reason."""
    limit = max_bytes or settings.UPLOAD_MAX_BYTES
    if not data:
        raise UploadRejected(_("上传的文件是空的。"))
    if len(data) > limit:
        raise UploadRejected(_("文件过大：不能超过 %(mb)s MB。") % {"mb": limit // (1024 * 1024)})
    if data.startswith(b"%PDF-"):
        if images_only:
            raise UploadRejected(_("此项只能上传 JPEG 或 PNG 图片。"))
        return _clean_pdf(data)
    return _clean_image(data)


def _clean_pdf(data: bytes) -> CleanFile:
    if b"%%EOF" not in data[-2048:]:
        raise UploadRejected(_("PDF 文件不完整或已损坏。"))
    lowered = data.lower()
    if b"/javascript" in lowered or b"/js " in lowered or b"/launch" in lowered or b"/embeddedfile" in lowered:
        raise UploadRejected(_("PDF 文件含有脚本或附件，请导出为普通 PDF 后再上传。"))
    return CleanFile(data, "application/pdf", "pdf", hashlib.sha256(data).hexdigest())


def _clean_image(data: bytes) -> CleanFile:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            if kind not in {"JPEG", "PNG"}:
                raise UploadRejected(_("只接受 PDF、JPEG 或 PNG 文件。"))
            if image.width < 50 or image.height < 50:
                raise UploadRejected(_("图片太小，无法辨认（至少 50×50 像素）。"))
            out = io.BytesIO()
            if kind == "JPEG":
                image.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
                content_type, extension = "image/jpeg", "jpg"
            else:
                mode = "RGBA" if image.mode in {"RGBA", "LA", "P"} else "RGB"
                image.convert(mode).save(out, "PNG", optimize=True)
                content_type, extension = "image/png", "png"
    except UploadRejected:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise UploadRejected(_("只接受 PDF、JPEG 或 PNG 文件，且文件不能损坏。")) from None
    content = out.getvalue()
    return CleanFile(content, content_type, extension, hashlib.sha256(content).hexdigest())


def store_private(clean: CleanFile, folder: str) -> str:
    """Write a cleaned file to private storage under a random name; return its storage-relative name."""
    name = f"{folder}/{secrets.token_hex(16)}.{clean.extension}"
    return storages["private"].save(name, ContentFile(clean.content))


def open_private(name: str) -> bytes:
    """Return the bytes of a stored private file; FileNotFoundError for a missing or outside name."""
    try:
        with storages["private"].open(name, "rb") as handle:
            return handle.read()
    except SuspiciousFileOperation:
        raise FileNotFoundError(name) from None


CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}


def private_file_response(name: str, *, download_name: str, content_type: str | None = None) -> HttpResponse:
    """Return a stored private file as an inline, uncached response, or raise Http404 when it is gone.

    Call it only after the permission check: the caller has fetched the owning object through its
    access helper. ``download_name`` is the file name the browser sees, without extension (never
    personal data); the extension is the stored one.
    """
    if not name:
        raise Http404
    try:
        content = open_private(name)
    except OSError:
        raise Http404 from None
    extension = name.rsplit(".", 1)[-1]
    response = HttpResponse(content, content_type=content_type or CONTENT_TYPES.get(extension, "application/octet-stream"))
    response["Content-Disposition"] = f'inline; filename="{download_name}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

"""Uploaded scans: parsed by a real library, checked, and re-encoded before anything is stored.

Images are opened with Pillow, which reads only the header first: the pixel count is checked against
MAX_PIXELS before anything is decoded, so a small file that unpacks into gigabytes is refused cheaply.
What passes is decoded, turned upright, stripped of every metadata block (EXIF, ICC, JPEG comments)
and saved again as PNG or JPEG; a phone's multi-picture JPEG (MPO) keeps its first picture.

PDFs are opened with pikepdf (qpdf). Every object of the file is walked, object streams included,
and a file with scripts, actions, forms or embedded files is refused; what passes is saved again by
pikepdf, so the stored bytes are the ones that were checked.

Files go to private storage (folders 0700, files 0600 on local disk) under a random name and are served
only through ``private_file_response``, which a view calls once it has fetched the object the file
belongs to through its access helper (another party's object answers 404 there).
"""

from __future__ import annotations

import hashlib
import io
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pikepdf
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from registry.errors import DomainError

# The largest picture accepted: 50 megapixels. An A4 page scanned at 600 dpi is 35 MP (4960 x 7016) and
# a phone's full-resolution mode is 48-50 MP; anything larger is no scan or ID photo. Decoded as RGBA it
# needs at most 200 MB, the bound on the memory of one upload.
MAX_PIXELS = 50_000_000
# Pillow's own guard raises only above twice its limit; ours is checked from the header before decoding.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
MIN_SIDE = 50
IMAGE_FORMATS = {"JPEG", "PNG", "MPO"}

# PDF dictionary keys that carry scripts, automatic actions, forms or embedded files.
_SCRIPT_KEYS = {"/JS", "/JavaScript"}
_ACTION_KEYS = {"/OpenAction", "/AA"}
_FORM_KEYS = {"/AcroForm", "/XFA"}
_EMBEDDED_KEYS = {"/EmbeddedFiles", "/EF", "/RichMediaContent"}
# Action types (/S) that run code, leave the document or send data; only moves inside it are harmless.
_SCRIPT_ACTIONS = {"/JavaScript"}
_OUTSIDE_ACTIONS = {"/Launch", "/URI", "/SubmitForm", "/ResetForm", "/ImportData", "/GoToR", "/GoToE",
                    "/Rendition", "/Sound", "/Movie", "/RichMediaExecute"}
_EMBEDDED_SUBTYPES = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}


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
    if b"%PDF-" in data[:1024]:  # readers find the header anywhere in the first kilobyte
        if images_only:
            raise UploadRejected(_("此项只能上传 JPEG 或 PNG 图片。"))
        return _clean_pdf(data)
    return _clean_image(data)


# --- PDF ------------------------------------------------------------------------------------------


def _clean_pdf(data: bytes) -> CleanFile:
    """Open the PDF with pikepdf, refuse active content, and return it saved again by pikepdf."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise UploadRejected(_("PDF 文件设有打开密码，请去掉密码后再上传。")) from None
    except (pikepdf.PdfError, ValueError, OSError, RecursionError):
        raise UploadRejected(_("PDF 文件不完整或已损坏，无法打开。")) from None
    with pdf:
        try:
            if len(pdf.pages) == 0:
                raise UploadRejected(_("PDF 文件不完整或已损坏：没有任何页面。"))
            reason = _pdf_hazard(pdf)
            if reason:
                raise UploadRejected(reason)
            out = io.BytesIO()
            pdf.save(out, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                     encryption=False, fix_metadata_version=False)
        except (pikepdf.PdfError, ValueError, RecursionError):
            raise UploadRejected(_("PDF 文件不完整或已损坏，无法打开。")) from None
    content = out.getvalue()
    return CleanFile(content, "application/pdf", "pdf", hashlib.sha256(content).hexdigest())


def _dictionaries(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """Yield every dictionary of the file: each indirect object's and every direct one nested in it.

    qpdf has already unpacked the object streams, so ``pdf.objects`` is every object of the file,
    reachable or not. Nested indirect objects are skipped here because they are listed there too.
    """
    pending: list = [pdf.trailer, *pdf.objects]
    while pending:
        obj = pending.pop()
        if isinstance(obj, pikepdf.Stream):
            obj = obj.stream_dict
        if isinstance(obj, pikepdf.Dictionary):
            yield obj
            children = obj.values()
        elif isinstance(obj, pikepdf.Array):
            children = list(obj)
        else:
            continue
        pending.extend(child for child in children
                       if isinstance(child, pikepdf.Dictionary | pikepdf.Array) and not child.is_indirect)


def _pdf_hazard(pdf: pikepdf.Pdf) -> str:
    """Return why the PDF is refused (scripts, forms, embedded files, actions), or "" when it is harmless."""
    found: dict[str, set[str]] = {}
    for dictionary in _dictionaries(pdf):
        keys = set(dictionary.keys())
        action, subtype, kind = (_name(dictionary, key) for key in ("/S", "/Subtype", "/Type"))
        if keys & _SCRIPT_KEYS or action in _SCRIPT_ACTIONS:
            found.setdefault("script", set())
        if keys & _FORM_KEYS or subtype == "/Widget":
            found.setdefault("form", set())
        if keys & _EMBEDDED_KEYS or subtype in _EMBEDDED_SUBTYPES or kind == "/EmbeddedFile":
            found.setdefault("embedded", set())
        if keys & _ACTION_KEYS or action in _OUTSIDE_ACTIONS:
            found.setdefault("action", set()).update(keys & _ACTION_KEYS or {action})
    if "script" in found:
        return _("PDF 文件含有脚本（JavaScript），不能上传。请用“打印为 PDF”导出为普通 PDF 后再上传。")
    if "form" in found:
        return _("PDF 文件含有可填写的表单（AcroForm/XFA），不能上传。请用“打印为 PDF”导出为普通 PDF 后再上传。")
    if "embedded" in found:
        return _("PDF 文件含有嵌入的附件或多媒体，不能上传。请删除附件后再上传。")
    if "action" in found:
        what = "、".join(sorted(name.lstrip("/") for name in found["action"]))
        return _("PDF 文件含有自动执行或指向外部的动作（%(what)s），不能上传。"
                 "请用“打印为 PDF”导出为普通 PDF 后再上传。") % {"what": what}
    return ""


def _name(dictionary: pikepdf.Dictionary, key: str) -> str:
    """Return the value of key when it is a name (e.g. "/JavaScript"), else ""."""
    value = dictionary.get(key)
    return str(value) if isinstance(value, pikepdf.Name) else ""


# --- Images ---------------------------------------------------------------------------------------


def _clean_image(data: bytes) -> CleanFile:
    """Check the header, then decode, strip and re-encode the picture as JPEG or PNG."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            if kind not in IMAGE_FORMATS:
                raise UploadRejected(_("只接受 PDF、JPEG 或 PNG 文件。"))
            _check_dimensions(image.width, image.height)
            if kind == "MPO":
                image.seek(0)  # a phone's multi-picture JPEG: the first picture is the photo
            image.load()
            ImageOps.exif_transpose(image, in_place=True)  # upright, without a copy of the pixels
            content, content_type, extension = _encode(image, "PNG" if kind == "PNG" else "JPEG")
    except UploadRejected:
        raise
    except Image.DecompressionBombError:  # Pillow's own guard (twice our bound), should ours ever be bypassed
        raise UploadRejected(_("图片像素过多，不能超过 %(mp)s 百万像素。请缩小后再上传。")
                             % {"mp": MAX_PIXELS // 1_000_000}) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise UploadRejected(_("只接受 PDF、JPEG 或 PNG 文件，且文件不能损坏。")) from None
    return CleanFile(content, content_type, extension, hashlib.sha256(content).hexdigest())


def _check_dimensions(width: int, height: int) -> None:
    """Refuse a picture too small to read or larger than MAX_PIXELS (from the header, before decoding)."""
    if width * height > MAX_PIXELS:
        raise UploadRejected(_("图片像素过多（%(width)s×%(height)s），不能超过 %(mp)s 百万像素。请缩小后再上传。")
                             % {"width": width, "height": height, "mp": MAX_PIXELS // 1_000_000})
    if width < MIN_SIDE or height < MIN_SIDE:
        raise UploadRejected(_("图片太小，无法辨认（至少 50×50 像素）。"))


def _encode(image: Image.Image, kind: str) -> tuple[bytes, str, str]:
    """Return the picture saved again with no metadata at all (no EXIF, ICC profile or comment)."""
    mode = "RGBA" if kind == "PNG" and image.mode in {"RGBA", "LA", "P", "PA"} else "RGB"
    clean = image if image.mode == mode else image.convert(mode)  # no second copy when it already fits
    clean.info.clear()  # Pillow writes comment, EXIF, ICC and DPI from info when it saves
    out = io.BytesIO()
    if kind == "JPEG":
        clean.save(out, "JPEG", quality=90, optimize=True, exif=b"", comment=b"")
        return out.getvalue(), "image/jpeg", "jpg"
    clean.save(out, "PNG", optimize=True)
    return out.getvalue(), "image/png", "png"


# --- Private storage ------------------------------------------------------------------------------


def store_private(clean: CleanFile, folder: str) -> str:
    """Write a cleaned file to private storage under a random name (0600); return its storage-relative name."""
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

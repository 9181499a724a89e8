"""Hostile uploads: PDFs with active content, image bombs, metadata, phone pictures, private files on disk.

Every hostile PDF is built here with pikepdf itself, so no binary fixture is needed.
"""

from __future__ import annotations

import io
import stat

import pikepdf
import pytest
from PIL import Image, ImageFile
from PIL.PngImagePlugin import PngInfo

from registry.files import (
    MAX_PIXELS,
    UploadRejected,
    clean_upload,
    open_private,
    store_private,
)


def pdf_bytes(build=None, **save) -> bytes:
    """Return a one-page PDF; build(pdf) may add hostile content before it is saved."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    if build is not None:
        build(pdf)
    out = io.BytesIO()
    pdf.save(out, **save)
    return out.getvalue()


def refusal(data: bytes, **kwargs) -> str:
    with pytest.raises(UploadRejected) as error:
        clean_upload(data, **kwargs)
    return error.value.message


def javascript_open_action(pdf):
    pdf.Root.OpenAction = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)"))


def link_with(action: pikepdf.Dictionary):
    def build(pdf):
        link = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                                  Rect=[0, 0, 100, 100], A=action)
        pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(link)]))
    return build


class TestPdf:
    def test_a_plain_pdf_is_accepted_and_stored_as_pikepdf_saved_it(self):
        original = pdf_bytes() + b"\n<script>appended payload</script>\n"
        clean = clean_upload(original)
        assert clean.content_type == "application/pdf"
        assert b"appended payload" not in clean.content  # re-saved: only the checked objects remain
        with pikepdf.open(io.BytesIO(clean.content)) as reopened:
            assert len(reopened.pages) == 1

    def test_a_link_inside_the_document_is_harmless(self):
        build = link_with(pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=[0, pikepdf.Name.Fit]))
        assert clean_upload(pdf_bytes(build)).content_type == "application/pdf"

    def test_a_javascript_open_action_is_refused(self):
        assert "脚本" in refusal(pdf_bytes(javascript_open_action))

    def test_a_hex_escaped_javascript_name_is_refused(self):
        data = pdf_bytes(javascript_open_action, object_stream_mode=pikepdf.ObjectStreamMode.disable,
                         compress_streams=False)
        hostile = data.replace(b"/JavaScript", b"/Java#53cript").replace(b"/JS ", b"/J#53 ")
        assert b"/JavaScript" not in hostile and b"/JS " not in hostile
        assert "脚本" in refusal(hostile)

    def test_a_js_key_without_a_space_is_refused(self):
        def build(pdf):
            pdf.Root.OpenAction = pikepdf.Dictionary(JS="app.alert(1)")
        data = pdf_bytes(build, object_stream_mode=pikepdf.ObjectStreamMode.disable)
        hostile = data.replace(b"/JS ", b"/JS")
        assert b"/JS (" in hostile.replace(b"/JS(", b"/JS (") and b"/JS (" not in hostile
        assert "脚本" in refusal(hostile)

    def test_javascript_inside_a_compressed_object_stream_is_refused(self):
        def build(pdf):
            action = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)"))
            pdf.pages[0].AA = pikepdf.Dictionary(O=action)
        hostile = pdf_bytes(build, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        assert b"JavaScript" not in hostile  # hidden from any byte search
        assert "脚本" in refusal(hostile)

    @pytest.mark.parametrize("name, action", [
        ("URI", pikepdf.Dictionary(S=pikepdf.Name.URI, URI="http://attacker.example/")),
        ("Launch", pikepdf.Dictionary(S=pikepdf.Name.Launch, F="cmd.exe")),
        ("SubmitForm", pikepdf.Dictionary(S=pikepdf.Name.SubmitForm, F="http://attacker.example/")),
        ("ImportData", pikepdf.Dictionary(S=pikepdf.Name.ImportData, F="data.fdf")),
        ("GoToR", pikepdf.Dictionary(S=pikepdf.Name.GoToR, F="other.pdf", D=[0, pikepdf.Name.Fit])),
    ])
    def test_an_action_leaving_the_document_is_refused(self, name, action):
        assert name in refusal(pdf_bytes(link_with(action)))

    def test_an_open_action_with_a_uri_is_refused(self):
        def build(pdf):
            pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.URI, URI="http://attacker.example/")
        assert "动作" in refusal(pdf_bytes(build))

    def test_an_open_action_of_any_kind_is_refused(self):
        def build(pdf):
            pdf.Root.OpenAction = pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit])
        assert "OpenAction" in refusal(pdf_bytes(build))

    def test_additional_actions_on_a_page_are_refused(self):
        def build(pdf):
            pdf.pages[0].AA = pikepdf.Dictionary(O=pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=[0, pikepdf.Name.Fit]))
        assert "AA" in refusal(pdf_bytes(build))

    def test_a_form_is_refused(self):
        def build(pdf):
            pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[])
        assert "表单" in refusal(pdf_bytes(build))

    def test_an_xfa_form_is_refused(self):
        def build(pdf):
            pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[], XFA=pdf.make_stream(b"<xdp:xdp/>"))
        assert "XFA" in refusal(pdf_bytes(build))

    def test_an_embedded_file_is_refused(self):
        def build(pdf):
            pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00")
        assert "附件" in refusal(pdf_bytes(build))

    def test_a_file_attachment_annotation_is_refused(self):
        def build(pdf):
            spec = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00", filename="payload.exe")
            annotation = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FileAttachment,
                                            Rect=[0, 0, 10, 10], FS=spec.obj)
            pdf.pages[0].Annots = pikepdf.Array([pdf.make_indirect(annotation)])
        assert "附件" in refusal(pdf_bytes(build))

    @pytest.mark.parametrize("data", [
        b"%PDF-1.4\n%%EOF\n" + b" " * 13,  # 28 bytes, no structure at all
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        b"%PDF-1.7 truncated",
    ])
    def test_a_file_the_parser_cannot_open_is_refused(self, data):
        assert "损坏" in refusal(data)

    def test_a_pdf_where_only_images_are_accepted_is_refused(self):
        assert "JPEG 或 PNG" in refusal(pdf_bytes(), images_only=True)


def png(size, mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG", **save)
    return out.getvalue()


def jpeg(size=(200, 200), color=(10, 120, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", **save)
    return out.getvalue()


class TestImages:
    def test_a_picture_above_the_pixel_bound_is_refused_before_it_is_decoded(self, monkeypatch):
        bomb = png((8900, 8900), mode="1")  # 79 megapixels in a few kilobytes
        assert len(bomb) < 200_000 and 8900 * 8900 > MAX_PIXELS

        def no_decoding(self):
            raise AssertionError("the picture was decoded")

        monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
        assert "像素过多" in refusal(bomb)

    def test_a_picture_beyond_pillows_own_guard_is_refused_for_its_size(self):
        assert "像素过多" in refusal(png((11000, 11000), mode="1"))  # 121 MP: Pillow refuses to open it

    def test_the_bound_fits_an_a4_scan_at_600_dpi(self):
        assert 4960 * 7016 <= MAX_PIXELS <= 60_000_000

    def test_jpeg_comments_and_exif_are_dropped(self):
        data = jpeg(comment=b"<script>alert(1)</script>", exif=b"Exif\x00\x00GPS-secret")
        assert b"<script>" in data
        clean = clean_upload(data)
        assert b"<script>" not in clean.content and b"GPS-secret" not in clean.content
        reopened = Image.open(io.BytesIO(clean.content))
        assert "comment" not in reopened.info and "exif" not in reopened.info

    def test_png_text_chunks_are_dropped(self):
        info = PngInfo()
        info.add_text("Comment", "<script>alert(1)</script>")
        clean = clean_upload(png((100, 100), pnginfo=info))
        assert clean.content_type == "image/png" and b"<script>" not in clean.content

    def test_a_phone_multi_picture_jpeg_keeps_its_first_picture(self):
        first, second = Image.new("RGB", (120, 90), (250, 0, 0)), Image.new("RGB", (120, 90), (0, 0, 250))
        out = io.BytesIO()
        first.save(out, "MPO", save_all=True, append_images=[second])
        assert Image.open(io.BytesIO(out.getvalue())).format == "MPO"
        clean = clean_upload(out.getvalue())
        assert clean.content_type == "image/jpeg"
        picture = Image.open(io.BytesIO(clean.content))
        assert picture.format == "JPEG" and picture.size == (120, 90)
        red, _green, blue = picture.getpixel((60, 45))
        assert red > 200 and blue < 50

    def test_a_tiny_picture_is_refused(self):
        assert "太小" in refusal(png((20, 20)))

    def test_another_format_is_refused(self):
        out = io.BytesIO()
        Image.new("RGB", (100, 100)).save(out, "GIF")
        assert "只接受" in refusal(out.getvalue())


class TestPrivateFiles:
    def test_stored_files_are_readable_by_the_owner_only(self, settings, tmp_path):
        settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
        name = store_private(clean_upload(jpeg()), "materials/7")
        path = tmp_path / "private" / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        for folder in (path.parent, path.parent.parent, tmp_path / "private"):
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert open_private(name) == path.read_bytes()

    def test_an_existing_open_storage_folder_is_closed(self, settings, tmp_path):
        root = tmp_path / "private"
        root.mkdir(mode=0o755)
        root.chmod(0o755)
        settings.PRIVATE_STORAGE_ROOT = root
        store_private(clean_upload(jpeg()), "materials")
        assert stat.S_IMODE(root.stat().st_mode) == 0o700

"""A minimal one-page OFD package, modelled on the ofdrw "hello world" sample (SESV4SignDoc layout)."""

from __future__ import annotations

import io

from PIL import Image

OFD_NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'
DECL = '<?xml version="1.0" encoding="UTF-8"?>'


def _png() -> bytes:
    image = Image.new("RGB", (21, 21), (255, 255, 255))
    for i in range(21):
        image.putpixel((i, i), (0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def minimal_parts(*, with_signatures_pointer: bool = False) -> dict[str, bytes]:
    """Return the parts of a one-page A4 OFD with a text, a rectangle and an image, unsigned."""
    pointer = "<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>" if with_signatures_pointer else ""
    ofd = (
        f"{DECL}<ofd:OFD {OFD_NS} Version=\"1.0\" DocType=\"OFD\"><ofd:DocBody><ofd:DocInfo>"
        "<ofd:DocID>0123456789abcdef0123456789abcdef</ofd:DocID><ofd:Title>二级建造师电子注册证书</ofd:Title>"
        "<ofd:CreationDate>2026-11-24</ofd:CreationDate><ofd:Creator>test</ofd:Creator>"
        "<ofd:CustomDatas><ofd:CustomData Name=\"注册编号\">渝1500000000001</ofd:CustomData></ofd:CustomDatas>"
        f"</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>{pointer}</ofd:DocBody></ofd:OFD>"
    )
    document = (
        f"{DECL}<ofd:Document {OFD_NS}><ofd:CommonData><ofd:MaxUnitID>8</ofd:MaxUnitID>"
        "<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"
        "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes><ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>"
        "</ofd:CommonData><ofd:Pages><ofd:Page ID=\"1\" BaseLoc=\"Pages/Page_0/Content.xml\"/></ofd:Pages>"
        "</ofd:Document>"
    )
    public_res = (
        f"{DECL}<ofd:Res {OFD_NS} BaseLoc=\"Res\"><ofd:Fonts>"
        "<ofd:Font ID=\"2\" FontName=\"宋体\" FamilyName=\"宋体\"/></ofd:Fonts></ofd:Res>"
    )
    document_res = (
        f"{DECL}<ofd:Res {OFD_NS} BaseLoc=\"Res\"><ofd:MultiMedias>"
        "<ofd:MultiMedia ID=\"3\" Type=\"Image\" Format=\"PNG\"><ofd:MediaFile>qr.png</ofd:MediaFile>"
        "</ofd:MultiMedia></ofd:MultiMedias></ofd:Res>"
    )
    page = (
        f"{DECL}<ofd:Page {OFD_NS}><ofd:Content><ofd:Layer ID=\"4\">"
        "<ofd:PathObject ID=\"5\" Boundary=\"10 10 190 277\" LineWidth=\"0.5\"><ofd:StrokeColor Value=\"0 0 0\"/>"
        "<ofd:AbbreviatedData>M 0 0 L 190 0 L 190 277 L 0 277 C</ofd:AbbreviatedData></ofd:PathObject>"
        "<ofd:TextObject ID=\"6\" Boundary=\"40 30 77 9.8\" Font=\"2\" Size=\"7\"><ofd:FillColor Value=\"0 0 0\"/>"
        "<ofd:TextCode X=\"0\" Y=\"7\" DeltaX=\"g 10 7\">二级建造师电子注册证书</ofd:TextCode></ofd:TextObject>"
        "<ofd:ImageObject ID=\"8\" Boundary=\"160 240 30 30\" CTM=\"30 0 0 30 0 0\" ResourceID=\"3\"/>"
        "</ofd:Layer></ofd:Content></ofd:Page>"
    )
    return {
        "OFD.xml": ofd.encode(),
        "Doc_0/Document.xml": document.encode(),
        "Doc_0/PublicRes.xml": public_res.encode(),
        "Doc_0/DocumentRes.xml": document_res.encode(),
        "Doc_0/Res/qr.png": _png(),
        "Doc_0/Pages/Page_0/Content.xml": page.encode(),
    }

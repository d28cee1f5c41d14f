"""A 公文 as OFD (GB/T 33190-2016), the national fixed-layout format, with the PDF's geometry.

There is one layout: the PDF's. WeasyPrint lays out the same HTML ``pdf.render_html`` gives it
(the numbers of ``layout``, the lines ``compose`` broke and justified), and this module writes
the laid-out pages as OFD instead of PDF: every text box becomes a ``TextObject`` at the same
place with the same glyph advances (the font's own advance plus the line's letter spacing),
every filled box (the red rule, the 版记's rules) a ``PathObject``, the seal an ``ImageObject``.
Nothing is measured twice, so a page break or a line can never differ between the two files.

The fonts the PDF uses are embedded, cut down to the characters the document prints, one face
of a .ttc collection as a standalone TrueType file (CFF outlines converted to quadratic ones,
which every OFD reader takes), so a reader without the GB/T 9704 typefaces shows the same glyphs.

The container: ``OFD.xml`` (the entry, ``ofd:OFD``), ``Doc_0/Document.xml`` (page size, pages,
resources), ``Doc_0/PublicRes.xml`` (fonts), ``Doc_0/DocumentRes.xml`` (the seal picture) and
``Doc_0/Pages/Page_N/Content.xml``. Units are millimetres, the origin the page's top left.
"""

from __future__ import annotations

import functools
import io
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405 - used to write XML only, never to parse

from django.utils import timezone

from . import layout as L
from .content import PrintedDocument
from .fonts import ROLES, RoleFont, role_font

OFD_NS = "http://www.ofdspec.org/2016"
MM_PER_PX = 25.4 / 96  # WeasyPrint lays out in CSS pixels
MIME = "application/ofd"
ET.register_namespace("ofd", OFD_NS)


def _q(tag: str) -> str:
    return f"{{{OFD_NS}}}{tag}"


def _num(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


@dataclass
class _Font:
    id: int
    face: RoleFont
    chars: set[str] = field(default_factory=set)


@dataclass
class _Writer:
    next_id: int = 1
    fonts: dict[tuple[str, int], _Font] = field(default_factory=dict)

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def font_for(self, face: RoleFont) -> _Font:
        key = (face.file, face.index)
        if key not in self.fonts:
            self.fonts[key] = _Font(self.new_id(), face)
        return self.fonts[key]


def _faces() -> dict[tuple[str, int], RoleFont]:
    """The role fonts by the (family, weight) WeasyPrint's computed style names them with."""
    return {(role_font(role).family, role_font(role).weight): role_font(role) for role in ROLES}


def _face(style: Any) -> RoleFont:
    families = style["font_family"]
    weight = int(style["font_weight"]) if isinstance(style["font_weight"], int | float) else 400
    faces = _faces()
    for family in families:
        for candidate in ((family, weight), (family, 400), (family, 700)):
            if candidate in faces:
                return faces[candidate]
    return role_font(L.BODY_ROLE)


@functools.cache
def _advances(file: str, index: int) -> tuple[dict[int, int], float]:
    from fontTools.ttLib import TTFont

    font = TTFont(file, fontNumber=index, lazy=True)
    metrics = font["hmtx"].metrics
    widths = {code: metrics[name][0] for code, name in font.getBestCmap().items() if name in metrics}
    units = float(font["head"].unitsPerEm)
    font.close()
    return widths, units


def _advance_em(face: RoleFont, char: str) -> float:
    widths, units = _advances(face.file, face.index)
    width = widths.get(ord(char))
    return width / units if width is not None else 0.5


def _color(value: Any) -> str:
    red, green, blue = (round(channel * 255) for channel in value[:3])
    return f"{red} {green} {blue}"


def _length(value: Any, font_size: float) -> float:
    """A computed CSS length in px (``letter-spacing: normal`` is 0)."""
    if value == "normal" or value is None:
        return 0.0
    if isinstance(value, int | float):
        return float(value)
    return float(getattr(value, "value", 0.0)) * (font_size if getattr(value, "unit", "") == "em" else 1.0)


def _boxes(box: Any) -> Iterator[Any]:
    box = getattr(box, "_box", box)  # an absolutely positioned box sits in the tree behind a placeholder
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def _text_object(writer: _Writer, layer: ET.Element, box: Any) -> None:
    text = box.text
    if not text.strip():
        return
    style = box.style
    face = _face(style)
    font = writer.font_for(face)
    font.chars.update(text)
    size_px = float(style["font_size"])
    spacing_px = _length(style["letter_spacing"], size_px)
    advances = [(_advance_em(face, char) * size_px + spacing_px) * MM_PER_PX for char in text]
    x, y = box.content_box_x() * MM_PER_PX, box.content_box_y() * MM_PER_PX
    width, height = max(sum(advances), box.width * MM_PER_PX), box.height * MM_PER_PX
    baseline = (box.position_y + box.baseline) * MM_PER_PX - y
    element = ET.SubElement(layer, _q("TextObject"), {
        "ID": str(writer.new_id()), "Boundary": " ".join(_num(v) for v in (x, y, width, height)),
        "Font": str(font.id), "Size": _num(size_px * MM_PER_PX),
    })
    ET.SubElement(element, _q("FillColor"), {"Value": _color(style["color"])})
    code = ET.SubElement(element, _q("TextCode"), {"X": "0", "Y": _num(baseline)})
    if len(text) > 1:
        code.set("DeltaX", " ".join(_num(advance) for advance in advances[:-1]))
    code.text = text


def _rectangle(writer: _Writer, layer: ET.Element, x: float, y: float, width: float, height: float, color: Any,
               *, stroke_mm: float = 0.0) -> None:
    attributes = {"ID": str(writer.new_id()), "Boundary": " ".join(_num(v) for v in (x, y, width, height))}
    if stroke_mm:
        attributes.update({"Stroke": "true", "Fill": "false", "LineWidth": _num(stroke_mm)})
    else:
        attributes.update({"Stroke": "false", "Fill": "true"})
    element = ET.SubElement(layer, _q("PathObject"), attributes)
    ET.SubElement(element, _q("StrokeColor" if stroke_mm else "FillColor"), {"Value": _color(color)})
    ET.SubElement(element, _q("AbbreviatedData")).text = (
        f"M 0 0 L {_num(width)} 0 L {_num(width)} {_num(height)} L 0 {_num(height)} C")


def _filled_box(writer: _Writer, layer: ET.Element, box: Any) -> None:
    color = box.style["background_color"]
    if color.alpha and box.width and box.height:
        _rectangle(writer, layer, box.padding_box_x() * MM_PER_PX, box.padding_box_y() * MM_PER_PX,
                   (box.width + box.padding_left + box.padding_right) * MM_PER_PX,
                   (box.height + box.padding_top + box.padding_bottom) * MM_PER_PX, color)
    outline = float(box.style["outline_width"] or 0) if box.style["outline_style"] != "none" else 0.0
    if outline:
        offset = _length(box.style["outline_offset"], 0) + outline / 2
        _rectangle(writer, layer, (box.border_box_x() - offset) * MM_PER_PX, (box.border_box_y() - offset) * MM_PER_PX,
                   (box.border_width() + 2 * offset) * MM_PER_PX, (box.border_height() + 2 * offset) * MM_PER_PX,
                   box.style["outline_color"], stroke_mm=outline * MM_PER_PX)


def _image(writer: _Writer, layer: ET.Element, box: Any, resource_id: int) -> None:
    x, y = box.content_box_x() * MM_PER_PX, box.content_box_y() * MM_PER_PX
    width, height = box.width * MM_PER_PX, box.height * MM_PER_PX
    ET.SubElement(layer, _q("ImageObject"), {
        "ID": str(writer.new_id()), "Boundary": " ".join(_num(v) for v in (x, y, width, height)),
        "ResourceID": str(resource_id), "CTM": f"{_num(width)} 0 0 {_num(height)} 0 0",
    })


def _page(writer: _Writer, page_box: Any, seal_id: int) -> bytes:
    from weasyprint.formatting_structure import boxes

    root = ET.Element(_q("Page"))
    area = ET.SubElement(root, _q("Area"))
    ET.SubElement(area, _q("PhysicalBox")).text = f"0 0 {_num(L.PAGE_WIDTH_MM)} {_num(L.PAGE_HEIGHT_MM)}"
    layer = ET.SubElement(ET.SubElement(root, _q("Content")), _q("Layer"), {"ID": str(writer.new_id()), "Type": "Body"})
    images: list[Any] = []
    for box in _boxes(page_box):
        if isinstance(box, boxes.TextBox):
            _text_object(writer, layer, box)
        elif isinstance(box, boxes.ReplacedBox):
            images.append(box)  # the seal lies over the text it presses on, as in the PDF
        elif not isinstance(box, boxes.PageBox):
            _filled_box(writer, layer, box)
    for box in images:
        if seal_id:
            _image(writer, layer, box, seal_id)
    return _xml(root)


def _xml(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def _subset(font: _Font) -> bytes:
    """The face cut down to the characters printed, as a standalone OpenType file."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    face = TTFont(font.face.file, fontNumber=font.face.index)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.layout_features = []  # the reader draws code points one by one: no substitutions to keep (and 5x faster)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(font.chars)))
    subsetter.subset(face)
    if face.sfntVersion == "OTTO":
        _to_truetype(face)
    output = io.BytesIO()
    face.save(output)
    return output.getvalue()


def _to_truetype(face: Any) -> None:
    """PostScript (CFF) outlines as TrueType quadratic ones, in place.

    OFD readers take TrueType most widely (some, and reportlab-based ones, only TrueType); the
    Noto CJK faces are CFF. The conversion is fontTools' own (cu2qu, 1/1000 em tolerance).
    """
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = face.getGlyphOrder()
    glyph_set = face.getGlyphSet()
    tolerance = face["head"].unitsPerEm / 1000
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, tolerance, reverse_direction=True))
        glyphs[name] = pen.glyph()
    face["loca"] = newTable("loca")
    glyf = face["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    for table in ("CFF ", "VORG"):
        if table in face:
            del face[table]
    glyf.compile(face)
    metrics = face["hmtx"].metrics
    for name, glyph in glyphs.items():
        metrics[name] = (metrics[name][0], getattr(glyph, "xMin", 0))
    maxp = face["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attribute in ("maxZones",):
        setattr(maxp, attribute, 1)
    for attribute in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
                      "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attribute, 0)
    maxp.maxComponentDepth = 0
    post = face["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    face.sfntVersion = "\x00\x01\x00\x00"


def _font_extension(data: bytes) -> str:
    return "otf" if data[:4] == b"OTTO" else "ttf"


def render_ofd(doc: PrintedDocument) -> bytes:
    """The document as an OFD package laid out exactly as ``pdf.render_pdf`` lays it out."""
    from .pdf import layout_document

    pages = layout_document(doc).pages
    writer = _Writer()
    seal_id = writer.new_id() if doc.seal_image else 0
    contents = [_page(writer, page._page_box, seal_id) for page in pages]  # noqa: SLF001 - WeasyPrint's laid-out boxes

    package = io.BytesIO()
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", _entry(doc))
        public = ET.Element(_q("Res"), {"BaseLoc": "Res"})
        fonts = ET.SubElement(public, _q("Fonts"))
        for font in writer.fonts.values():
            data = _subset(font)
            name = f"font_{font.id}.{_font_extension(data)}"
            attributes = {"ID": str(font.id), "FontName": font.face.family, "FamilyName": font.face.family}
            if font.face.weight >= 700:
                attributes["Bold"] = "true"
            element = ET.SubElement(fonts, _q("Font"), attributes)
            ET.SubElement(element, _q("FontFile")).text = name
            archive.writestr(f"Doc_0/Res/{name}", data)
        archive.writestr("Doc_0/PublicRes.xml", _xml(public))
        document_res = ET.Element(_q("Res"), {"BaseLoc": "Res"})
        if seal_id:
            media = ET.SubElement(ET.SubElement(document_res, _q("MultiMedias")), _q("MultiMedia"),
                                  {"ID": str(seal_id), "Type": "Image", "Format": "PNG"})
            ET.SubElement(media, _q("MediaFile")).text = "seal.png"
            archive.writestr("Doc_0/Res/seal.png", doc.seal_image)
        archive.writestr("Doc_0/DocumentRes.xml", _xml(document_res))
        page_ids = [writer.new_id() for _ in contents]
        archive.writestr("Doc_0/Document.xml", _document_xml(writer, page_ids))
        for number, content in enumerate(contents):
            archive.writestr(f"Doc_0/Pages/Page_{number}/Content.xml", content)
    return package.getvalue()


def _entry(doc: PrintedDocument) -> bytes:
    root = ET.Element(_q("OFD"), {"Version": "1.0", "DocType": "OFD"})
    body = ET.SubElement(root, _q("DocBody"))
    info = ET.SubElement(body, _q("DocInfo"))
    ET.SubElement(info, _q("DocID")).text = uuid.uuid4().hex
    ET.SubElement(info, _q("Title")).text = doc.title.replace("\n", "")
    ET.SubElement(info, _q("Author")).text = doc.issuer_signature
    ET.SubElement(info, _q("CreationDate")).text = timezone.localdate().isoformat()
    ET.SubElement(info, _q("Creator")).text = "Zhengtong"
    ET.SubElement(body, _q("DocRoot")).text = "Doc_0/Document.xml"
    return _xml(root)


def _document_xml(writer: _Writer, page_ids: list[int]) -> bytes:
    root = ET.Element(_q("Document"))
    common = ET.SubElement(root, _q("CommonData"))
    ET.SubElement(common, _q("MaxUnitID")).text = str(writer.next_id - 1)
    area = ET.SubElement(common, _q("PageArea"))
    ET.SubElement(area, _q("PhysicalBox")).text = f"0 0 {_num(L.PAGE_WIDTH_MM)} {_num(L.PAGE_HEIGHT_MM)}"
    ET.SubElement(common, _q("PublicRes")).text = "PublicRes.xml"
    ET.SubElement(common, _q("DocumentRes")).text = "DocumentRes.xml"
    pages = ET.SubElement(root, _q("Pages"))
    for number, page_id in enumerate(page_ids):
        ET.SubElement(pages, _q("Page"), {"ID": str(page_id), "BaseLoc": f"Pages/Page_{number}/Content.xml"})
    return _xml(root)

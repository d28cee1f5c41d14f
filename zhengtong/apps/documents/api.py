"""Official documents over JSON: the same operations as the pages, through the same services."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from zhengtong.apps.documents import output, queries, services
from zhengtong.apps.documents.models import Delivery, Document, Version
from zhengtong.apps.documents.rules import DRAFT
from zhengtong.pagination import Page, PageIn, page
from zhengtong.platform.access.policy import require

router = Router(tags=["documents"])


class DocumentIn(Schema):
    doc_type: str = Field("通知", description="文种: one of the 15 types, e.g. 通知, 请示, 函")
    title: str = Field(..., max_length=300)
    body: str = Field("", max_length=200_000)
    issuer_code: str = Field("", max_length=20, description="机关代字 of the drafter's unit")
    classification: int = Field(0, ge=0)
    secrecy: int = Field(0, description="密级: 0 none, 3 秘密, 4 机密, 5 绝密")
    secrecy_period: str = Field("", max_length=20)
    urgency: str = Field("", description="紧急程度: '', 加急 or 特急")
    main_recipients: list[int] = Field(default_factory=list, description="unit ids (主送)")
    copied_recipients: list[int] = Field(default_factory=list, description="unit ids (抄送)")
    main_recipients_text: str = Field("", max_length=500)
    copied_recipients_text: str = Field("", max_length=500)
    attachments_note: str = Field("", max_length=2000)
    note: str = Field("", max_length=200)
    layout: str = Field("", description="GB/T 9704 §10: '' (by 文种), standard, letter (信函), order (命令), minutes (纪要)")
    co_issuers: str = Field("", max_length=1000, description="联合行文: the other issuing organs, one per line, in order")
    signatories: str = Field("", max_length=1000, description="命令: one line per organ, the signer's post, a space, the name")
    attendance: str = Field("", max_length=3000, description="纪要: lines '出席：names', '请假：names', '列席：names'")
    copies: int = Field(0, ge=0, description="copies printed; a classified document prints each with its 份号")


class DocumentPatch(Schema):
    changes: dict[str, Any] = Field(..., description="element fields to change: title, body, doc_type, urgency, …")
    note: str = Field("", max_length=200, description="what changed (kept with the version)")
    main_recipients: list[int] | None = None
    copied_recipients: list[int] | None = None


class SubmitIn(Schema):
    signer: str = Field(..., description="username of the leader who signs off (签发)")
    countersign_departments: list[int] = Field(default_factory=list, description="department ids for 会签, in parallel")
    comment: str = Field("", max_length=2000)


class DecisionIn(Schema):
    item_id: int
    approve: bool = True
    comment: str = Field("", max_length=5000)
    instructor: str = Field("", description="at 拟办: the leader who instructs")


class InstructIn(Schema):
    item_id: int
    text: str = Field(..., max_length=5000)
    ink: str = Field("", max_length=200_000, description="pen strokes as SVG path data")
    handling_departments: list[int]
    lead_department: int


class PeopleIn(Schema):
    usernames: list[str]
    comment: str = Field("", max_length=2000)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=300)


class DocumentDeliveryOut(Schema):
    unit: str
    kind: str
    state: str
    received_at: datetime | None
    received_by: str
    reason: str


class DocumentOut(Schema):
    id: int
    direction: str
    state: str
    doc_type: str
    title: str
    body: str
    unit: str
    number: str
    register_number: str
    classification: int
    secrecy: int
    urgency: str
    signers: str
    written_on: date | None
    main_recipients_text: str
    copied_recipients_text: str
    sender_name: str
    handling_due: datetime | None
    current_steps: str
    my_item_id: int | None
    created_at: datetime
    layout: str = Field(..., description="the layout it prints in: standard, letter, order or minutes")


class HolderOut(Schema):
    step: str = Field(..., description="the open step (核稿, 签发 …)")
    user: str = Field(..., description="username of who holds it now")
    name: str
    on_behalf_of: str = Field(..., description="whose work it is when held for someone else (转办, 委派, 委托); else empty")
    due_at: datetime | None = Field(..., description="the step's deadline (working days), if it has one")
    overdue: bool


class SignatureOut(Schema):
    state: str = Field(..., description="valid, not_valid, pending (dispatched, the signed copy is being made) or none (not issued)")
    signer: str = Field(..., description="the unit whose certificate signed the kept PDF")
    signed_at: datetime | None


class DocumentDetailOut(DocumentOut):
    holders: list[HolderOut] = Field(..., description="who holds the open step now and by when")
    signature: SignatureOut = Field(..., description="the kept, dispatched PDF's seal and digital signature as verified now")
    deliveries: list[DocumentDeliveryOut]
    opinions: list[dict[str, Any]]
    versions: list[dict[str, Any]]


class AttachmentOut(Schema):
    id: int
    name: str
    kind: str = Field(..., description="what the content is, whatever the client claimed: pdf, ofd, docx, png …")
    size: int
    purpose: str


class CountOut(Schema):
    count: int


def _out(user: Any, document: Document) -> dict[str, Any]:
    item = queries.open_item(user, document)
    return {**{name: getattr(document, name) for name in (
        "id", "direction", "state", "doc_type", "title", "body", "number", "register_number", "classification", "secrecy", "urgency",
        "signers", "written_on", "main_recipients_text", "copied_recipients_text", "sender_name", "handling_due", "created_at")},
        "unit": document.unit.name, "current_steps": document.instance.current_steps if document.instance else "",
        "my_item_id": item.pk if item else None, "layout": document.print_layout or "standard"}


def _detail(user: Any, document: Document) -> dict[str, Any]:
    deliveries = [{"unit": d.unit.name, "kind": d.kind, "state": d.state, "received_at": d.received_at,
                   "received_by": d.received_by.get_full_name() if d.received_by else "", "reason": d.reason}
                  for d in queries.deliveries(document)]
    versions = [{"number": v.number, "author": v.author.get_full_name(), "step": v.step_name, "note": v.note, "at": v.created_at}
                for v in document.versions.select_related("author").order_by("number")]
    return {**_out(user, document), "holders": queries.holders(document), "deliveries": deliveries,
            "opinions": queries.opinions(document), "versions": versions, "signature": _signature(document)}


def _signature(document: Document) -> dict[str, Any]:
    verified = output.signature_status(document)
    if verified is None:
        return {"state": "pending" if output.signature_pending(document) else "none", "signer": "", "signed_at": None}
    return {"state": "valid" if verified.valid else "not_valid", "signer": verified.signer, "signed_at": verified.signed_at}


def _document(request: HttpRequest, document_id: int) -> Document:
    return queries.document_or_404(request.user, document_id)


@router.get("/", response=Page[DocumentOut], summary="Documents I may see: outgoing (发文) or incoming (收文), filtered and searched")
def list_documents(request: HttpRequest, paging: Query[PageIn], direction: str = "out", state: str = "",
                   year: int | None = Query(None, ge=queries.YEARS.start, le=queries.YEARS.stop - 1),
                   doc_type: str = "", unit: int | None = None, q: str = "") -> dict[str, Any]:
    require(request.user, DRAFT)
    filters = queries.Filters(direction=direction, state=state, year=year, doc_type=doc_type, unit=unit, text=q[:100])
    return page(queries.listing(request.user, filters).select_related("instance"), paging, lambda document: _out(request.user, document))


@router.post("/", response={201: DocumentDetailOut}, summary="Draft a document (拟稿)")
def create_document(request: HttpRequest, payload: DocumentIn) -> Status[dict[str, Any]]:
    document = services.create_draft(acting_user=request.user, **payload.dict())
    return Status(201, _detail(request.user, document))


@router.get("/{document_id}", response=DocumentDetailOut, summary="One document with its opinions, versions and receipts")
def get_document(request: HttpRequest, document_id: int) -> dict[str, Any]:
    return _detail(request.user, _document(request, document_id))


@router.patch("/{document_id}", response=DocumentDetailOut, summary="Change the text or elements before 签发 (kept as a version)")
def edit_document(request: HttpRequest, document_id: int, payload: DocumentPatch) -> dict[str, Any]:
    document = services.edit(acting_user=request.user, document=_document(request, document_id), changes=payload.changes,
                             note=payload.note, main_recipients=payload.main_recipients, copied_recipients=payload.copied_recipients)
    return _detail(request.user, document)


@router.post("/{document_id}/submit", response=DocumentDetailOut, summary="Send a draft into 发文")
def submit_document(request: HttpRequest, document_id: int, payload: SubmitIn) -> dict[str, Any]:
    document = services.submit(acting_user=request.user, document=_document(request, document_id), signer=payload.signer,
                               countersign_departments=payload.countersign_departments, comment=payload.comment)
    return _detail(request.user, document)


@router.post("/{document_id}/decide", response=DocumentDetailOut, summary="Approve or reject my step (意见 kept with the step)")
def decide(request: HttpRequest, document_id: int, payload: DecisionIn) -> dict[str, Any]:
    data = {"instructor": [payload.instructor]} if payload.instructor else None
    document = services.decide(acting_user=request.user, document=_document(request, document_id), item_id=payload.item_id,
                               approve=payload.approve, comment=payload.comment, data=data)
    return _detail(request.user, document)


@router.post("/{document_id}/instruct", response=DocumentDetailOut, summary="批办: the leader's instruction and the handling departments")
def instruct(request: HttpRequest, document_id: int, payload: InstructIn) -> dict[str, Any]:
    document = services.instruct(acting_user=request.user, document=_document(request, document_id), item_id=payload.item_id,
                                 text=payload.text, ink=payload.ink, handling_departments=payload.handling_departments,
                                 lead_department=payload.lead_department)
    return _detail(request.user, document)


@router.post("/{document_id}/receive", response=DocumentDetailOut, summary="签收 an incoming document for my unit")
def receive(request: HttpRequest, document_id: int) -> dict[str, Any]:
    document = _document(request, document_id)
    delivery = get_object_or_404(Delivery, incoming=document)
    return _detail(request.user, services.receive(acting_user=request.user, delivery=delivery))


@router.post("/{document_id}/remind", response=CountOut, summary="Remind the units that have not signed for it, or the handlers (催办)")
def remind(request: HttpRequest, document_id: int) -> dict[str, int]:
    document = _document(request, document_id)
    if document.deliveries.exists():
        return {"count": len(services.remind_recipients(acting_user=request.user, document=document))}
    return {"count": services.remind_handlers(acting_user=request.user, document=document)}


@router.post("/{document_id}/circulate", response=CountOut, summary="传阅: send for reading with read receipts")
def circulate(request: HttpRequest, document_id: int, payload: PeopleIn) -> dict[str, int]:
    services.circulate(acting_user=request.user, document=_document(request, document_id), usernames=payload.usernames,
                       comment=payload.comment)
    return {"count": len(payload.usernames)}


@router.post("/{document_id}/cancel", response=DocumentDetailOut, summary="Cancel an undispatched 发文 (its number is voided)")
def cancel(request: HttpRequest, document_id: int, payload: ReasonIn) -> dict[str, Any]:
    document = services.cancel(acting_user=request.user, document=_document(request, document_id), reason=payload.reason)
    return _detail(request.user, document)


@router.post("/{document_id}/attachments", response={201: AttachmentOut},
             summary="Attach a file (multipart, field 'file'); its type, size and content are checked, hostile files refused")
def attach(request: HttpRequest, document_id: int, file: File[UploadedFile]) -> Status[dict[str, Any]]:
    attachment = services.add_attachment(acting_user=request.user, document=_document(request, document_id), upload=file)
    stored = attachment.file
    return Status(201, {"id": attachment.pk, "name": stored.name, "kind": stored.kind, "size": stored.size, "purpose": attachment.purpose})


@router.get("/{document_id}/compare", response=list[tuple[str, str]], summary="Changes between two versions (痕迹)")
def compare(request: HttpRequest, document_id: int, a: int, b: int) -> list[tuple[str, str]]:
    document = _document(request, document_id)
    older = get_object_or_404(Version, document=document, number=a)
    newer = get_object_or_404(Version, document=document, number=b)
    return queries.compare(older, newer)


@router.get("/{document_id}/print.{fmt}", summary="The document per GB/T 9704 as a PDF, OFD or DOCX file (audited)")
def rendered(request: HttpRequest, document_id: int, fmt: str) -> HttpResponse:
    if fmt not in output.FORMATS:
        raise Http404
    return output.download(acting_user=request.user, document=_document(request, document_id), fmt=fmt)

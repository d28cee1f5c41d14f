"""Pages for official documents: thin; every change goes through ``services``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhengtong.apps.documents import output, queries, services
from zhengtong.apps.documents.forms import (
    DecideForm,
    DocumentForm,
    InstructForm,
    PeopleForm,
    ReasonForm,
    RegisterForm,
    SubmitForm,
    UploadForm,
)
from zhengtong.apps.documents.models import Attachment, Delivery, DocType, Document, Layout, Version
from zhengtong.apps.documents.rules import DRAFT, EDIT, is_clerk
from zhengtong.errors import ServiceError
from zhengtong.platform import registry
from zhengtong.platform.access.models import ClassificationLevel
from zhengtong.platform.access.policy import can, require
from zhengtong.platform.directory import queries as directory
from zhengtong.platform.directory.models import Department
from zhengtong.platform.files import services as files


class CappedPaginator(Paginator):
    """Counts at most ``CAP`` rows: who may see a document is an OR no index answers, so an exact
    count reads every visible row. Past the cap the pager shows "50+" pages; older documents are
    reached by the year, state and text filters."""

    CAP = 1000

    @cached_property
    def count(self) -> int:
        return int(self.object_list[: self.CAP + 1].count())  # type: ignore[attr-defined]

    @property
    def capped(self) -> bool:
        return self.count > self.CAP


def _document(request: HttpRequest, pk: int) -> Document:
    return queries.document_or_404(request.user, pk)


def _filters(request: HttpRequest, direction: str) -> queries.Filters:
    year, unit = request.GET.get("year", ""), request.GET.get("unit", "")
    return queries.Filters(direction=direction, state=request.GET.get("state", ""), year=int(year) if year.isdigit() else None,
                           doc_type=request.GET.get("type", "") if request.GET.get("type") in DocType.values else "",
                           unit=int(unit) if unit.isdigit() else None, text=request.GET.get("q", "")[:100])


@login_required
def document_list(request: HttpRequest, direction: str = Document.Direction.OUTGOING) -> HttpResponse:
    require(request.user, DRAFT)
    filters = _filters(request, direction)
    page = CappedPaginator(queries.listing(request.user, filters), 20).get_page(request.GET.get("page"))
    awaiting = Delivery.objects.filter(unit_id__in=queries.registry_units(request.user), state=Delivery.State.SENT).count()
    return render(request, "documents/list.html", {
        "page": page, "filters": filters, "direction": direction, "states": Document.State.choices, "types": DocType.choices,
        "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1), "awaiting": awaiting,
        "is_clerk": bool(queries.registry_units(request.user)),
        "units": Department.objects.filter(kind=Department.Kind.UNIT, is_active=True).order_by("order", "name"),
    })


@login_required
def incoming_list(request: HttpRequest) -> HttpResponse:
    return document_list(request, Document.Direction.INCOMING)


@login_required
def create(request: HttpRequest) -> HttpResponse:
    require(request.user, DRAFT)
    department = directory.primary_department(request.user)
    unit = directory.unit_of(department) if department else None
    form = DocumentForm(request.POST or None, user=request.user, unit=unit)
    return _save_document(request, form, None, lambda elements, main, copied: services.create_draft(
        acting_user=request.user, main_recipients=main, copied_recipients=copied, **elements))


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    require(request.user, EDIT, document)
    form = DocumentForm(request.POST or None, user=request.user, unit=document.unit, initial=DocumentForm.initial_for(document))
    return _save_document(request, form, document, lambda elements, main, copied: services.edit(
        acting_user=request.user, document=document, changes=elements, main_recipients=main, copied_recipients=copied))


def _save_document(request: HttpRequest, form: DocumentForm, document: Document | None,
                   save: Callable[[dict[str, Any], list[int], list[int]], Document]) -> HttpResponse:
    """拟稿 and 修改 share the form: the elements, and the recipients as unit ids."""
    if request.method == "POST" and form.is_valid():
        elements = dict(form.cleaned_data)
        main, copied = ([unit.pk for unit in elements.pop(name)] for name in ("main_recipients", "copied_recipients"))
        try:
            saved = save(elements, main, copied)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Saved; the earlier text is kept as a version.") if document else _("The draft is saved."))
            return redirect("documents:detail", pk=saved.pk)
    return render(request, "documents/form.html", {"form": form, "document": document})


def _step_form(data: Any, user: Any, document: Document, item: Any) -> Any:
    if item is None:
        return None
    if item.step_id == "instruct" and document.direction == Document.Direction.INCOMING:
        return InstructForm(data, unit=document.unit, user=user)
    leaders = directory.heads_of(document.unit, with_deputies=True) if item.step_id == "propose" else None
    return DecideForm(data, leaders=leaders)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    item = queries.open_item(request.user, document)
    form = _step_form(request.POST if request.method == "POST" else None, request.user, document, item)
    if request.method == "POST" and form is not None and item is not None:
        decision = request.POST.get("decision", "approve")
        if form.is_valid():
            try:
                _decide(request, document, item, form, decision)
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("Done."))
                return redirect("documents:detail", pk=document.pk)
    services.mark_read(acting_user=request.user, document=document)
    return _render_detail(request, document, item, form)


def _render_detail(request: HttpRequest, document: Document, item: Any, form: Any, status: int = 200) -> HttpResponse:
    level = dict(ClassificationLevel.objects.values_list("rank", "name")).get(document.classification, "")
    unread = queries.circulation(document)
    return render(request, "documents/detail.html", {
        "document": document, "item": item, "form": form, "level": level, "opinions": queries.opinions(document),
        "deliveries": queries.deliveries(document), "holders": queries.holders(document),
        "layout": Layout(document.print_layout).label, "circulation": unread, "secrecy_mark": services.secrecy_mark(document),
        "versions": document.versions.select_related("author").order_by("-number"),
        "attachments": document.attachments.select_related("file"), "instructions": document.instructions.select_related("author"),
        "can_edit": can(request.user, EDIT, document), "is_registry": is_clerk(request.user, document.unit_id),
        "can_submit": document.state == Document.State.DRAFT and can(request.user, EDIT, document),
        "delivery": Delivery.objects.filter(incoming=document).first(), "signature_status": output.signature_status(document),
        "signature_pending": output.signature_pending(document),
        "upload_form": UploadForm(), "people_form": PeopleForm(), "reason_form": ReasonForm(),
        # What other apps offer on this record (chat's 事务群), through the registry.
        "record_links": registry.current().record_links(request.user, "documents.document", document.pk),
    }, status=status)


def _decide(request: HttpRequest, document: Document, item: Any, form: Any, decision: str) -> None:
    values = form.cleaned_data
    if isinstance(form, InstructForm):
        services.instruct(acting_user=request.user, document=document, item_id=item.pk, text=values["text"], ink=values["ink"],
                          handling_departments=[d.pk for d in values["handling_departments"]],
                          lead_department=values["lead_department"].pk)
        return
    data = {"instructor": [values["instructor"]]} if values.get("instructor") else None
    services.decide(acting_user=request.user, document=document, item_id=item.pk, approve=decision != "reject",
                    comment=values["comment"], data=data)


@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    require(request.user, EDIT, document)
    leaders = directory.heads_of(document.unit, with_deputies=True)
    form = SubmitForm(request.POST or None, unit=document.unit, leaders=leaders, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit(acting_user=request.user, document=document, signer=form.cleaned_data["signer"],
                            countersign_departments=[d.pk for d in form.cleaned_data["countersign_departments"]],
                            comment=form.cleaned_data["comment"])
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Submitted for review."))
            return redirect("documents:detail", pk=document.pk)
    return render(request, "documents/submit.html", {"form": form, "document": document})


def _post_action(request: HttpRequest, document: Document, run: Any, done: str) -> HttpResponse:
    """Run a button's action; done, back to the document; refused, the document again saying why, with the refusal's status."""
    try:
        run()
    except ServiceError as exc:
        return _refused(request, document, exc.message, exc.status)
    messages.success(request, done)
    return redirect("documents:detail", pk=document.pk)


def _refused(request: HttpRequest, document: Document, message: str, status: int) -> HttpResponse:
    """The document again, saying why the button's action was not done, with the refusal's status; nothing changed."""
    messages.error(request, message)
    item = queries.open_item(request.user, document)
    return _render_detail(request, document, item, _step_form(None, request.user, document, item), status=status)


@login_required
@require_POST
def receive(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    delivery = get_object_or_404(Delivery, incoming=document)
    return _post_action(request, document, lambda: services.receive(acting_user=request.user, delivery=delivery), _("Signed for."))


@login_required
@require_POST
def remind(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)

    def run() -> None:
        if document.deliveries.exists():
            services.remind_recipients(acting_user=request.user, document=document)
        else:
            services.remind_handlers(acting_user=request.user, document=document)

    return _post_action(request, document, run, _("Reminded."))


@login_required
@require_POST
def circulate(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    form = PeopleForm(request.POST)
    if not form.is_valid():
        return _refused(request, document, form.error_text(), 400)
    return _post_action(request, document, lambda: services.circulate(acting_user=request.user, document=document,
                                                                      usernames=form.usernames(), comment=form.cleaned_data["comment"]),
                        _("Sent for reading."))


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():  # the form's own reason (control characters, too long), not the service's "give a reason"
        messages.error(request, form.error_text())
        return redirect("documents:detail", pk=document.pk)
    return _post_action(request, document, lambda: services.cancel(acting_user=request.user, document=document,
                                                                   reason=form.cleaned_data["reason"]), _("Cancelled."))


@login_required
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refused(request, document, _("Choose a file."), 400)
    return _post_action(request, document, lambda: services.add_attachment(acting_user=request.user, document=document,
                                                                           upload=form.cleaned_data["file"]), _("Attached."))


@login_required
def attachment(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    document = _document(request, pk)
    item = get_object_or_404(Attachment.objects.select_related("file"), pk=attachment_id, document=document)
    return files.open_for_download(acting_user=request.user, stored=item.file, reason=f"document {document.pk}")


@login_required
def rendered(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    document = _document(request, pk)
    if fmt not in output.FORMATS:
        raise Http404
    return output.download(acting_user=request.user, document=document, fmt=fmt)


@login_required
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    versions = {v.number: v for v in Version.objects.filter(document=document).select_related("author")}
    if not versions:
        raise Http404
    newest = max(versions)
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    older = versions.get(int(a)) if a.isdigit() else versions.get(newest - 1, versions[newest])
    newer = versions.get(int(b)) if b.isdigit() else versions[newest]
    if older is None or newer is None:
        raise Http404
    return render(request, "documents/compare.html", {"document": document, "older": older, "newer": newer,
                                                      "runs": queries.compare(older, newer),
                                                      "versions": sorted(versions.values(), key=lambda v: v.number)})


@login_required
def register(request: HttpRequest) -> HttpResponse:
    require(request.user, DRAFT)
    form = RegisterForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.register_by_hand(acting_user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Registered."))
            return redirect("documents:detail", pk=document.pk)
    return render(request, "documents/register.html", {"form": form})


@login_required
def supervision(request: HttpRequest) -> HttpResponse:
    require(request.user, DRAFT)
    board = queries.supervision(request.user)
    labels = dict(Document.State.choices)
    chart = [{"label": str(labels.get(state, state)), "value": count} for state, count in sorted(board["by_state"].items())]
    return render(request, "documents/supervision.html", {"board": board, "chart": chart})

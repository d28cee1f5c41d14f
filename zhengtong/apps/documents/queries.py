"""Reading documents: the lists a person may see, search, 督办, opinions, versions, the printed form."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zhengtong.apps.documents.models import Delivery, Document, Layout, Registry, Version
from zhengtong.apps.documents.rendering.content import PrintedDocument
from zhengtong.apps.documents.rules import VIEW
from zhengtong.apps.documents.services import SEARCH_KIND, secrecy_mark
from zhengtong.platform.access.policy import can, visible
from zhengtong.platform.search.queries import matching_ids
from zhengtong.platform.workflow import queries as workflow
from zhengtong.platform.workflow.definitions import parsed
from zhengtong.platform.workflow.models import Action, Copy, WorkItem

NEAR_DUE = timedelta(days=2)
# The years a document's date can be filtered by: Python's, less the first (its 1 January in
# Asia/Shanghai falls before the first day Python can hold in UTC).
YEARS = range(MINYEAR + 1, MAXYEAR + 1)


@dataclass(frozen=True)
class Filters:
    direction: str = Document.Direction.OUTGOING
    state: str = ""
    year: int | None = None
    doc_type: str = ""
    unit: int | None = None
    text: str = ""


def registry_units(user: Any) -> list[int]:
    return list(Registry.objects.filter(clerks=user).values_list("unit_id", flat=True))


def visible_documents(user: Any) -> QuerySet[Document]:
    """What a person may see: within their clearance, and drafted by them, kept by their unit's
    registry, or in a process they take part in or were given to read."""
    documents = visible(user, Document.objects.all())
    instances = WorkItem.objects.filter(Q(assignee=user) | Q(principal=user)).values("instance_id")
    copies = Copy.objects.filter(user=user).values("instance_id")
    return documents.filter(Q(direction=Document.Direction.OUTGOING, drafter=user) | Q(unit_id__in=registry_units(user))
                            | Q(instance_id__in=instances) | Q(instance_id__in=copies))


def document_or_404(user: Any, pk: int) -> Document:
    """A document the person may not see does not exist for them (404, not 403: nothing leaks)."""
    document = Document.objects.select_related("unit", "instance", "drafter", "lead_department").filter(pk=pk).first()
    if document is None or not can(user, VIEW, document):
        raise Http404
    return document


def listing(user: Any, filters: Filters) -> QuerySet[Document]:
    documents = visible_documents(user).filter(direction=filters.direction)
    if filters.state:
        documents = documents.filter(state=filters.state)
    if filters.year and filters.year not in YEARS:
        return documents.none()  # no document is from year 0 or 99999 (and the date lookup cannot be built)
    if filters.year:
        documents = documents.filter(created_at__year=filters.year)
    if filters.doc_type:
        documents = documents.filter(doc_type=filters.doc_type)
    if filters.unit:
        documents = documents.filter(unit_id=filters.unit)
    text = filters.text.strip()
    if len(text) == 1:
        # One character matches inside countless words; the newest titles holding it come first fast.
        documents = documents.filter(title__contains=text)
    elif text:
        documents = documents.filter(pk__in=matching_ids(SEARCH_KIND, text))
    return documents.select_related("unit").order_by("-created_at", "-id")


def deliveries(document: Document) -> QuerySet[Delivery]:
    return document.deliveries.select_related("unit", "received_by").order_by("kind", "unit__order", "unit__name")


def opinions(document: Document) -> list[dict[str, Any]]:
    """Each step's opinions (意见), in order, for the 签发 view and the 收文处理单."""
    if document.instance is None:
        return []
    actions = Action.objects.filter(instance_id=document.instance_id, kind__in=(Action.Kind.START, Action.Kind.APPROVE,
                                                                                Action.Kind.REJECT, Action.Kind.RETURN))
    process = parsed(document.instance.definition)
    first = process.steps[process.order[0]]
    grouped: dict[str, dict[str, Any]] = {}
    for action in actions.select_related("actor").order_by("created_at", "id"):
        # Starting the process is its first step (拟稿 / 签收) done.
        step_id, name = (first.step_id, first.name) if action.kind == Action.Kind.START else (action.step_id, action.step_name)
        step = grouped.setdefault(step_id, {"step": name, "entries": []})
        step["entries"].append({"who": action.actor.get_full_name() if action.actor else "", "at": action.created_at,
                                "kind": action.get_kind_display(), "comment": action.comment})
    return list(grouped.values())


def circulation(document: Document) -> QuerySet[Copy]:
    """传阅 readers with their read receipts, unread first."""
    if document.instance_id is None:
        return Copy.objects.none()
    return Copy.objects.filter(instance_id=document.instance_id, kind=Copy.Kind.CIRCULATE).select_related("user").order_by("read_at", "id")


def holders(document: Document) -> list[dict[str, Any]]:
    """Who holds the document's open step now and by when: each open work item's step, person (and
    whose work it is, for 转办 / 委派 / 委托), its due time and whether that has passed."""
    now = timezone.now()
    return [{"step": item.step_name, "user": item.assignee.username, "name": item.assignee.get_full_name(),
             "on_behalf_of": item.principal.get_full_name() if item.principal else "", "due_at": item.due_at,
             "overdue": bool(item.due_at and item.due_at <= now)}
            for item in workflow.holders(document.instance_id)]


def open_item(user: Any, document: Document) -> WorkItem | None:
    if document.instance_id is None:
        return None
    return WorkItem.objects.filter(instance_id=document.instance_id, assignee=user, state=WorkItem.State.OPEN).first()


def compare(older: Version, newer: Version) -> list[tuple[str, str]]:
    """痕迹: the text of ``newer`` against ``older`` as (op, text) runs — equal, insert, delete — per character."""
    before, after = f"{older.title}\n{older.body}", f"{newer.title}\n{newer.body}"
    runs: list[tuple[str, str]] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append(("equal", before[a1:a2]))
        if op in ("delete", "replace"):
            runs.append(("delete", before[a1:a2]))
        if op in ("insert", "replace"):
            runs.append(("insert", after[b1:b2]))
    return runs


def supervision(user: Any) -> dict[str, Any]:
    """督办 for the registries a person keeps: incoming documents overdue or due within two days,
    by lead department, and the counts by state."""
    incoming = visible(user, Document.objects.filter(direction=Document.Direction.INCOMING, unit_id__in=registry_units(user)))
    now = timezone.now()
    watched = incoming.filter(state=Document.State.HANDLING, handling_due__lte=now + NEAR_DUE)
    rows = list(watched.select_related("lead_department", "unit").order_by("handling_due", "id")[:200])
    by_department: dict[str, dict[str, int]] = {}
    for document in rows:
        name = document.lead_department.name if document.lead_department else "—"
        counts = by_department.setdefault(name, {"overdue": 0, "near": 0})
        counts["overdue" if document.handling_due and document.handling_due < now else "near"] += 1
    states = dict(incoming.values_list("state").annotate(n=Count("id")).order_by())
    return {"documents": rows, "by_department": by_department, "by_state": states, "now": now}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _special(document: Document) -> dict[str, Any]:
    """GB/T 9704 §10 and 联合行文: the layout, the mark it prints, 令号, 签发人 block and attendance."""
    layout = document.print_layout
    organ = document.issuer_mark.strip().removesuffix("文件")
    marks: dict[str, str] = {Layout.LETTER: organ, Layout.ORDER: organ if organ.endswith("令") else f"{organ}令",
                             Layout.MINUTES: organ if organ.endswith("纪要") else f"{organ}纪要"}
    mark = marks.get(layout, document.issuer_mark)
    signatories = [tuple(line.rsplit(None, 1)) for line in _lines(document.signatories)]
    if layout == Layout.ORDER and not signatories and document.signers:
        signatories = [("", name) for name in document.signers.split("、")]
    number = document.number
    if layout == Layout.ORDER and document.number_sequence:
        number = f"第{document.number_sequence}号"  # 10.2 令号
    attendance = [tuple(part.strip() for part in line.partition("：")[::2]) for line in _lines(document.attendance)]
    return {"layout": layout or Layout.STANDARD, "issuer_mark": mark, "number": number,
            "co_issuers": tuple(_lines(document.co_issuers)), "signatories": tuple(signatories), "attendance": tuple(attendance)}


def printed_copies(document: Document) -> list[PrintedDocument]:
    """7.2.1 份号: a classified document printed in ``copies`` copies gives one numbered copy each."""
    if not document.secrecy or document.copies <= 1:
        return [printed(document)]
    return [printed(document, copy_number=number) for number in range(1, document.copies + 1)]


def printed(document: Document, *, copy_number: int = 0) -> PrintedDocument:
    """The document's elements as the renderers take them (GB/T 9704)."""
    paragraphs = tuple(line.strip() for line in document.body.splitlines() if line.strip())
    special = _special(document)
    return PrintedDocument(
        **special, title=document.title, body=paragraphs, issuer_signature=document.issuer_signature,
        written_on=document.written_on or timezone.localdate(),
        copy_number=f"{copy_number:06d}" if copy_number else ("000001" if document.secrecy else ""),
        secrecy=secrecy_mark(document), urgency=document.urgency,
        signers=tuple(document.signers.split("、")) if document.is_upward and document.signers else (),
        main_recipients=document.main_recipients_text,
        attachments=tuple(line.strip() for line in document.attachments_note.splitlines() if line.strip()),
        sealed=document.sealed, note=document.note, copied_to=document.copied_recipients_text, printed_by=document.printed_by,
        printed_on=document.printed_on, draft=not document.number,
    )

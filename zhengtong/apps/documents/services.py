"""Official documents: the only code that changes them.

发文 and 收文 run on ``workflow`` (``processes/``). What a step means for the document — the
text frozen at 签发, the number taken at 登记, the copies sent at 核发, the 收文编号 and the
handling deadline at 登记, the document sent back at 初审, the reply at 办结 — happens in
``step_decided`` inside the transaction that decides the step, whoever decides it and from
whichever page. Every operation checks ``access`` and writes its audit record.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.apps.documents import numbering, starters
from zhengtong.apps.documents.models import (
    ATTENDANCE_LABELS,
    MAX_COPIES,
    SECRECY_MARKS,
    Delivery,
    DocType,
    Document,
    Instruction,
    IssuerCode,
    Layout,
    Registry,
    Secrecy,
    Urgency,
    Version,
)
from zhengtong.apps.documents.permissions import NOTICE_CATEGORY
from zhengtong.apps.documents.rules import DRAFT, EDIT, MANAGE, REGISTRY, VIEW, is_clerk
from zhengtong.errors import Conflict, NotFound, ServiceError
from zhengtong.platform import batch
from zhengtong.platform.access.models import ClassificationLevel
from zhengtong.platform.access.policy import can, clearance_of, is_visible, require
from zhengtong.platform.audit import services as audit
from zhengtong.platform.directory import queries as directory
from zhengtong.platform.directory.models import Department
from zhengtong.platform.directory.visibility import hide_departments, viewer_of
from zhengtong.platform.files import services as files
from zhengtong.platform.notices import services as notices
from zhengtong.platform.search import services as search
from zhengtong.platform.workdays import calendar
from zhengtong.platform.workflow import services as workflow
from zhengtong.platform.workflow.models import ProcessInstance, WorkItem
from zhengtong.platform.workflow.rules import VIEW as VIEW_PROCESS
from zhengtong.platform.workflow.steps import Step, StepEvent

OUTGOING, INCOMING = "document_outgoing", "document_incoming"
SEARCH_KIND = "documents.document"
# GB/T 9704 §7.2.5: 代字〔year〕n号 — full year in 六角括号, no padding, no 第.
NUMBER_FORMAT = "{code}〔{year}〕{sequence}号"
INK = re.compile(r"^[MLQCZmlqcz0-9 .,\-]*$")
ELEMENT_FIELDS = ("doc_type", "title", "body", "classification", "secrecy", "secrecy_period", "urgency", "issuer_mark",
                  "issuer_code", "main_recipients_text", "copied_recipients_text", "attachments_note", "issuer_signature",
                  "note", "sealed", "layout", "co_issuers", "signatories", "attendance", "copies")


def link(document: Document) -> str:
    return reverse("documents:detail", args=[document.pk])


def document_page(object_id: str) -> str:
    """The page of the document a process is about (its subject ``documents.document:<id>``)."""
    return reverse("documents:detail", args=[int(object_id)])


def _names(people: Iterable[Any]) -> list[str]:
    return list(dict.fromkeys(person.username for person in people))


def _unit_of(user: Any) -> Department:
    department = directory.primary_department(user)
    if department is None:
        raise ServiceError("no_unit", _("You belong to no department, so there is no unit to issue the document for."))
    return directory.unit_of(department)


def clerks_of(unit: Department) -> list[Any]:
    """The registry clerks (文书) of a unit; none while it has no registry."""
    registry = Registry.objects.filter(unit=unit).first()
    return list(registry.clerks.all()) if registry else []


def _registry(unit: Department) -> Registry:
    registry = Registry.objects.filter(unit=unit).first()
    if registry is None or not registry.clerks.exists():
        raise ServiceError("no_registry", _("%(unit)s has no document registry (文书) yet; ask an administrator to set one up.")
                           % {"unit": unit.name})
    return registry


def _index(document: Document, *, new: bool = False) -> None:
    search.index(SEARCH_KIND, document.pk, title=f"{document.title} {document.number} {document.register_number}",
                 body=document.body, new=new)


def _audit(event: str, actor: Any, document: Document, detail: str = "", changes: dict[str, Any] | None = None) -> None:
    audit.record(f"documents.{event}", actor=actor, obj=document, detail=detail[:500], changes=changes)


# --- Administration: 机关代字 and registries ----------------------------------------------------


def add_issuer_code(*, acting_user: Any, unit: Department, code: str, description: str = "") -> IssuerCode:
    require(acting_user, MANAGE)
    code = code.strip()
    if not code or len(code) > 20 or re.search(r"[\s〔〕\[\]()（）\d]", code):
        raise ServiceError("invalid", _("An issuer code is a few characters such as 市水发, without digits, spaces or brackets."),
                           {"code": [_("Not a valid issuer code.")]})
    if unit.kind != Department.Kind.UNIT:
        raise ServiceError("invalid", _("Issuer codes belong to units, not departments."), {"unit": [_("Choose a unit.")]})
    with batch.atomic():
        if IssuerCode.objects.filter(code=code).exists():
            raise ServiceError("invalid", _("The issuer code %(code)s is already in use.") % {"code": code},
                               {"code": [_("Already in use.")]})
        issuer = IssuerCode.objects.create(unit=unit, code=code, description=description.strip()[:100])
        audit.record("documents.issuer_code_added", actor=acting_user, obj=issuer,
                     changes=audit.diff({}, {"unit": unit.name, "code": code}))
    return issuer


def set_registry(*, acting_user: Any, unit: Department, clerks: Iterable[Any], office_name: str, incoming_code: str = "收",
                 handling_days: int = 10) -> Registry:
    require(acting_user, MANAGE)
    people = list(clerks)
    errors: dict[str, list[str]] = {}
    if not people:
        errors["clerks"] = [_("Name at least one registry clerk.")]
    if not office_name.strip():
        errors["office_name"] = [_("This field is required.")]
    if not incoming_code.strip() or re.search(r"[\s〔〕\d]", incoming_code):
        errors["incoming_code"] = [_("Not a valid register code.")]
    if not 1 <= handling_days <= 60:
        errors["handling_days"] = [_("Between 1 and 60 working days.")]
    if errors:
        raise ServiceError("invalid", _("The registry is not valid."), errors)
    with batch.atomic():
        registry, created = Registry.objects.update_or_create(unit=unit, defaults={
            "office_name": office_name.strip(), "incoming_code": incoming_code.strip(), "handling_days": handling_days})
        registry.clerks.set(people)
        audit.record("documents.registry_set", actor=acting_user, obj=registry,
                     detail=f"{unit.name}: {', '.join(_names(people))}")
    return registry


# --- Drafting (拟稿) ----------------------------------------------------------------------------


def _check_elements(acting_user: Any, unit: Department, values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not str(values.get("title", "")).strip():
        errors["title"] = [_("A title is required.")]
    if values.get("doc_type") not in DocType.values:
        errors["doc_type"] = [_("Choose one of the 15 document types.")]
    if values.get("urgency", "") not in Urgency.values:
        errors["urgency"] = [_("Choose an urgency.")]
    secrecy = values.get("secrecy", Secrecy.NONE)
    if secrecy not in Secrecy.values:
        errors["secrecy"] = [_("Choose a secrecy level.")]
    elif secrecy and not str(values.get("secrecy_period", "")).strip():
        errors["secrecy_period"] = [_("A classified document states its secrecy period, e.g. 1年.")]
    classification = max(int(values.get("classification", 0) or 0), int(secrecy or 0))
    if classification > settings.MAX_CLASSIFICATION or not ClassificationLevel.objects.filter(rank=classification).exists():
        errors["secrecy" if secrecy else "classification"] = [
            _("This deployment may not hold documents at that classification; classified (涉密) documents go through 机要 channels.")]
    elif classification > clearance_of(acting_user):
        errors["classification"] = [_("You cannot draft above your own clearance.")]
    errors.update(_check_layout(values))
    code = values.get("issuer_code", "")
    if code and not IssuerCode.objects.filter(unit=unit, code=code, is_active=True).exists():
        errors["issuer_code"] = [_("%(code)s is not an issuer code of %(unit)s.") % {"code": code, "unit": unit.name}]
    return errors


def _check_layout(values: dict[str, Any]) -> dict[str, list[str]]:
    """The §10 layout, 联合行文, 命令 signatories, 纪要 attendance and the number of printed copies."""
    errors: dict[str, list[str]] = {}
    if values.get("layout", "") not in Layout.values:
        errors["layout"] = [_("Choose a layout.")]
    issuers = [line.strip() for line in str(values.get("co_issuers", "")).splitlines() if line.strip()]
    if len(issuers) > 9 or any(len(line) > 60 for line in issuers):
        errors["co_issuers"] = [_("At most 9 joint issuers, each name at most 60 characters.")]
    for line in str(values.get("signatories", "")).splitlines():
        if line.strip() and len(line.strip().rsplit(None, 1)) != 2:
            errors["signatories"] = [_("Write each line as the post, a space and the name, e.g. 局长 王建国.")]
    for line in str(values.get("attendance", "")).splitlines():
        label, colon, names = line.strip().partition("：")
        if line.strip() and (label not in ATTENDANCE_LABELS or not colon or not names.strip()):
            errors["attendance"] = [_("Start each line with 出席：, 请假： or 列席： and the names.")]
    copies = values.get("copies", 0)
    if not isinstance(copies, int) or isinstance(copies, bool) or not 0 <= copies <= MAX_COPIES:
        errors["copies"] = [_("Between 0 and %(most)s copies.") % {"most": MAX_COPIES}]
    return errors


def _recipient_units(ids: Iterable[int]) -> list[Department]:
    wanted = list(dict.fromkeys(int(pk) for pk in ids))
    units = list(Department.objects.filter(pk__in=wanted, kind=Department.Kind.UNIT, is_active=True))
    if len(units) != len(wanted):
        raise ServiceError("invalid", _("Recipients are units of the directory."), {"recipients": [_("Unknown unit.")]})
    return units


def _recipients_text(units: list[Department], text: str) -> str:
    return text.strip() or "，".join(unit.name for unit in units)


def _save_version(document: Document, author: Any, step_name: str, note: str) -> Version:
    last = document.versions.order_by("-number").first()
    return Version.objects.create(document=document, number=(last.number + 1) if last else 1, title=document.title,
                                  body=document.body, author=author, step_name=step_name, note=note[:200])


def create_draft(*, acting_user: Any, doc_type: str, title: str, body: str = "", issuer_code: str = "",
                 classification: int = 0, secrecy: int = Secrecy.NONE, secrecy_period: str = "", urgency: str = "",
                 main_recipients: Iterable[int] = (), copied_recipients: Iterable[int] = (), main_recipients_text: str = "",
                 copied_recipients_text: str = "", attachments_note: str = "", note: str = "", layout: str = "",
                 co_issuers: str = "", signatories: str = "", attendance: str = "", copies: int = 0) -> Document:
    """拟稿: a new outgoing document of the drafter's unit; an empty text starts from the 文种's template."""
    require(acting_user, DRAFT)
    unit = _unit_of(acting_user)
    values = {"doc_type": doc_type, "title": title, "classification": classification, "secrecy": secrecy,
              "secrecy_period": secrecy_period, "urgency": urgency, "issuer_code": issuer_code, "layout": layout,
              "co_issuers": co_issuers, "signatories": signatories, "attendance": attendance, "copies": copies}
    errors = _check_elements(acting_user, unit, values)
    if errors:
        raise ServiceError("invalid", _("The document is not valid."), errors)
    main, copied = _recipient_units(main_recipients), _recipient_units(copied_recipients)
    registry = Registry.objects.filter(unit=unit).first()
    with batch.atomic():
        document = Document.objects.create(
            direction=Document.Direction.OUTGOING, unit=unit, department=directory.primary_department(acting_user),
            doc_type=doc_type, title=title.strip()[:300], body=body.strip() or starters.body_for(doc_type),
            classification=max(classification, secrecy), secrecy=secrecy, secrecy_period=secrecy_period.strip()[:20],
            urgency=urgency, issuer_mark=f"{unit.name}文件", issuer_code=issuer_code, issuer_signature=unit.name,
            main_recipients_text=_recipients_text(main, main_recipients_text),
            copied_recipients_text=_recipients_text(copied, copied_recipients_text),
            attachments_note=attachments_note.strip(), note=note.strip()[:200], drafter=acting_user,
            printed_by=registry.office_name if registry else unit.name, layout=layout, co_issuers=co_issuers.strip(),
            signatories=signatories.strip(), attendance=attendance.strip(), copies=copies,
        )
        document.main_recipients.set(main)
        document.copied_recipients.set(copied)
        _save_version(document, acting_user, _("Draft"), _("First draft"))
        _index(document, new=True)
        _audit("drafted", acting_user, document, changes=audit.diff({}, {"title": document.title, "doc_type": doc_type,
                                                                         "classification": document.classification}))
    return document


def _fresh(document: Document) -> Document:
    """Callers may hold an old copy; decisions are made on the stored state."""
    return Document.objects.select_related("instance").get(pk=document.pk)


def _locked(document_id: int) -> Document:
    return Document.objects.select_for_update().get(pk=document_id)


def edit(*, acting_user: Any, document: Document, changes: dict[str, Any], note: str = "",
         main_recipients: Iterable[int] | None = None, copied_recipients: Iterable[int] | None = None) -> Document:
    """Change the title, text or elements before 签发; a change of title or text is kept as a version."""
    unknown = set(changes) - set(ELEMENT_FIELDS)
    if unknown:
        raise ServiceError("invalid", _("These fields cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    with batch.atomic():
        document = _locked(document.pk)
        require(acting_user, VIEW, document)
        if not document.is_editable:
            raise Conflict("signed", _("The document has been signed off; its text can no longer change."))
        require(acting_user, EDIT, document)
        before = {name: getattr(document, name) for name in ELEMENT_FIELDS}
        values = {**before, **{name: (value.strip() if isinstance(value, str) else value) for name, value in changes.items()}}
        errors = _check_elements(acting_user, document.unit, values)
        if errors:
            raise ServiceError("invalid", _("The document is not valid."), errors)
        for name, value in values.items():
            setattr(document, name, value)
        document.classification = max(int(values["classification"]), int(values["secrecy"]))
        if main_recipients is not None:
            units = _recipient_units(main_recipients)
            document.main_recipients.set(units)
            document.main_recipients_text = _recipients_text(units, str(changes.get("main_recipients_text", "")))
        if copied_recipients is not None:
            units = _recipient_units(copied_recipients)
            document.copied_recipients.set(units)
            document.copied_recipients_text = _recipients_text(units, str(changes.get("copied_recipients_text", "")))
        document.updated_at = timezone.now()
        document.save()
        changed = audit.diff(before, {name: getattr(document, name) for name in ELEMENT_FIELDS})
        if "title" in changed or "body" in changed:
            step = document.instance.current_steps if document.instance else _("Draft")
            _save_version(document, acting_user, step, note or _("Text edited"))
        _index(document)
        changed.pop("body", None)  # the versions keep the text; the audit names that it changed
        _audit("edited", acting_user, document, detail=note, changes=changed)
    return document


def submit(*, acting_user: Any, document: Document, countersign_departments: Iterable[int] = (), signer: str,
           comment: str = "") -> Document:
    """Send the draft into 发文: 核稿 by the department head, 会签 by the named departments' heads
    in parallel, 签发 by ``signer``, then the unit's registry (复核, 登记, 印制, 核发)."""
    require(acting_user, VIEW, document)
    registry = _registry(document.unit)
    # A department hidden from the drafter (confidential) is as unknown to them as one that does not exist.
    departments = list(hide_departments(viewer_of(acting_user),
                                        Department.objects.filter(pk__in=list(countersign_departments), is_active=True)))
    countersigners = [head for department in departments for head in directory.heads_of(department)]
    if len(departments) != len(set(countersign_departments)) or any(not directory.heads_of(d) for d in departments):
        raise ServiceError("invalid", _("Each countersigning department needs a head."),
                           {"countersign": [_("Unknown department or no head.")]})
    signing = get_user_model().objects.filter(username=signer, is_active=True).first()
    if signing is None:
        raise ServiceError("invalid", _("Choose who signs the document off."), {"signer": [_("No active person.")]})
    if signing.clearance < document.classification:
        raise ServiceError("invalid", _("The signer may not read a document at this classification."),
                           {"signer": [_("Clearance too low.")]})
    with batch.atomic():
        document = _locked(document.pk)
        if document.state != Document.State.DRAFT or document.direction != Document.Direction.OUTGOING:
            raise Conflict("not_draft", _("Only a draft can be submitted."))
        require(acting_user, EDIT, document)
        instance = workflow.start(
            acting_user=acting_user, key=OUTGOING, title=document.title, classification=document.classification,
            subject=document.subject, comment=comment,
            data={"countersigners": [p.username for p in countersigners if p.pk != acting_user.pk],
                  "signer": [signing.username], "clerks": _names(registry.clerks.filter(is_active=True))},
        )
        document.instance, document.state, document.updated_at = instance, Document.State.IN_PROGRESS, timezone.now()
        document.save(update_fields=["instance", "state", "updated_at"])
        _audit("submitted", acting_user, document, detail=comment)
    return document


def _require_owner(acting_user: Any, document: Document) -> None:
    """The drafter and the unit's registry answer for an outgoing document (cancel it, chase its recipients)."""
    if document.drafter_id != acting_user.pk and not is_clerk(acting_user, document.unit_id):
        raise PermissionDenied(EDIT)


def decide(*, acting_user: Any, document: Document, item_id: int, approve: bool, comment: str = "",
           data: dict[str, Any] | None = None) -> Document:
    """Approve or reject one's step of the document's process (what a step means is in its ``Step`` handler).

    The step is looked for in the process the caller's copy names: a stale copy finds no such task, never a wrong one.
    """
    if document.instance_id is None or not is_visible(acting_user, document):
        require(acting_user, VIEW, document)
        raise NotFound("not_found", _("There is no such task on this document."))
    try:
        if approve:
            workflow.approve(acting_user=acting_user, item_id=item_id, comment=comment, data=data, within=document.instance_id)
        else:
            workflow.reject(acting_user=acting_user, item_id=item_id, comment=comment, within=document.instance_id)
    except PermissionDenied:
        # Not the step's holder: one who may not read the document is told it is not there, not that it is not theirs.
        require(acting_user, VIEW, document)
        raise
    document.refresh_from_db()
    return document


def instruct(*, acting_user: Any, document: Document, item_id: int, text: str, ink: str = "",
             handling_departments: Iterable[int], lead_department: int) -> Document:
    """批办: the leader's instruction (text and pen strokes) naming the departments that handle it and the lead (主办)."""
    if not text.strip():
        raise ServiceError("invalid", _("Write the instruction."), {"text": [_("This field is required.")]})
    if len(ink) > 200_000 or not INK.match(ink):
        raise ServiceError("invalid", _("The handwriting could not be read."), {"ink": [_("Not valid pen strokes.")]})
    ids = list(dict.fromkeys([int(lead_department), *map(int, handling_departments)]))
    departments = {d.pk: d for d in Department.objects.filter(pk__in=ids, is_active=True)}
    heads = {pk: directory.heads_of(department) for pk, department in departments.items()}
    if len(departments) != len(ids) or not all(heads.values()):
        raise ServiceError("invalid", _("Each handling department needs a head."), {"departments": [_("Unknown department or no head.")]})
    handlers = _names(head for pk in ids for head in heads[pk])
    if not WorkItem.objects.filter(pk=item_id, instance_id=document.instance_id, assignee=acting_user).exists():
        # Refused before anything is written; one who may not read the document is told it is not there.
        require(acting_user, VIEW, document)
        raise PermissionDenied(EDIT)
    with batch.atomic():
        # The step first: a task no longer open refuses the instruction before it is kept.
        decide(acting_user=acting_user, document=document, item_id=item_id, approve=True, comment=text.strip(),
               data={"handlers": handlers, "lead_handler": _names(heads[int(lead_department)])[:1]})
        Instruction.objects.create(document=document, author=acting_user, text=text.strip(), ink=ink)
        Document.objects.filter(pk=document.pk).update(lead_department=departments[int(lead_department)])
    return _fresh(document)


# --- What each step means for the document (called by the workflow, inside its transaction) ------


def _signed_off(document: Document, acting_user: Any) -> None:
    document.state, document.signed_at = Document.State.SIGNED, timezone.now()
    document.signers = acting_user.get_full_name() if acting_user is not None else ""
    document.written_on = timezone.localdate()
    _save_version(document, acting_user, _("Sign-off"), _("Text as signed off"))


def _registered(document: Document, acting_user: Any) -> None:
    if not document.issuer_code:
        raise ServiceError("invalid", _("Choose the issuer code (机关代字) before registering."),
                           {"issuer_code": [_("This field is required.")]})
    record = numbering.take(code=document.issuer_code, document=document, acting_user=acting_user)
    document.number_year, document.number_sequence = record.year, record.sequence
    document.number = NUMBER_FORMAT.format(code=record.code, year=record.year, sequence=record.sequence)
    document.state = Document.State.REGISTERED
    if document.secrecy and not document.copies:
        document.copies = 1
    _audit("numbered", acting_user, document, detail=document.number)


def _back_to_draft(document: Document, acting_user: Any, comment: str) -> None:
    """A rejected 发文 returns to its drafter; a number it took is voided in the register, with the reason."""
    if document.number:
        numbering.void(document=document, reason=comment or _("The document was sent back."))
        document.number, document.number_year, document.number_sequence = "", None, None
    document.state, document.instance, document.signed_at, document.signers = Document.State.DRAFT, None, None, ""


def _number_voided(document: Document, comment: str) -> None:
    """登记 taken again: the number goes back to the register, voided with the reason."""
    if document.number:
        numbering.void(document=document, reason=comment or _("The document was sent back."))
        document.number, document.number_year, document.number_sequence = "", None, None
        document.state = Document.State.SIGNED


def _text_reopened(document: Document) -> None:
    """签发 taken again: the text may change again, and a substantive change is signed off again."""
    document.state, document.signed_at, document.signers, document.written_on = Document.State.IN_PROGRESS, None, "", None


def _closed(document: Document, comment: str) -> None:
    document.state, document.closed_at, document.reply = Document.State.CLOSED, timezone.now(), comment
    delivery = Delivery.objects.filter(incoming=document).select_related("document").first()
    if delivery is not None:
        sender = delivery.document
        _tell(sender.drafter, _("Reply to %(title)s") % {"title": sender.title}, f"{document.unit.name}: {comment}", link(sender))


def _sent_back(document: Document, comment: str) -> None:
    document.state = Document.State.SENT_BACK
    delivery = Delivery.objects.filter(incoming=document).select_related("document").first()
    if delivery is not None:
        delivery.state, delivery.reason = Delivery.State.SENT_BACK, comment[:500]
        delivery.save(update_fields=["state", "reason"])
        sender = delivery.document
        _tell(sender.drafter, _("Sent back: %(title)s") % {"title": sender.title}, f"{document.unit.name}: {comment}", link(sender))


def _registered_incoming(document: Document, acting_user: Any) -> None:
    registry = _registry(document.unit)
    record = numbering.take(code=f"{registry.incoming_code}@{document.unit_id}", document=document, acting_user=acting_user)
    document.register_number = NUMBER_FORMAT.format(code=registry.incoming_code, year=record.year, sequence=record.sequence)
    due = calendar.add_working_days(timezone.localdate(), registry.handling_days)
    document.handling_due = calendar.end_of_day(due.day)


def step_taken(event: StepEvent, outcome: str, change: Callable[[Document], None]) -> None:
    """What a step of its process did to the document (``steps``): changed, saved, re-indexed when
    its numbers changed, and audited, inside the deciding transaction."""
    document = Document.objects.select_for_update().filter(instance=event.instance).first()
    if document is None:
        return
    indexed = (document.number, document.register_number)
    fields = [field.attname for field in Document._meta.concrete_fields if not field.primary_key]
    before = [getattr(document, name) for name in fields]
    change(document)
    document.updated_at = timezone.now()
    document.save(update_fields=[name for name, old in zip(fields, before, strict=True) if getattr(document, name) != old])
    if (document.number, document.register_number) != indexed:  # the text itself only changes through edit
        _index(document)
    _audit(f"step.{event.step_id}", event.acting_user, document, detail=f"{outcome}: {event.comment}")


class Outgoing(Step):
    """发文 rejected at any step: back to its drafter, a number it took voided."""

    def rejected(self, event: StepEvent) -> None:
        step_taken(event, "rejected", lambda document: _back_to_draft(document, event.acting_user, event.comment))


class SignOff(Step):
    """签发 freezes the text as signed; taken again, the text reopens."""

    def approved(self, event: StepEvent) -> None:
        step_taken(event, "approved", lambda document: _signed_off(document, event.acting_user))

    def undone(self, event: StepEvent) -> None:
        step_taken(event, "undone", _text_reopened)


class Register(Step):
    """登记 takes the 发文字号; taken again, the number is voided."""

    def approved(self, event: StepEvent) -> None:
        step_taken(event, "approved", lambda document: _registered(document, event.acting_user))

    def undone(self, event: StepEvent) -> None:
        step_taken(event, "undone", lambda document: _number_voided(document, event.comment))


class Print(Step):
    def approved(self, event: StepEvent) -> None:
        step_taken(event, "approved", lambda document: setattr(document, "printed_on", timezone.localdate()))


class Dispatch(Step):
    """核发 sends a copy to each recipient unit's registry."""

    def approved(self, event: StepEvent) -> None:
        step_taken(event, "approved", lambda document: _dispatch(document, event.acting_user))


class Incoming(Step):
    """收文 rejected at 初审: sent back to the sender."""

    def rejected(self, event: StepEvent) -> None:
        step_taken(event, "rejected", lambda document: _sent_back(document, event.comment))


class RegisterIncoming(Step):
    """登记 of 收文: the 收文编号 and the handling deadline."""

    def approved(self, event: StepEvent) -> None:
        step_taken(event, "approved", lambda document: _registered_incoming(document, event.acting_user))


class Close(Step):
    """办结: closed, and the reply goes back to the sender."""

    def approved(self, event: StepEvent) -> None:
        step_taken(event, "approved", lambda document: _closed(document, event.comment))


# --- Exchange (公文交换): dispatch, 签收, reminders -------------------------------------------------

COPIED_FIELDS = ("doc_type", "title", "body", "classification", "secrecy", "secrecy_period", "urgency", "issuer_mark", "number",
                 "signers", "main_recipients_text", "copied_recipients_text", "attachments_note", "issuer_signature", "written_on",
                 "sealed", "note", "printed_by", "printed_on", "layout", "co_issuers", "signatories", "attendance")


def _tell(people: Any, title: str, body: str, target: str) -> None:
    """Notify the active ones among ``people``; a drafter who has since left must not block the step."""
    active = [person for person in (people if isinstance(people, list) else [people]) if person.is_active]
    if active:
        notices.notify(sender=None, to=active, title=title, body=body, link=target, category=NOTICE_CATEGORY, app="documents")


def _dispatch(document: Document, acting_user: Any) -> None:
    """核发: one incoming copy per recipient unit, in its registry's 签收 list."""
    now = timezone.now()
    document.state, document.dispatched_at = Document.State.DISPATCHED, now
    recipients = [(unit, Delivery.Kind.MAIN) for unit in document.main_recipients.all()]
    recipients += [(unit, Delivery.Kind.COPY) for unit in document.copied_recipients.exclude(
        pk__in=[unit.pk for unit, _kind in recipients])]
    attachments = list(document.attachments.all())
    for unit, kind in recipients:
        incoming = Document.objects.create(
            direction=Document.Direction.INCOMING, unit=unit, state=Document.State.AWAITING_RECEIPT, source=document,
            sender_name=document.unit.name, drafter=acting_user, **{name: getattr(document, name) for name in COPIED_FIELDS})
        for attachment in attachments:
            incoming.attachments.create(file_id=attachment.file_id, purpose=attachment.purpose, order=attachment.order)
        Delivery.objects.create(document=document, unit=unit, kind=kind, incoming=incoming, sent_at=now)
        _index(incoming, new=True)
    # The registry clerks' 签收 to-dos; each arrives as a notice too, offering 签收 in place.
    _mirror_deliveries(document.pk)


def _mirror_deliveries(document_id: int) -> None:
    from zhengtong.apps.documents.todos import put_deliveries

    put_deliveries(document_id)


def _start_incoming(acting_user: Any, document: Document, registry: Registry) -> None:
    instance = workflow.start(acting_user=acting_user, key=INCOMING, title=document.title, classification=document.classification,
                              subject=document.subject, data={"clerks": _names(registry.clerks.filter(is_active=True))})
    document.instance, document.state, document.received_at = instance, Document.State.HANDLING, timezone.now()


def receive(*, acting_user: Any, delivery: Delivery) -> Document:
    """签收 for one's unit: the time is noted and 收文 begins with 登记."""
    with batch.atomic():
        Delivery.objects.select_for_update().filter(pk=delivery.pk).values_list("pk", flat=True).get()  # the row alone
        delivery = Delivery.objects.select_related("incoming", "unit").get(pk=delivery.pk)
        document = delivery.incoming
        require(acting_user, VIEW, document)
        require(acting_user, REGISTRY, delivery.unit)
        if delivery.state != Delivery.State.SENT:
            raise Conflict("received", _("This document has already been signed for."))
        delivery.state, delivery.received_at, delivery.received_by = Delivery.State.RECEIVED, timezone.now(), acting_user
        delivery.save(update_fields=["state", "received_at", "received_by"])
        _start_incoming(acting_user, document, _registry(delivery.unit))
        document.save()
        _audit("received", acting_user, document, detail=f"{delivery.unit.name} ← {document.sender_name}")
        _mirror_deliveries(delivery.document_id)
    return document


def remind_recipients(*, acting_user: Any, document: Document) -> list[Delivery]:
    """Remind the registries that have not signed for a dispatched document; at most once per reminder window."""
    document = _fresh(document)
    require(acting_user, VIEW, document)
    _require_owner(acting_user, document)
    window = timedelta(minutes=settings.WORKFLOW_REMIND_MINUTES)
    now = timezone.now()
    with batch.atomic():
        pending = list(Delivery.objects.select_for_update().filter(document=document, state=Delivery.State.SENT))
        if not pending:
            raise Conflict("all_received", _("Every recipient has signed for it."))
        if any(d.last_reminded_at and d.last_reminded_at > now - window for d in pending):
            raise Conflict("too_soon", _("They were reminded recently; try again later."))
        Delivery.objects.filter(pk__in=[d.pk for d in pending]).update(last_reminded_at=now)
        for delivery in pending:
            _tell(clerks_of(delivery.unit), _("Reminder: sign for %(title)s") % {"title": document.title}, document.unit.name,
                  link(delivery.incoming))
        _audit("recipients_reminded", acting_user, document, detail=", ".join(d.unit.name for d in pending))
    return pending


def register_by_hand(*, acting_user: Any, doc_type: str, title: str, sender_name: str, number: str = "", body: str = "",
                     classification: int = 0, secrecy: int = Secrecy.NONE, secrecy_period: str = "", urgency: str = "",
                     scan: Any = None) -> Document:
    """A paper or outside-system document: the registry enters it (scan + metadata) and 收文 begins."""
    unit = _unit_of(acting_user)
    require(acting_user, REGISTRY, unit)
    registry = _registry(unit)
    values = {"doc_type": doc_type, "title": title, "classification": classification, "secrecy": secrecy,
              "secrecy_period": secrecy_period, "urgency": urgency}
    errors = _check_elements(acting_user, unit, values)
    if not sender_name.strip():
        errors["sender_name"] = [_("Say who sent it.")]
    if errors:
        raise ServiceError("invalid", _("The document is not valid."), errors)
    with batch.atomic():
        document = Document.objects.create(
            direction=Document.Direction.INCOMING, unit=unit, doc_type=doc_type, title=title.strip()[:300], body=body.strip(),
            classification=max(classification, secrecy), secrecy=secrecy, secrecy_period=secrecy_period.strip()[:20],
            urgency=urgency, issuer_mark=sender_name.strip()[:100], number=number.strip()[:60], sender_name=sender_name.strip()[:200],
            drafter=acting_user)
        if scan is not None:
            add_attachment(acting_user=acting_user, document=document, upload=scan, purpose="scan")
        _start_incoming(acting_user, document, registry)
        document.save()
        _index(document, new=True)
        _audit("registered_by_hand", acting_user, document, detail=f"{sender_name} {number}")
    return document


# --- Circulation, reminders, attachments ---------------------------------------------------------


def circulate(*, acting_user: Any, document: Document, usernames: list[str], comment: str = "") -> None:
    """传阅: each reader gets it to read, with a read receipt."""
    document = _fresh(document)
    require(acting_user, VIEW, document)
    if document.instance_id is None:
        raise Conflict("no_process", _("Only a document being handled can be circulated."))
    workflow.copy(acting_user=acting_user, instance_id=document.instance_id, usernames=usernames, circulate=True, comment=comment)


def mark_read(*, acting_user: Any, document: Document) -> None:
    """Opening the document reads one's 传阅 copy; the registry reading it outside its process has no copy to mark."""
    document = _fresh(document)
    if document.instance is not None and can(acting_user, VIEW_PROCESS, document.instance):
        workflow.mark_read(acting_user=acting_user, instance_id=document.instance.pk)


def remind_handlers(*, acting_user: Any, document: Document, comment: str = "") -> int:
    """催办: remind whoever the document is waiting for."""
    document = _fresh(document)
    require(acting_user, VIEW, document)
    if document.instance_id is None:
        raise Conflict("no_process", _("Nobody is working on this document."))
    return len(workflow.remind(acting_user=acting_user, instance_id=document.instance_id, comment=comment))


ATTACHMENT_KINDS = ("pdf", "ofd", "docx", "xlsx", "png", "jpeg", "tiff", "txt", "zip")


def add_attachment(*, acting_user: Any, document: Document, upload: Any, purpose: str = "attachment") -> Any:
    document = _fresh(document)
    require(acting_user, VIEW, document)
    if purpose == "attachment":
        if not document.is_editable:
            raise Conflict("signed", _("The document has been signed off; its attachments can no longer change."))
        # An attachment is part of the document: who may change its text may attach, not everyone who reads it.
        require(acting_user, EDIT, document)
    with batch.atomic():
        stored = files.store(acting_user=acting_user, upload=upload, owner=document.subject, allowed_kinds=ATTACHMENT_KINDS)
        order = document.attachments.count()
        attachment = document.attachments.create(file=stored, purpose=purpose, order=order)
        _audit("attachment_added", acting_user, document, detail=stored.name)
    return attachment


def cancel(*, acting_user: Any, document: Document, reason: str) -> Document:
    """The drafter abandons a 发文 that was not dispatched; a number it held is voided with the reason."""
    require(acting_user, VIEW, document)
    if not reason.strip():
        raise ServiceError("invalid", _("Say why the document is cancelled."), {"reason": [_("This field is required.")]})
    with batch.atomic():
        document = _locked(document.pk)
        _require_owner(acting_user, document)
        if document.direction != Document.Direction.OUTGOING or document.state in (Document.State.DISPATCHED, Document.State.CANCELLED):
            raise Conflict("dispatched", _("A dispatched or cancelled document cannot be cancelled."))
        if document.instance is not None and document.instance.state == ProcessInstance.State.RUNNING:
            workflow.cancel(acting_user=acting_user, instance_id=document.instance.pk, comment=reason)
        if document.number:
            numbering.void(document=document, reason=reason)
            document.number, document.number_year, document.number_sequence = "", None, None
        document.state, document.updated_at = Document.State.CANCELLED, timezone.now()
        document.save()
        _audit("cancelled", acting_user, document, detail=reason)
    return document


def secrecy_mark(document: Document) -> str:
    """The 密级和保密期限 line, e.g. 秘密★1年."""
    mark = SECRECY_MARKS.get(Secrecy(document.secrecy)) if document.secrecy else ""
    return f"{mark}★{document.secrecy_period}" if mark and document.secrecy_period else (mark or "")


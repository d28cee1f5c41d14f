"""Workflow pages: to-do tabs, starting a process, one process with its actions, 委托, administration.

Thin: every change is a call to ``services``; a refused request re-renders the page with the
service's message on the form that was sent, and nothing has changed.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST
from lxml import etree

from zhengtong.errors import ServiceError
from zhengtong.platform.access.models import ClassificationLevel
from zhengtong.platform.access.policy import can, clearance_of, require
from zhengtong.platform.workflow import diagram, queries, services
from zhengtong.platform.workflow.assignment import MANAGE
from zhengtong.platform.workflow.definitions import ParsedProcess, parsed
from zhengtong.platform.workflow.forms_web import (
    CommentForm,
    CopyForm,
    DecideForm,
    DelegationForm,
    HandBackForm,
    InstanceFilterForm,
    PersonForm,
    ProcessForm,
    RequiredCommentForm,
    ReturnForm,
    SignersForm,
    StartForm,
    UploadForm,
)
from zhengtong.platform.workflow.models import Action, ProcessDefinition, ProcessInstance, StandingDelegation, WorkItem
from zhengtong.platform.workflow.operations import available_operations
from zhengtong.platform.workflow.rules import START, VIEW

PER_PAGE = 20
# In the trace a decision reads as what the person said (同意 / 不同意), not as the state it led to.
KIND_LABELS: dict[str, Any] = {Action.Kind.APPROVE: pgettext_lazy("workflow action", "Approve"),
                               Action.Kind.REJECT: pgettext_lazy("workflow action", "Disapprove")}
OPEN_STATES = (WorkItem.State.OPEN, WorkItem.State.WAITING, WorkItem.State.DELEGATED)
TAB_LABELS = {"todo": gettext_lazy("To do"), "done": gettext_lazy("Done"), "started": gettext_lazy("Started by me"),
              "copied": gettext_lazy("Copied to me")}


def _page(request: HttpRequest, items: QuerySet[Any]) -> Page[Any]:
    return Paginator(items, PER_PAGE).get_page(request.GET.get("page"))


def _due(item: WorkItem, now: Any) -> str:
    """``red`` when overdue, ``yellow`` from the warning time, else empty."""
    if item.due_at and item.due_at <= now:
        return "red"
    if item.warn_at and item.warn_at <= now:
        return "yellow"
    return ""


def _names(usernames: set[str]) -> dict[str, str]:
    return {user.username: user.get_full_name() for user in get_user_model().objects.filter(username__in=usernames)}


def _apply_error(form: forms.Form, exc: ServiceError) -> None:
    """The service's message on the form, and its field errors on the fields they name."""
    form.add_error(None, exc.message)
    for name, errors in exc.fields.items():
        target = name if name in form.fields else {"to": "people", "step": "step"}.get(name, "")
        if target in form.fields and target not in form.errors:
            problems = errors if isinstance(errors, list) else [errors]
            form.add_error(target, [str(problem) for problem in problems])


# --- To-do tabs and starting -------------------------------------------------------------------


@login_required
def todo_list(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "todo")
    if tab not in queries.TABS:
        tab = "todo"
    counts = queries.counts(request.user)
    now = timezone.now()
    source: QuerySet[Any] = {"todo": queries.todo, "done": queries.done, "started": queries.started,
                             "copied": queries.copied}[tab](request.user)
    page = _page(request, source)
    rows = [{"object": row, "due": _due(row, now) if isinstance(row, WorkItem) else ""} for row in page]
    tabs = [{"key": key, "label": TAB_LABELS[key], "count": counts.get(key)} for key in queries.TABS]
    return render(request, "workflow/todo.html", {"tab": tab, "tabs": tabs, "page": page, "rows": rows,
                                                  "may_start": can(request.user, START)})


@login_required
def start_list(request: HttpRequest) -> HttpResponse:
    return render(request, "workflow/start_list.html", {"definitions": queries.startable(request.user)})


def _start_specs(definition: ProcessDefinition, process: ParsedProcess) -> list[dict[str, Any]]:
    """The fields the initiator fills in when starting (as ``services.start`` accepts them)."""
    first = process.steps[process.order[0]]
    if first.assignee != "initiator":
        return list(definition.form)
    return [spec for spec in definition.form if first.field_access(spec["name"]) == "edit"]


def _levels(user: Any) -> list[tuple[int, str]]:
    top = min(clearance_of(user), settings.MAX_CLASSIFICATION)
    return list(ClassificationLevel.objects.filter(rank__lte=top).values_list("rank", "name")) or [(0, "—")]


@login_required
def start_form(request: HttpRequest, key: str) -> HttpResponse:
    definition = ProcessDefinition.objects.filter(key=key, is_active=True).first()
    if definition is None:
        raise Http404
    require(request.user, START, definition)
    process = parsed(definition)
    choose_next = any(step.assignee == "chosen" for step in process.steps.values())
    data = request.POST if request.method == "POST" else None
    form = StartForm(data, levels=_levels(request.user), choose_next=choose_next)
    fields = ProcessForm(data, specs=_start_specs(definition, process))
    status = 200
    if request.method == "POST":
        if form.is_valid() & fields.is_valid():
            try:
                instance = services.start(
                    acting_user=request.user, key=key, title=form.cleaned_data["title"], data=fields.values(),
                    classification=form.cleaned_data.get("classification") or 0, chosen=form.cleaned_data.get("chosen") or [],
                    comment=form.cleaned_data["comment"])
            except ServiceError as exc:
                _apply_error(form, exc)
                fields.add_service_errors(exc.fields)
                status = exc.status
            else:
                messages.success(request, _("Submitted: %(title)s.") % {"title": instance.title})
                return redirect("workflow:instance", pk=instance.pk)
        else:
            status = 400
    return render(request, "workflow/start_form.html", {"definition": definition, "form": form, "fields": fields}, status=status)


# --- One process ---------------------------------------------------------------------------------


def _visible_instance(request: HttpRequest, pk: int) -> ProcessInstance:
    """A process exists only for its participants: anyone else gets 404, not 403."""
    instance = get_object_or_404(ProcessInstance.objects.select_related("definition", "initiator"), pk=pk)
    if not can(request.user, VIEW, instance):
        raise Http404
    return instance


def _display(spec: dict[str, Any], value: Any, names: dict[str, str]) -> str:
    kind = spec["type"]
    if kind == "boolean":
        return str(_("Yes") if value else _("No"))
    if kind in ("choice", "multichoice"):
        labels = {str(c[0]): str(c[1] if len(c) > 1 else c[0]) if isinstance(c, (list, tuple)) else str(c) for c in spec.get("choices", [])}
        return "、".join(labels.get(str(v), str(v)) for v in (value if isinstance(value, list) else [value]))
    if kind in ("person", "people"):
        return "、".join(names.get(str(v), str(v)) for v in (value if isinstance(value, list) else [value]))
    if isinstance(value, float) and value.is_integer():
        return f"{int(value)}"
    return str(value)


def _shown_values(view: queries.InstanceView) -> list[dict[str, Any]]:
    people = {str(name) for spec in view.fields if spec["type"] in ("person", "people")
              for name in (view.values.get(spec["name"]) or []) if isinstance(view.values.get(spec["name"]), list)}
    people |= {str(view.values[spec["name"]]) for spec in view.fields if spec["type"] == "person" and view.values.get(spec["name"])}
    names = _names(people)
    return [{"name": spec["name"], "label": spec.get("label") or spec["name"], "type": spec["type"],
             "value": _display(spec, view.values[spec["name"]], names) if spec["name"] in view.values else ""}
            for spec in view.fields]


def _diagram(bpmn_xml: str, states: dict[str, str]) -> Any:
    """The process diagram, its view box cut to the drawn shapes (BPMN editors leave a wide margin at the origin)."""
    svg = diagram.render(bpmn_xml, states)
    try:
        root = etree.fromstring(svg.encode("utf-8"))
    except etree.XMLSyntaxError:
        return mark_safe(svg)  # noqa: S308  (diagram.render escapes every label)
    xs: list[float] = []
    ys: list[float] = []
    for node in root.iter():
        tag = etree.QName(node).localname
        if tag == "rect":
            x, y = float(node.get("x", 0)), float(node.get("y", 0))
            xs += [x, x + float(node.get("width", 0))]
            ys += [y, y + float(node.get("height", 0))]
        elif tag == "circle":
            cx, cy, r = (float(node.get(key, 0)) for key in ("cx", "cy", "r"))
            xs += [cx - r, cx + r]
            ys += [cy - r, cy + r]
        elif tag in ("polyline", "polygon") and etree.QName(node.getparent()).localname != "marker":
            for point in (node.get("points") or "").split():
                px, _sep, py = point.partition(",")
                xs.append(float(px))
                ys.append(float(py or 0))
        elif tag == "text":
            x, y = float(node.get("x", 0)), float(node.get("y", 0))
            half = 7.0 * len(node.text or "")
            xs += [x - half, x + half]
            ys += [y - 14, y + 4]
    if xs and ys:
        left, top = min(xs) - 8, min(ys) - 8
        width, height = max(xs) - left + 8, max(ys) - top + 8
        root.set("viewBox", f"{left:.0f} {top:.0f} {width:.0f} {height:.0f}")
        root.set("data-width", f"{width:.0f}")
    return mark_safe(etree.tostring(root, encoding="unicode"))  # noqa: S308  (re-serialised from diagram.render's escaped markup)


def _trace_rows(instance: ProcessInstance) -> list[dict[str, Any]]:
    """流程跟踪 rows: who, when, what, on whose behalf, to whom, the comment and the attachment."""
    actions = list(queries.trace(instance))
    people = {str(name) for a in actions for key in ("to", "from", "person") if isinstance(a.data.get(key), str) for name in [a.data[key]]}
    people |= {str(name) for a in actions for name in (a.data.get("people") or []) if a.kind != Action.Kind.REMIND}
    names = _names(people)
    steps = parsed(instance.definition).steps
    rows = []
    for action in actions:
        data, detail = action.data, ""
        if action.kind in (Action.Kind.TRANSFER, Action.Kind.DELEGATE, Action.Kind.REASSIGN) and data.get("to"):
            detail = _("to %(name)s") % {"name": names.get(data["to"], data["to"])}
        elif action.kind == Action.Kind.RETURN and data.get("to"):
            detail = _("back to %(step)s") % {"step": steps[data["to"]].name if data["to"] in steps else data["to"]}
        elif action.kind == Action.Kind.REMOVE_SIGNER and data.get("person"):
            detail = names.get(data["person"], data["person"])
        elif action.kind in (Action.Kind.ADD_SIGNER, Action.Kind.COPY, Action.Kind.CIRCULATE) and data.get("people"):
            detail = "、".join(names.get(name, name) for name in data["people"])
            if action.kind == Action.Kind.ADD_SIGNER:
                detail = (_("before me: %(names)s") if data.get("position") == "before" else _("after me: %(names)s")) % {"names": detail}
        elif action.kind == Action.Kind.COMPLETE and data.get("state"):
            detail = str(ProcessInstance.State(data["state"]).label)
        rows.append({"action": action, "detail": detail, "label": KIND_LABELS.get(action.kind) or action.get_kind_display(),
                     "file": action.attachment.name.rsplit("/", 1)[-1] if action.attachment else ""})
    return rows


def _render_instance(request: HttpRequest, instance: ProcessInstance, bound: dict[str, forms.Form] | None = None,
                     status: int = 200) -> HttpResponse:
    user: Any = request.user
    view = queries.instance_view(user, instance)
    may = available_operations(user, instance)
    process = parsed(instance.definition)
    panels: dict[str, Any] = {}
    if "claim" in may:
        panels["claim"] = True
    if "hand_back" in may:
        panels["hand_back"] = HandBackForm(prefix="hand_back")
    if "approve" in may:
        editable = [spec for spec in view.fields if spec["access"] == "edit"]
        panels["decide"] = DecideForm()
        if not any(step.assignee == "chosen" for step in process.steps.values()):
            del panels["decide"].fields["chosen"]
        panels["data"] = ProcessForm(specs=editable, values=instance.data) if editable else None
    if "return" in may:
        panels["return"] = ReturnForm(targets=may.return_targets, prefix="return")
    for code, key in (("transfer", "transfer"), ("delegate", "delegate"), ("reassign", "reassign")):
        if code in may:
            panels[key] = PersonForm(prefix=key)
    if "add_signer" in may:
        panels["signers"] = SignersForm(prefix="signers")
    for code in ("withdraw", "remind"):
        if code in may:
            panels[code] = CommentForm(prefix=code)
    for code in ("cancel", "terminate"):
        if code in may:
            panels[code] = RequiredCommentForm(prefix=code)
    panels["copy"] = CopyForm(prefix="copy")
    item, added, open_items, unread = may.item, may.added, may.open_items, "read" in may
    manager = can(user, MANAGE)
    shown = set(panels) | ({"remove"} if added else set()) | ({"read"} if unread else set())
    page_errors: list[str] = []
    for key, form in (bound or {}).items():
        if key in shown and key != "reassign":
            panels[key] = form
        else:
            page_errors += [str(error) for errors in form.errors.values() for error in errors]
    trace = _trace_rows(instance)
    states = queries.step_states(instance)
    svg = _diagram(instance.definition.bpmn_xml, states)
    current = list(WorkItem.objects.filter(instance=instance, state__in=OPEN_STATES).select_related("assignee", "principal"))
    context = {
        "instance": instance, "item": item, "values": _shown_values(view), "panels": panels, "added": added, "unread": unread,
        "trace": trace, "diagram": svg, "current": current, "open_items": open_items, "manager": manager,
        "level": dict(ClassificationLevel.objects.values_list("rank", "name")).get(instance.classification, ""),
        "now": timezone.now(), "page_errors": list(dict.fromkeys(page_errors)),
    }
    return render(request, "workflow/instance.html", context, status=status)


@login_required
def instance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_instance(request, _visible_instance(request, pk))


def _done(request: HttpRequest, instance_id: int, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("workflow:instance", pk=instance_id)


def _refused(request: HttpRequest, instance_id: int, bound: dict[str, Any], status: int) -> HttpResponse:
    instance = get_object_or_404(ProcessInstance.objects.select_related("definition", "initiator"), pk=instance_id)
    return _render_instance(request, instance, bound, status)


def _run(request: HttpRequest, instance_id: int, key: str, form: forms.Form, action: Any, message: Any,
         extra: dict[str, ProcessForm] | None = None) -> HttpResponse:
    """Validate ``form`` (and ``extra`` forms), call ``action(cleaned_data)``; redirect, or re-render with errors."""
    bound = {key: form, **(extra or {})}
    if not all([form.is_valid(), *(other.is_valid() for other in (extra or {}).values() if other is not None)]):
        return _refused(request, instance_id, bound, 400)
    try:
        action(form.cleaned_data)
    except ServiceError as exc:
        _apply_error(form, exc)
        for other in (extra or {}).values():
            if isinstance(other, ProcessForm):
                other.add_service_errors(exc.fields)
        return _refused(request, instance_id, bound, exc.status)
    return _done(request, instance_id, str(message))


@login_required
@require_POST
def item_action(request: HttpRequest, item_id: int, action: str) -> HttpResponse:
    item = get_object_or_404(WorkItem.objects.select_related("instance"), pk=item_id)
    instance = _visible_instance(request, item.instance_id)
    user, pk = request.user, instance.pk
    if action == "decide":
        reject = request.POST.get("decision") == "reject"
        decide = DecideForm(request.POST, request.FILES)
        view = queries.instance_view(user, instance)
        editable = [spec for spec in view.fields if spec["access"] == "edit"] if view.open_item and view.open_item.pk == item.pk else []
        data_form = ProcessForm(request.POST, specs=editable) if editable and not reject else None
        if reject:
            return _run(request, pk, "decide", decide, lambda d: services.reject(
                acting_user=user, item_id=item.pk, comment=d["comment"], attachment=d["attachment"]), _("Not approved."))
        return _run(request, pk, "decide", decide, lambda d: services.approve(
            acting_user=user, item_id=item.pk, comment=d["comment"], attachment=d["attachment"], chosen=d.get("chosen") or [],
            data=data_form.values() if data_form else None), _("Approved."), extra={"data": data_form} if data_form else None)
    if action == "claim":
        return _run(request, pk, "claim", forms.Form(request.POST, prefix=action),
                    lambda d: services.claim(acting_user=user, item_id=item.pk), _("Claimed: the task is yours."))
    if action == "hand_back":
        return _run(request, pk, "hand_back", HandBackForm(request.POST, request.FILES, prefix=action), lambda d: services.hand_back(
            acting_user=user, item_id=item.pk, comment=d["comment"], attachment=d["attachment"]), _("Handed back."))
    if action == "return":
        return _run(request, pk, "return", ReturnForm(request.POST, targets=services.return_targets(instance), prefix=action),
                    lambda d: services.return_to(acting_user=user, item_id=item.pk, step_id=d["step"], comment=d["comment"]),
                    _("Returned."))
    if action in ("transfer", "delegate", "reassign"):
        service = {"transfer": services.transfer, "delegate": services.delegate, "reassign": services.reassign}[action]
        message = {"transfer": _("Transferred."), "delegate": _("Delegated."), "reassign": _("Reassigned.")}[action]
        return _run(request, pk, action, PersonForm(request.POST, prefix=action),
                    lambda d: service(acting_user=user, item_id=item.pk, to=d["to"], comment=d["comment"]), message)
    if action == "signers":
        return _run(request, pk, "signers", SignersForm(request.POST, prefix=action), lambda d: services.add_signers(
            acting_user=user, item_id=item.pk, usernames=d["people"], before=d["position"] == "before", comment=d["comment"]),
            _("Signers added."))
    if action == "remove":
        return _run(request, pk, "remove", CommentForm(request.POST, prefix=action),
                    lambda d: services.remove_signer(acting_user=user, item_id=item.pk, comment=d["comment"]), _("Signer removed."))
    raise Http404


@login_required
@require_POST
def instance_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    instance = _visible_instance(request, pk)
    user = request.user
    if action == "withdraw":
        return _run(request, pk, action, CommentForm(request.POST, prefix=action),
                    lambda d: services.withdraw(acting_user=user, instance_id=pk, comment=d["comment"]), _("Withdrawn."))
    if action == "cancel":
        return _run(request, pk, action, RequiredCommentForm(request.POST, prefix=action),
                    lambda d: services.cancel(acting_user=user, instance_id=pk, comment=d["comment"]), _("The process is cancelled."))
    if action == "terminate":
        return _run(request, pk, action, RequiredCommentForm(request.POST, prefix=action),
                    lambda d: services.terminate(acting_user=user, instance_id=pk, comment=d["comment"]), _("The process is terminated."))
    if action == "remind":
        return _run(request, pk, action, CommentForm(request.POST, prefix=action),
                    lambda d: services.remind(acting_user=user, instance_id=pk, comment=d["comment"]), _("Reminder sent."))
    if action == "copy":
        return _run(request, pk, action, CopyForm(request.POST, prefix=action), lambda d: services.copy(
            acting_user=user, instance_id=pk, usernames=d["people"], circulate=d["kind"] == "circulate", comment=d["comment"]),
            _("Sent."))
    if action == "read":
        return _run(request, instance.pk, action, forms.Form(request.POST, prefix=action),
                    lambda d: services.mark_read(acting_user=user, instance_id=pk), _("Marked as read."))
    raise Http404


@login_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """An action's attachment, for those who may see the process; always downloaded, never shown inline."""
    action = get_object_or_404(Action, pk=pk)
    _visible_instance(request, action.instance_id)
    if not action.attachment:
        raise Http404
    name = action.attachment.name.rsplit("/", 1)[-1]
    return FileResponse(action.attachment.open("rb"), as_attachment=True, filename=name, content_type="application/octet-stream")


# --- Standing delegation (委托) ----------------------------------------------------------------------


@login_required
def delegations(request: HttpRequest) -> HttpResponse:
    processes = [(d.key, d.name) for d in ProcessDefinition.objects.filter(is_active=True).order_by("name")]
    form = DelegationForm(request.POST or None, processes=processes)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.delegate_while_away(acting_user=request.user, to=data["to"], starts_on=data["starts_on"],
                                             ends_on=data["ends_on"], process_keys=data["processes"], reason=data["reason"])
            except ServiceError as exc:
                _apply_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Delegation saved."))
                return redirect("workflow:delegations")
        else:
            status = 400
    given = StandingDelegation.objects.filter(principal_id=request.user.pk).select_related("delegate").order_by("-starts_on", "-id")
    received = StandingDelegation.objects.filter(delegate_id=request.user.pk, revoked_at__isnull=True,
                                                 ends_on__gte=timezone.localdate()).select_related("principal")
    names = dict(processes)
    return render(request, "workflow/delegations.html", {
        "form": form, "received": received, "today": timezone.localdate(),
        "given": [(d, "、".join(names.get(key, key) for key in d.process_keys)) for d in given]}, status=status)


@login_required
@require_POST
def delegation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = get_object_or_404(StandingDelegation, pk=pk, principal=request.user)
    services.revoke_delegation(acting_user=request.user, delegation=delegation)
    messages.success(request, _("Delegation ended."))
    return redirect("workflow:delegations")


# --- Administration (workflow.manage) -------------------------------------------------------------


@login_required
def admin_definitions(request: HttpRequest) -> HttpResponse:
    require(request.user, MANAGE)
    versions = ProcessDefinition.objects.select_related("created_by").annotate(instance_count=Count("instances")) \
        .order_by("key", "-version")
    grouped: dict[str, list[ProcessDefinition]] = {}
    for definition in versions:
        grouped.setdefault(definition.key, []).append(definition)
    return render(request, "workflow/admin/definitions.html", {"grouped": grouped})


def _assignee_text(rule: str) -> str:
    kind, _sep, argument = rule.partition(":")
    labels = {"initiator": _("the initiator"), "department_head": _("the initiator's department head"),
              "unit_leaders": _("the unit's leaders"), "chosen": _("chosen by the previous step")}
    if kind in labels:
        return str(labels[kind])
    templates = {"user": _("people: %(arg)s"), "post": _("post %(arg)s"), "role": _("role %(arg)s"), "group": _("group %(arg)s"),
                 "leader_up": _("leaders %(arg)s levels up"), "field": _("people named in field %(arg)s")}
    return str(templates.get(kind, "%(arg)s")) % {"arg": argument or rule}


@login_required
def admin_definition(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, MANAGE)
    definition = get_object_or_404(ProcessDefinition.objects.select_related("created_by"), pk=pk)
    process = parsed(definition)
    steps = [{"config": process.steps[step_id], "assignee": _assignee_text(process.steps[step_id].assignee),
              "mode": WorkItem.Mode(process.steps[step_id].mode).label} for step_id in process.order]
    svg = _diagram(definition.bpmn_xml, {})
    return render(request, "workflow/admin/definition.html", {"definition": definition, "steps": steps, "diagram": svg})


@login_required
def admin_upload(request: HttpRequest) -> HttpResponse:
    require(request.user, MANAGE)
    initial: dict[str, Any] = {}
    base = ProcessDefinition.objects.filter(key=request.GET.get("key", ""), is_active=True).first()
    if base is not None:
        initial = {"key": base.key, "name": base.name, "process_id": base.process_id,
                   "form_json": json.dumps(base.form, ensure_ascii=False, indent=2)}
    form = UploadForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                definition = services.upload_definition(acting_user=request.user, key=data["key"], name=data["name"],
                                                        process_id=data["process_id"], bpmn_xml=data["bpmn"], form=data["form_json"])
            except ServiceError as exc:
                _apply_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Stored as version %(version)d.") % {"version": definition.version})
                return redirect("workflow:admin_definition", pk=definition.pk)
        else:
            status = 400
    return render(request, "workflow/admin/upload.html", {"form": form}, status=status)


@login_required
def admin_instances(request: HttpRequest) -> HttpResponse:
    require(request.user, MANAGE)
    processes = list(dict.fromkeys((d.key, d.name) for d in ProcessDefinition.objects.order_by("name", "key")))
    states = [(str(value), str(label)) for value, label in ProcessInstance.State.choices]
    data = request.GET if request.GET else {"state": ProcessInstance.State.RUNNING}
    filters = InstanceFilterForm(data, processes=processes, states=states)
    now = timezone.now()
    instances = ProcessInstance.objects.select_related("definition", "initiator").annotate(
        overdue=Exists(WorkItem.objects.filter(instance=OuterRef("pk"), state__in=OPEN_STATES, due_at__lte=now)))
    if filters.is_valid():
        if filters.cleaned_data["process"]:
            instances = instances.filter(definition__key=filters.cleaned_data["process"])
        if filters.cleaned_data["state"]:
            instances = instances.filter(state=filters.cleaned_data["state"])
        if filters.cleaned_data["overdue"]:
            instances = instances.filter(Q(overdue=True) | Q(state=ProcessInstance.State.RUNNING, due_at__lte=now))
    query = request.GET.copy()
    query.pop("page", None)
    page = _page(request, instances.order_by("-started_at", "-id"))
    return render(request, "workflow/admin/instances.html", {"filters": filters, "page": page, "query": query.urlencode(), "now": now})

"""Process definitions: BPMN 2.0 XML, parsed by SpiffWorkflow, with our step settings.

Each user task carries its settings as SpiffWorkflow extension properties::

    <bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="assignee" value="department_head"/>
      <spiffworkflow:property name="mode" value="all"/>
      <spiffworkflow:property name="deadline" value="3wd"/>
    </spiffworkflow:properties></bpmn:extensionElements>

Built-in definitions ship as files in ``processes/`` (``<key>.bpmn`` and ``<key>.json`` with
the name and the form); administrators upload new versions. A running instance keeps the
version it started with.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from zhengtong.errors import NotFound, ServiceError
from zhengtong.platform import registry
from zhengtong.platform.prepared import Prepared
from zhengtong.platform.workdays import calendar
from zhengtong.platform.workflow.forms import validate_form_definition
from zhengtong.platform.workflow.models import ProcessDefinition

BUILTIN_DIR = Path(__file__).resolve().parent / "processes"
MODES = ("single", "all", "any", "sequential", "claim")
EMPTY_POLICIES = ("admin", "skip", "error")
OPERATIONS = ("return", "withdraw", "transfer", "delegate", "add_signer", "remove_signer", "cc", "circulate", "remind")
DEADLINE = re.compile(r"^(\d+)(wd|d|h)$")
FIELD_ACCESS = ("edit", "view", "hidden")
ASSIGNEE_RULES = ("initiator", "user", "post", "role", "group", "department_head", "unit_leaders", "leader_up", "chosen", "field")
# XML from administrators: no entities, no network, no huge trees.
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


@dataclass(frozen=True)
class StepConfig:
    """How one user task is staffed and handled."""

    step_id: str
    name: str
    assignee: str = "initiator"
    mode: str = "single"
    pass_ratio: float = 1.0
    when_empty: str = "admin"
    initiator_auto_pass: bool = False
    fields: dict[str, str] = field(default_factory=dict)
    deadline: str = ""
    warn_ratio: float = 0.8
    on_timeout: str = "remind"
    operations: tuple[str, ...] = OPERATIONS
    # What the step means to its app: a name the app's manifest maps to a ``steps.Step``.
    handler: str = ""

    def field_access(self, name: str) -> str:
        """``edit``, ``view`` or ``hidden``; unless told otherwise the initiator's own steps edit the form."""
        default = "edit" if self.assignee == "initiator" else "view"
        return self.fields.get(name, self.fields.get("*", default))


def _step_config(task_spec: Any) -> StepConfig:
    properties = dict(getattr(task_spec, "extensions", {}).get("properties", {}))
    step = task_spec.bpmn_id
    problems = []
    rule = properties.get("assignee", "initiator").partition(":")[0]
    if rule not in ASSIGNEE_RULES:
        problems.append(f"{step}: assignee rule {rule!r} is not one of {', '.join(ASSIGNEE_RULES)}")
    mode = properties.get("mode", "single")
    if mode not in MODES:
        problems.append(f"{step}: mode {mode!r} is not one of {', '.join(MODES)}")
    when_empty = properties.get("when_empty", "admin")
    if when_empty not in EMPTY_POLICIES:
        problems.append(f"{step}: when_empty {when_empty!r} is not one of {', '.join(EMPTY_POLICIES)}")
    deadline = properties.get("deadline", "")
    if deadline and not DEADLINE.match(deadline):
        problems.append(f"{step}: deadline {deadline!r} is not like 3wd, 2d or 4h")
    try:
        ratio = float(properties.get("pass_ratio", "1"))
        warn = float(properties.get("warn_ratio", "0.8"))
    except ValueError:
        problems.append(f"{step}: pass_ratio and warn_ratio are numbers between 0 and 1")
        ratio, warn = 1.0, 0.8
    try:
        fields = json.loads(properties.get("fields", "{}"))
    except json.JSONDecodeError:
        problems.append(f"{step}: fields is not JSON")
        fields = {}
    if any(value not in FIELD_ACCESS for value in fields.values()):
        problems.append(f"{step}: field access is one of {', '.join(FIELD_ACCESS)}")
    operations = tuple(op.strip() for op in properties.get("operations", ",".join(OPERATIONS)).split(",") if op.strip())
    unknown = set(operations) - set(OPERATIONS)
    if unknown:
        problems.append(f"{step}: unknown operations {', '.join(sorted(unknown))}")
    on_timeout = properties.get("on_timeout", "remind")
    if on_timeout not in ("remind", "approve", "reject"):
        problems.append(f"{step}: on_timeout is remind, approve or reject")
    if problems:
        raise ServiceError("invalid_definition", "; ".join(problems))
    return StepConfig(
        step_id=step, name=task_spec.bpmn_name or step, assignee=properties.get("assignee", "initiator"), mode=mode,
        pass_ratio=ratio, when_empty=when_empty, initiator_auto_pass=properties.get("initiator", "") == "auto_pass",
        fields=fields, deadline=deadline, warn_ratio=warn, on_timeout=on_timeout, operations=operations,
        handler=properties.get("handler", ""),
    )


@dataclass(frozen=True)
class ParsedProcess:
    spec: BpmnProcessSpec
    steps: dict[str, StepConfig]
    order: tuple[str, ...]
    # The process's own handler (rejection of any step without one of its own).
    handler: str = ""

    def handler_names(self) -> set[str]:
        return {name for name in (self.handler, *(step.handler for step in self.steps.values())) if name}


def parse(bpmn_xml: str, process_id: str) -> ParsedProcess:
    """Parse and check a definition; a problem is a ServiceError naming it."""
    try:
        document = etree.fromstring(bpmn_xml.encode("utf-8"), parser=_SAFE_XML)
        parser = SpiffBpmnParser()
        parser.add_bpmn_xml(etree.ElementTree(document), filename=f"{process_id}.bpmn")
        spec = parser.get_spec(process_id)
    except (etree.XMLSyntaxError, ValidationException, ValueError) as exc:
        raise ServiceError("invalid_definition", _("The BPMN definition is not valid: %(error)s") % {"error": exc}) from None
    steps = {}
    for task_spec in spec.task_specs.values():
        if getattr(task_spec, "manual", False):
            steps[task_spec.bpmn_id] = _step_config(task_spec)
    if not steps:
        raise ServiceError("invalid_definition", _("The process has no user task."))
    # Document order of the user tasks: the order the diagram and 退回 choices list them in.
    order = tuple(node.get("id") for node in document.iter("{*}userTask") if node.get("id") in steps)
    process = next((node for node in document.iter("{*}process") if node.get("id") == process_id), None)
    handler = next((prop.get("value", "") for prop in process.iterfind("{*}extensionElements/{*}properties/{*}property")
                    if prop.get("name") == "handler"), "") if process is not None else ""
    return ParsedProcess(spec=spec, steps=steps, order=order, handler=handler)


@lru_cache(maxsize=64)
def _parsed(definition_id: int, checksum: str) -> ParsedProcess:
    definition = ProcessDefinition.objects.get(pk=definition_id)
    return parse(definition.bpmn_xml, definition.process_id)


def parsed(definition: ProcessDefinition) -> ParsedProcess:
    """The parsed form of a stored definition; versions never change, so they are cached."""
    return _parsed(definition.pk, definition.checksum)


def checksum(bpmn_xml: str, form: list[dict[str, Any]]) -> str:
    return hashlib.sha256((bpmn_xml + json.dumps(form, sort_keys=True, ensure_ascii=False)).encode()).hexdigest()


def store_version(*, key: str, name: str, process_id: str, bpmn_xml: str, form: list[dict[str, Any]], source: str,
                  created_by: Any = None) -> ProcessDefinition:
    """Check and store a new version of ``key``; it becomes the one new instances use.

    Storing the same content as the newest version changes nothing and returns it.
    """
    process = parse(bpmn_xml, process_id)
    unknown = sorted(name for name in process.handler_names() if registry.current().step_handler(name) is None)
    if unknown:
        raise ServiceError("invalid_definition", _("No installed app handles the steps %(names)s.") % {"names": ", ".join(unknown)})
    validate_form_definition(form)
    digest = checksum(bpmn_xml, form)
    with transaction.atomic():
        latest = ProcessDefinition.objects.select_for_update().filter(key=key).order_by("-version").first()
        if latest is not None and latest.checksum == digest:
            return latest
        ProcessDefinition.objects.filter(key=key, is_active=True).update(is_active=False)
        return ProcessDefinition.objects.create(
            key=key, version=(latest.version + 1) if latest else 1, name=name, process_id=process_id, bpmn_xml=bpmn_xml,
            form=form, source=source, checksum=digest, created_by=created_by,
        )


def install_builtin(directory: Path = BUILTIN_DIR) -> list[ProcessDefinition]:
    """Store the definitions shipped in ``directory`` (a changed file becomes a new version)."""
    installed = []
    for meta_path in sorted(directory.glob("*.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        bpmn_xml = meta_path.with_suffix(".bpmn").read_text(encoding="utf-8")
        installed.append(store_version(key=meta_path.stem, name=meta["name"], process_id=meta["process_id"], bpmn_xml=bpmn_xml,
                                       form=meta.get("form", []), source=ProcessDefinition.Source.BUILTIN))
    return installed


def _active_versions(key: str) -> Any:
    return ProcessDefinition.objects.filter(key=key, is_active=True)[:1]


_active_version: Prepared[ProcessDefinition] = Prepared(_active_versions, kinds=("str",))
_active_with_revision: Prepared[ProcessDefinition] = Prepared(
    lambda key: _active_versions(key).annotate(calendar_revision=calendar.revision()), kinds=("str",))


def active(key: str, *, with_calendar_revision: bool = False) -> ProcessDefinition:
    """The version new instances of ``key`` use; with the calendar's revision for the first step's clock."""
    found = (_active_with_revision if with_calendar_revision else _active_version)(key)
    definition = found[0] if found else None
    if definition is None:
        raise NotFound("not_found", _("There is no process %(key)s.") % {"key": key})
    return definition

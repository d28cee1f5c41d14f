"""Process definitions, running instances, work items, the action log, copies, delegations.

The BPMN engine (SpiffWorkflow) decides where a process goes; these tables say who has what
to do. Work items are denormalised rows (O2OA's Task / TaskCompleted / Read), so a person's
to-do list is one indexed query, never a walk through engine state.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProcessDefinition(models.Model):
    """One version of a process. Instances keep the version they started with."""

    class Source(models.TextChoices):
        BUILTIN = "builtin", _("Built in")
        UPLOADED = "uploaded", _("Uploaded")

    key = models.SlugField(_("key"), max_length=100)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    process_id = models.CharField(_("BPMN process id"), max_length=100)
    bpmn_xml = models.TextField(_("BPMN 2.0 XML"))
    form = models.JSONField(_("form fields"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.UPLOADED)
    checksum = models.CharField(max_length=64)
    is_active = models.BooleanField(_("used for new instances"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["key", "-version"]
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="workflow_unique_definition_version")]
        verbose_name = _("process definition")
        verbose_name_plural = _("process definitions")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ProcessInstance(models.Model):
    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled by the initiator")
        TERMINATED = "terminated", _("Terminated by an administrator")

    definition = models.ForeignKey(ProcessDefinition, on_delete=models.PROTECT, related_name="instances")
    title = models.CharField(_("title"), max_length=300)
    initiator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.RUNNING, db_index=True)
    data = models.JSONField(_("form values"), default=dict, blank=True)
    engine_state = models.TextField(blank=True)
    # Drawn afresh at every save of ``engine_state``: a process keeps its engine in memory while the row's
    # version is the one it saved (a counter could repeat after a rollback or a restore; a random draw does not).
    engine_version = models.BigIntegerField(default=0)
    classification = models.PositiveSmallIntegerField(_("classification"), default=0)
    # The business object this process is about, e.g. "documents.document:12" (apps keep their own tables).
    subject = models.CharField(_("subject"), max_length=100, blank=True, db_index=True)
    current_steps = models.CharField(_("current steps"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["initiator", "-started_at"]), models.Index(fields=["state", "-started_at"])]
        verbose_name = _("process instance")
        verbose_name_plural = _("process instances")

    def __str__(self) -> str:
        return self.title


class WorkItem(models.Model):
    """One person's part in one step: a 待办 while open, a 已办 once done."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")  # sequential signers after the current one; 加签 before me
        OPEN = "open", _("To do")
        DELEGATED = "delegated", _("Delegated")  # 委派: with the delegate until they hand it back
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Mode(models.TextChoices):
        SINGLE = "single", _("One person")
        ALL = "all", _("Countersign (all, or a pass ratio)")
        ANY = "any", _("Any one decides")
        SEQUENTIAL = "sequential", _("One after another")
        CLAIM = "claim", _("First to claim handles it")

    class Role(models.TextChoices):
        ASSIGNEE = "assignee", _("Assignee")
        BEFORE = "before", _("Added before (前加签)")
        AFTER = "after", _("Added after (后加签)")
        DELEGATE = "delegate", _("Delegate (委派)")

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned")
        TRANSFERRED = "transferred", _("Transferred")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        HANDED_BACK = "handed_back", _("Handed back")
        SKIPPED = "skipped", _("Skipped")
        TIMED_OUT = "timed_out", _("Timed out")

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="work_items")
    step_id = models.CharField(_("step"), max_length=100)
    step_name = models.CharField(_("step name"), max_length=200)
    engine_task_id = models.CharField(max_length=36, db_index=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="work_items")
    # Whose work it is when someone else holds it: 转办, 委派 and standing delegation (委托).
    principal = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices, default=Mode.SINGLE)
    sequence = models.PositiveSmallIntegerField(default=0)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.ASSIGNEE)
    # An item added before mine (前加签) or a delegate's item (委派) reopens mine when done.
    reopens = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("arrived at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # The step's clock: its terms ("3wd", "2d", "4h") from the step's start, due and yellow-card times from
    # the working-day calendar, and the next timer the worker fires (yellow card, then red card and any
    # automatic decision), so that a step's clock and timers are this row.
    deadline = models.CharField(max_length=10, blank=True)
    clock_started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    timer = models.CharField(max_length=10, choices=[("warn", _("Yellow card")), ("overdue", _("Red card and escalation"))], blank=True)
    timer_at = models.DateTimeField(null=True, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["assignee", "state", "-created_at"], name="workflow_todo_idx"),
            models.Index(fields=["assignee", "state", "-completed_at"], name="workflow_done_idx"),
            models.Index(fields=["instance", "state"]),
            models.Index(fields=["timer_at"], name="workflow_timer_idx"),
        ]
        verbose_name = _("work item")
        verbose_name_plural = _("work items")

    def __str__(self) -> str:
        return f"{self.instance} · {self.step_name} · {self.assignee}"


class Action(models.Model):
    """The typed action log: one row per thing someone (or a timer) did. 流程跟踪 reads it."""

    class Kind(models.TextChoices):
        START = "start", _("Started")
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        CLAIM = "claim", _("Claimed")
        ADD_SIGNER = "add_signer", _("Added a signer")
        REMOVE_SIGNER = "remove_signer", _("Removed a signer")
        TRANSFER = "transfer", _("Transferred")
        DELEGATE = "delegate", _("Delegated")
        DELEGATE_RETURN = "delegate_return", _("Handed back")
        RETURN = "return", _("Returned")
        WITHDRAW = "withdraw", _("Withdrew")
        CANCEL = "cancel", _("Cancelled by the initiator")
        TERMINATE = "terminate", _("Terminated")
        REMIND = "remind", _("Reminded")
        COPY = "copy", _("Copied")
        CIRCULATE = "circulate", _("Circulated")
        READ = "read", _("Read")
        REASSIGN = "reassign", _("Reassigned by an administrator")
        AUTO_PASS = "auto_pass", _("Passed automatically")
        SKIP = "skip", _("Skipped: no one to assign")
        TIMEOUT = "timeout", _("Timed out")
        ESCALATE = "escalate", _("Escalated")
        COMPLETE = "complete", _("Completed")

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="actions")
    work_item = models.ForeignKey(WorkItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(_("action"), max_length=16, choices=Kind.choices)
    step_id = models.CharField(max_length=100, blank=True)
    step_name = models.CharField(_("step"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    on_behalf_of = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    comment = models.TextField(_("comment"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to="workflow/%Y/%m/", blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return f"{self.instance} {self.kind}"


class Copy(models.Model):
    """抄送 (a copy for information) and 传阅 (circulation for reading), with read state."""

    class Kind(models.TextChoices):
        CC = "cc", _("Copy")
        CIRCULATE = "circulate", _("Circulation")

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="copies")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="workflow_copies")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CC)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["instance", "user", "kind"], name="workflow_unique_copy")]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.instance} → {self.user}"


class StandingDelegation(models.Model):
    """委托: while away, someone else receives my new work items for a date range."""

    principal = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_given")
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_received")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    process_keys = models.JSONField(_("processes"), default=list, blank=True, help_text=_("Empty: every process."))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on"]
        indexes = [models.Index(fields=["principal", "starts_on", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.principal} → {self.delegate} {self.starts_on}…{self.ends_on}"

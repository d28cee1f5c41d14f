"""The codes the workflow declares in its manifest: its permission and its notice category."""

# Process administration: definitions, stuck tasks, stopping processes.
MANAGE = "workflow.manage"
# Notices about approvals: new tasks, reminders (催办), yellow and red cards.
NOTICE_CATEGORY = "approval"

"""Signals for the owners of clocks.

``due_changed(changes)`` is sent inside the transaction that moved one or more clocks (a
calendar change, a resume, an extension), with the ``DueChange`` rows, so that an owner
(a workflow step, say) moves its own copy of the due time in the same transaction.
"""

from django.dispatch import Signal

due_changed = Signal()

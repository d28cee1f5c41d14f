"""Signals for those who keep deadlines.

``due_changed(changes)`` is sent inside the transaction that moved one or more clocks (a
calendar change, a resume, an extension), with the ``DueChange`` rows, so that an owner moves
its own copy of the due time in the same transaction.

``calendar_changed(days, years)`` is sent inside the transaction that changed working days
(``days``) or added a year's data (``years``), for deadlines kept outside ``Clock`` rows — a
workflow step's, on its work items — to be computed again.
"""

from django.dispatch import Signal

due_changed = Signal()
calendar_changed = Signal()

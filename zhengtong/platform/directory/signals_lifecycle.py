"""Signals about people's lifecycle in the organisation, for other parts of the platform.

``person_left``: a person has left (their account was disabled through
``directory.services.disable_person``). Sent once the change has committed, so a receiver
sees the disabled account and may start its own transactions, e.g. the workflow engine
handing the person's open tasks over to their department head. Arguments:

- ``sender``: ``zhengtong.platform.directory.models.Person``;
- ``user``: the person's account (``accounts.User``), already inactive;
- ``acting_user``: who disabled them (None: the system, e.g. an import);
- ``reason``: the reason given, possibly empty.

A receiver that fails does not undo the departure; it must record its own failure.
"""

from django.dispatch import Signal

person_left = Signal()

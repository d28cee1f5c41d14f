"""The only writers of the search index.

The index is derived data, rebuilt from the object whenever it changes, so these functions
neither check permissions nor write audit rows: the caller's own service has done both for
the change that made re-indexing necessary. Call them inside that service's transaction, so
the index changes (or rolls back) with the object.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from zhengtong.platform.search.models import BODY_WEIGHT, TITLE_WEIGHT, Entry, Term
from zhengtong.platform.search.tokens import tokenize

BATCH = 500


def weighted_tokens(title: str, body: str = "") -> dict[str, int]:
    """Each distinct token of the text and its weight: a title token outweighs a body one."""
    weights = dict.fromkeys(tokenize(body), BODY_WEIGHT)
    weights.update(dict.fromkeys(tokenize(title), TITLE_WEIGHT))
    return weights


def index(kind: str, object_id: int, *, title: str, body: str = "", new: bool = False) -> None:
    """Make the entry of ``kind`` #``object_id`` hold exactly the tokens of ``title`` and ``body``.

    Idempotent: only the tokens that appeared, vanished or changed weight are written. ``new``: the
    object was created in this transaction, so there is nothing indexed to compare with.
    """
    weights = weighted_tokens(title, body)
    if new:
        with transaction.atomic(savepoint=False):
            entry = Entry.objects.create(kind=kind, object_id=object_id, updated_at=timezone.now())
            Term.objects.bulk_create([Term(entry_id=entry.pk, token=token, weight=weight) for token, weight in weights.items()],
                                     batch_size=BATCH)
        return
    with transaction.atomic(savepoint=False):
        # Locks the entry (select_for_update), so two re-indexings of one object queue up.
        entry, created = Entry.objects.update_or_create(kind=kind, object_id=object_id, defaults={"updated_at": timezone.now()})
        held = {} if created else dict(entry.terms.values_list("token", "weight"))
        gone = [token for token in held if token not in weights]
        if gone:
            entry.terms.filter(token__in=gone).delete()
        for weight in {TITLE_WEIGHT, BODY_WEIGHT}:
            reweighted = [token for token, old in held.items() if token in weights and old != weight == weights[token]]
            if reweighted:
                entry.terms.filter(token__in=reweighted).update(weight=weight)
        Term.objects.bulk_create(
            [Term(entry_id=entry.pk, token=token, weight=weight) for token, weight in weights.items() if token not in held],
            batch_size=BATCH,
        )


def remove(kind: str, object_id: int) -> None:
    """Drop the object from the index (nothing happens if it was not there)."""
    with transaction.atomic():
        Entry.objects.filter(kind=kind, object_id=object_id).delete()

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from zhengtong.testing.matrix import World, build_world


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """One world for every row of a module (Django's setUpTestData): built once, rolled back at the end.

    Each row's test runs inside it in a savepoint of its own, and each persona's attempt in
    another, so every persona meets the world as built.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)

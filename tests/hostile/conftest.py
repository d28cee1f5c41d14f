from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from tests.hostile import forms
from zhengtong.testing.matrix import World, build_world


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """The permission matrix's world and what the forms act on: built once per module, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        forms.build(built)
        yield built
        transaction.set_rollback(True)

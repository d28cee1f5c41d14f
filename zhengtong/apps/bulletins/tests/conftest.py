from typing import Any

import pytest

from zhengtong.apps.bulletins.models import Bulletin


@pytest.fixture
def news(head: Any) -> dict[int, Bulletin]:
    """One item at each classification level, keyed by rank (公开 0, 内部 1, 敏感 2)."""
    return {rank: Bulletin.objects.create(title=f"动态{rank}", body="正文", author=head, classification=rank) for rank in (0, 1, 2)}

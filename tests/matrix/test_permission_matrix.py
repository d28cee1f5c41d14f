"""Every endpoint × every persona: the promised status, no leak, and a refused write changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from zhengtong.testing.matrix import Row, World, all_rows, run

ROWS = all_rows()


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_every_persona_gets_what_the_matrix_promises(world: World, row: Row, db: Any) -> None:
    problems = run(world, row)
    assert not problems, f"{row.id}:\n" + "\n".join(problems)

"""Every endpoint × every persona: the promised status, no leak, and a refused write changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync

from zhengtong.testing.matrix import PERSONAS, Row, SocketRow, World, all_rows, all_socket_rows, knock, run

ROWS = all_rows()
SOCKETS = all_socket_rows()


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_every_persona_gets_what_the_matrix_promises(world: World, row: Row, db: Any) -> None:
    problems = run(world, row)
    assert not problems, f"{row.id}:\n" + "\n".join(problems)


@pytest.mark.parametrize("row", SOCKETS, ids=[row.id for row in SOCKETS])
def test_every_persona_meets_the_socket_the_matrix_promises(world: World, row: SocketRow, db: Any, monkeypatch: Any) -> None:
    # Channels closes the connection around each database call from a socket (a server's
    # long-lived sockets must not hold stale ones); here that would end the world's transaction.
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)
    met = {persona: async_to_sync(knock)(world, row, persona) for persona in PERSONAS}
    assert met == dict(row.expect)

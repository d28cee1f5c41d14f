"""Shared test setup: the personas every test can ask for (Healthchecks' alice/bob/charlie).

- ``clerk``: an ordinary staff member (内部 clearance);
- ``head``: a department head (敏感 clearance);
- ``outsider``: staff of another unit, 公开 clearance only;
- ``sysadmin``, ``secadmin``, ``auditor``: the three administrators (三权分立).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

PASSWORD = "Zt-Test-Pass-2026!"


def pytest_configure(config: Any) -> None:
    """Adjust the already loaded settings (pytest-django imports them before any conftest runs).

    Files the tests write (demo sign-ins, keys) go to a throw-away folder, never to the
    developer's var/; Argon2 stays the hasher under test, at a cost that keeps the suite quick.
    On SQLite the test database is a file in WAL mode, as deployed: Django's default in-memory
    test database shares one cache between threads, where a reader blocks a writer outright
    ("table is locked") — something a deployment never sees, which made the real-time tests
    (a socket's reader thread beside the test's writes) fail at random.
    """
    from django.conf import settings

    settings.VAR_DIR = Path(tempfile.mkdtemp(prefix="zt-test-"))
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(settings.VAR_DIR / "test.sqlite3")
    settings.ARGON2_TIME_COST = 1
    settings.ARGON2_MEMORY_KIB = 1024
    settings.ARGON2_PARALLELISM = 1


DATABASE_FIXTURES = frozenset({"db", "transactional_db", "django_db_setup", "live_server", "django_db_reset_sequences",
                               "django_db_serialized_rollback"})


def _uses_database(item: Any) -> bool:
    if item.get_closest_marker("django_db") is not None:
        return True
    if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    from django.test import SimpleTestCase, TransactionTestCase

    case = getattr(item, "cls", None)
    return isinstance(case, type) and issubclass(case, SimpleTestCase) and issubclass(case, TransactionTestCase)


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Mark the rendering tests that use no database (pytest-django refuses them any access): they lay
    out the same paper on every engine, so CI runs them once, on SQLite, not again on PostgreSQL and MariaDB."""
    for item in items:
        if item.path.name.startswith("test_rendering_") and not _uses_database(item):
            item.add_marker(pytest.mark.paper)


def make_person(username: str, display_name: str, *, roles: tuple[str, ...] = (), clearance: int = 0) -> Any:
    from zhengtong.platform.access.models import Role
    from zhengtong.platform.access.services import assign_role
    from zhengtong.platform.accounts.services import create_user

    user = create_user(acting_user=None, username=username, display_name=display_name, password=PASSWORD,
                       clearance=clearance, must_change_password=False)
    for code in roles:
        assign_role(acting_user=None, user=user, role=Role.objects.get(code=code))
    return user


@pytest.fixture(autouse=True)
def _audit_witness(tmp_path: Path, settings: Any) -> None:
    """A witness file per test: each test's database is rolled back, a shared file would not be."""
    settings.AUDIT_WITNESS_PATH = str(tmp_path / "audit-witness.jsonl")


@pytest.fixture
def clerk(db: Any) -> Any:
    return make_person("clerk", "王小明", roles=("staff",), clearance=1)


@pytest.fixture
def head(db: Any) -> Any:
    return make_person("head", "李处长", roles=("staff",), clearance=2)


@pytest.fixture
def outsider(db: Any) -> Any:
    return make_person("outsider", "赵外单位", roles=("staff",), clearance=0)


@pytest.fixture
def sysadmin(db: Any) -> Any:
    return make_person("sysadmin", "系统管理员", roles=("system_admin",))


@pytest.fixture
def secadmin(db: Any) -> Any:
    return make_person("secadmin", "安全管理员", roles=("security_admin",))


@pytest.fixture
def auditor(db: Any) -> Any:
    return make_person("auditor", "审计管理员", roles=("audit_admin",))


@pytest.fixture
def client_for(db: Any) -> Any:
    """``client_for(user)``: a CSRF-enforcing client signed in as ``user`` (None: anonymous)."""
    from django.test import Client

    def make(user: Any = None) -> Client:
        client = Client(enforce_csrf_checks=True)
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def api_for(db: Any) -> Any:
    """``api_for(user)``: a client calling the API with a fresh bearer token of ``user``."""
    from django.test import Client

    from zhengtong.platform.accounts.services import create_token

    def make(user: Any = None, scopes: tuple[str, ...] = ("read", "write")) -> Client:
        if user is None:
            return Client()
        _token, secret = create_token(user=user, name="test", scopes=list(scopes), days=1)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make

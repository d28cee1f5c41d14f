"""A timer survives the worker being killed: after a restart it fires, exactly once.

Runs the real ``manage.py run_worker`` process against its own database, kills it with
SIGKILL before the timer is due, starts it again, and reads the result.
"""

from __future__ import annotations

import os
import signal
import subprocess  # noqa: S404  (our own manage.py)
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SETUP = """
from datetime import timedelta
from django.utils import timezone
from zhengtong.platform.access.models import Role
from zhengtong.platform.access.services import assign_role
from zhengtong.platform.accounts.services import create_user
from zhengtong.platform.workflow import services
from zhengtong.platform.workflow.models import WorkItem
from zhengtong.platform.workflow.tests.test_deadlines import timed_process
for name in ("author", "bob", "cat"):
    person = create_user(acting_user=None, username=name, display_name=name, password="Zt-Worker-Test-9!", must_change_password=False)
    assign_role(acting_user=None, user=person, role=Role.objects.get(code="staff"))
timed_process()
instance = services.start(acting_user=person.__class__.objects.get(username="author"), key="timed", title="t")
item = WorkItem.objects.get(instance=instance, state="open")
WorkItem.objects.filter(pk=item.pk).update(timer_at=timezone.now() + timedelta(seconds=4),
                                           due_at=timezone.now() + timedelta(days=30))
print("ready")
"""
STATE = """
from zhengtong.platform.workflow.models import Action, WorkItem
print(WorkItem.objects.get(state="open").timer, Action.objects.filter(kind="remind").count())
"""


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "manage.py", "run_worker", "--interval", "0.3"], cwd=ROOT, env=env,  # noqa: S603
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_timer_fires_once_after_the_worker_is_killed_and_restarted(tmp_path):
    env = {**os.environ, "ZT_VAR_DIR": str(tmp_path), "ZT_ARGON2_TIME_COST": "1", "ZT_ARGON2_MEMORY_KIB": "1024",
           "ZT_ARGON2_PARALLELISM": "1", "DJANGO_SETTINGS_MODULE": "zhengtong.settings"}
    env.pop("ZT_DATABASE_URL", None)  # its own SQLite database, whatever the suite runs on
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    assert manage(env, "shell", "-c", SETUP) == "ready"
    first = worker(env)
    time.sleep(1.5)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert manage(env, "shell", "-c", STATE) == "warn 0"
    second = worker(env)
    try:
        deadline = time.monotonic() + 30
        while manage(env, "shell", "-c", STATE) != "overdue 1":
            assert time.monotonic() < deadline, "the restarted worker did not fire the timer"
            time.sleep(0.5)
        time.sleep(1.5)  # more rounds of the worker: the timer must not fire again
        assert manage(env, "shell", "-c", STATE) == "overdue 1"
    finally:
        second.terminate()
        second.wait(timeout=10)

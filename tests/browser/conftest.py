"""A real server for the browser tests: its own database, the demo loaded, uvicorn on a free port.

The server runs as a subprocess (``manage.py serve``), so pages, API and the WebSocket are
served exactly as ``make run`` serves them. Chromium is the system's (/usr/bin/chromium).
"""

from __future__ import annotations

import os
import socket
import subprocess  # noqa: S404  (starts our own manage.py)
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
PC = {"width": 1366, "height": 768}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                reason = f"no Chromium at {CHROMIUM} (scripts/ensure-system-packages --browser installs it)"
                item.add_marker(pytest.mark.skip(reason=reason))


@dataclass
class Server:
    url: str
    logins: dict[str, str]
    env: dict[str, str]

    def staff(self) -> tuple[str, str]:
        return "zhouming", self.logins["zhouming"]

    def manage(self, *args: str) -> str:
        """Run a management command against the server's database, as another process would."""
        return _manage(self.env, *args)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True,  # noqa: S603
                          text=True, timeout=300)
    return done.stdout


@contextmanager
def running_server(var_dir: Path, prepare: Callable[[dict[str, str]], None]) -> Iterator[tuple[str, dict[str, str]]]:
    """Migrate a fresh database in ``var_dir``, let ``prepare`` fill it, serve it; yields (url, env)."""
    env = {**os.environ, "ZT_VAR_DIR": str(var_dir), "ZT_ARGON2_TIME_COST": "1", "ZT_ARGON2_MEMORY_KIB": "1024",
           "ZT_ARGON2_PARALLELISM": "1", "DJANGO_SETTINGS_MODULE": "zhengtong.settings",
           # The single sign-on tests' relying party listens on http://127.0.0.1 (tests/browser/test_sso.py).
           "ZT_SSO_ALLOW_HTTP": "true"}
    _manage(env, "migrate", "--noinput")
    prepare(env)
    port = _free_port()
    log = (var_dir / "serve.log").open("wb")
    process = subprocess.Popen([sys.executable, "manage.py", "serve", "--port", str(port)],  # noqa: S603
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/accounts/sign-in/", timeout=2)  # noqa: S310  (our own local server)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start: {(var_dir / 'serve.log').read_text()}") from None
                time.sleep(0.2)
        yield url, env
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo organisation, signed in with the passwords the demo wrote."""
    var_dir = tmp_path_factory.mktemp("zt-browser")
    with running_server(var_dir, lambda env: _manage(env, "load_demo", "--once")) as (url, env):
        text = (var_dir / "demo-logins.txt").read_text(encoding="utf-8")
        logins = {line.split()[0]: line.split()[1] for line in text.splitlines() if line.startswith("  ")}
        yield Server(url, logins, env)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Visit:
    """One browser context (a fresh device) whose console errors and page errors are collected."""

    page: Any
    server: Server
    problems: list[str] = field(default_factory=list)

    def goto(self, path: str) -> None:
        self.page.goto(self.server.url + path)

    def sign_in(self, username: str, password: str) -> None:
        self.goto("/accounts/sign-in/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()


@pytest.fixture
def visit(browser: Any, server: Server) -> Iterator[Callable[..., Visit]]:
    """``visit(viewport, language, **context options)``: a new device (``has_touch=True, is_mobile=True``: a
    touch phone); after the test, no console errors or CSP violations."""
    visits: list[Visit] = []

    def open_device(viewport: dict[str, int] = PHONE, language: str = "zh-CN", **options: Any) -> Visit:
        context = browser.new_context(viewport=viewport, locale=language, **options)
        page = context.new_page()
        current = Visit(page, server)
        page.on("console", lambda message: current.problems.append(f"{page.url}: {message.text}")
                if message.type == "error" or "Content Security Policy" in message.text else None)
        page.on("pageerror", lambda error: current.problems.append(f"{page.url}: {error}"))
        visits.append(current)
        return current

    yield open_device
    for current in visits:
        current.page.context.close()
    problems = [problem for current in visits for problem in current.problems]
    assert not problems, "console errors or CSP violations:\n" + "\n".join(problems)

"""Every zh-Hans catalogue covers every string in its code: no string shows up in English.

For each app with a catalogue, ``makemessages`` runs on a copy of the app; any message the
code has and the committed catalogue lacks comes out untranslated or fuzzy, and fails here.
"""

from __future__ import annotations

import os
import shutil
import subprocess  # noqa: S404  (gettext tools)
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = Path("locale/zh_Hans/LC_MESSAGES/django.po")
APPS = sorted(path.parents[3] for path in ROOT.glob("zhengtong/**/locale/zh_Hans/LC_MESSAGES/django.po"))
# The project catalogue covers zhengtong/*.py only; its sub-packages have their own.
PROJECT_IGNORES = ["--ignore=ui/*", "--ignore=apps/*", "--ignore=platform/*"]


def _entries_missing(po_file: Path) -> list[str]:
    missing = []
    for flag in ("--untranslated", "--only-fuzzy"):
        output = subprocess.run(["msgattrib", flag, "--no-location", str(po_file)], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
        missing += [line for line in output.splitlines() if line.startswith("msgid ") and line != 'msgid ""']
    return missing


@pytest.mark.skipif(shutil.which("msgattrib") is None, reason="needs the gettext tools")
@pytest.mark.parametrize("app", APPS, ids=[str(app.relative_to(ROOT)) for app in APPS])
def test_the_catalogue_covers_the_code(app: Path, tmp_path: Path) -> None:
    copy = tmp_path / app.name
    shutil.copytree(app, copy, ignore=shutil.ignore_patterns("tests", "migrations", "__pycache__", "*.mo", "static"))
    ignores = PROJECT_IGNORES if app == ROOT / "zhengtong" else []
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "zhengtong.settings", "PYTHONPATH": str(ROOT), "ZT_VAR_DIR": str(tmp_path / "var")}
    django_admin = Path(sys.executable).with_name("django-admin")
    subprocess.run([str(django_admin), "makemessages", "-l", "zh_Hans", "--verbosity", "0", *ignores],  # noqa: S603
                   cwd=copy, env=env, check=True, capture_output=True)
    assert _entries_missing(copy / CATALOGUE) == []

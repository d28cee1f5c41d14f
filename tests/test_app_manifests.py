"""An app plugs in through its manifest alone; two apps claiming the same thing are refused at start-up;
no app reaches into another app's modules, and the platform names no app."""

from __future__ import annotations

import ast
import json
import os
import subprocess  # noqa: S404  (runs the platform with one more app installed)
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from zhengtong.platform.registry import AppManifest, InPlaceAction, Tile
from zhengtong.platform.registry.registry import Installed, Registry

ROOT = Path(__file__).resolve().parent.parent


def test_an_app_registered_by_its_manifest_alone_appears_in_navigation_the_api_and_the_app_list(tmp_path: Path) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.inspections.settings", "ZT_VAR_DIR": str(tmp_path),
           "ZT_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PYTHONPATH": str(ROOT)}
    env.pop("ZT_REDIS_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    probe = subprocess.run([sys.executable, "tests/inspections/probe.py"], cwd=ROOT, env=env, check=True,  # noqa: S603
                           capture_output=True, text=True)
    seen = json.loads(probe.stdout.strip().splitlines()[-1])
    assert seen == {
        "apps_page": True, "page_in_shell": True, "api": ["取水口 A"], "openapi": True, "app_list": ["inspections"],
        "permission": True, "category": True, "in_place": "已确认 7", "arrival_notice": "新待办：取水口 A 现场检查",
        "job": 3,
    }


def _installed(*manifests: AppManifest) -> list[Installed]:
    return [Installed(manifest, ROOT, f"app{number}") for number, manifest in enumerate(manifests)]


@pytest.mark.parametrize(("first", "second", "claim"), [
    (AppManifest("a", "A"), AppManifest("a", "B"), "app key"),
    (AppManifest("a", "A", urls="x", url_prefix="apps/x/"), AppManifest("b", "B", urls="y", url_prefix="apps/x/"), "URL prefix"),
    (AppManifest("a", "A", api={"/x": "m:r"}), AppManifest("b", "B", api={"/x": "n:r"}), "API prefix"),
    (AppManifest("a", "A", permissions={"x.do": "X"}), AppManifest("b", "B", permissions={"x.do": "Y"}), "permission"),
    (AppManifest("a", "A", notice_categories={"x": "X"}), AppManifest("b", "B", notice_categories={"x": "Y"}), "notice category"),
    (AppManifest("a", "A", tiles=(Tile("t", "T", "u", "i", "p"),)), AppManifest("b", "B", tiles=(Tile("t", "T", "u", "i", "p"),)),
     "tile"),
    (AppManifest("a", "A", step_handlers={"h": "m:H"}), AppManifest("b", "B", step_handlers={"h": "n:H"}), "step handler"),
    (AppManifest("a", "A", subject_links={"k": "m:f"}), AppManifest("b", "B", subject_links={"k": "n:f"}), "record page"),
    (AppManifest("a", "A", jobs={"j": "m:f"}), AppManifest("b", "B", jobs={"j": "n:f"}), "background job"),
    (AppManifest("a", "A", records={"a.k": "m:f"}), AppManifest("b", "B", records={"a.k": "n:f"}), "record kind"),
    (AppManifest("a", "A", record_links={"l": "m:f"}), AppManifest("b", "B", record_links={"l": "n:f"}), "record link"),
])
def test_two_apps_claiming_one_thing_are_refused_naming_both(first: AppManifest, second: AppManifest, claim: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=claim) as refused:
        Registry(_installed(first, second))
    assert first.key in str(refused.value) or "app0" in str(refused.value)


def test_one_app_declaring_an_action_twice_is_refused() -> None:
    action = InPlaceAction("item", "approve", "同意", "m:f")
    with pytest.raises(ImproperlyConfigured, match="in-place action"):
        Registry(_installed(AppManifest("a", "A", actions=(action, action))))


def test_to_dos_filed_under_a_category_no_app_declares_are_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="notice category 'nowhere'"):
        Registry(_installed(AppManifest("a", "A", todos={"visit": "nowhere"})))


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _sources(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*.py") if "migrations" not in path.parts]


def test_no_app_imports_another_apps_modules() -> None:
    apps = sorted(path.name for path in (ROOT / "zhengtong/apps").iterdir() if (path / "apps.py").exists())
    reaching = [f"{path.relative_to(ROOT)} imports {name}" for app in apps for path in _sources(ROOT / "zhengtong/apps" / app)
                for name in _imports(path) if name.startswith("zhengtong.apps.") and name.split(".")[2] != app]
    assert reaching == []


def test_the_platform_and_the_shell_name_no_app() -> None:
    reaching = [f"{path.relative_to(ROOT)} imports {name}" for folder in ("zhengtong/platform", "zhengtong/ui")
                for path in _sources(ROOT / folder) for name in _imports(path) if name.startswith("zhengtong.apps.")]
    assert reaching == []

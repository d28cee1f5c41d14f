"""Every zh-Hans catalogue is complete, and the pages really use it."""

import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
CATALOGUES = sorted(path for path in ROOT.glob("zhengtong/**/locale/zh_Hans/LC_MESSAGES/django.po"))


def _entries(path: Path) -> list[tuple[list[str], str, list[str]]]:
    """(flags, msgid, msgstrs) for each entry but the header."""
    entries = []
    text = re.sub(r'^((?:msg|").*)\n#', r"\1\n\n#", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    for block in text.strip().split("\n\n"):
        flags = [flag.strip() for line in block.splitlines() if line.startswith("#,") for flag in line[2:].split(",")]
        if any(line.startswith("#~") for line in block.splitlines()):
            continue  # obsolete entries are not used
        parts: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                parts[key] = match.group(2)
            elif line.startswith('"') and key:
                parts[key] += line[1:-1]
        if parts.get("msgid"):
            entries.append((flags, parts["msgid"], [value for name, value in parts.items() if name.startswith("msgstr")]))
    return entries


def test_catalogues_exist() -> None:
    assert {path.relative_to(ROOT).parts[1] for path in CATALOGUES} >= {"ui", "apps", "platform", "locale"}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: str(path.relative_to(ROOT)))
def test_catalogue_is_complete(path: Path) -> None:
    entries = _entries(path)
    assert entries, f"{path} has no entries"
    fuzzy = [msgid for flags, msgid, _strs in entries if "fuzzy" in flags]
    untranslated = [msgid for _flags, msgid, strings in entries if not strings or not all(strings)]
    assert not fuzzy, f"fuzzy in {path}: {fuzzy}"
    assert not untranslated, f"untranslated in {path}: {untranslated}"


def test_pages_use_the_chinese_catalogue(client_for: Any, clerk: Any) -> None:
    client = client_for(clerk)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "工作台" in page and "通讯录" in page and "Workbench" not in page


def test_chinese_is_the_default(client_for: Any, clerk: Any) -> None:
    assert "工作台" in client_for(clerk).get("/").content.decode()


def test_language_cookie_switches_to_english(client_for: Any, clerk: Any) -> None:
    client = client_for(clerk)
    client.cookies["zt_language"] = "en"
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "Workbench" in page and "Contacts" in page and "工作台" not in page

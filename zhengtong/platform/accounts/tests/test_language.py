"""The account pages speak Simplified Chinese by default and English on request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def untranslated(entry: str) -> bool:
    lines = entry.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("msgstr") and line.endswith(' ""'):
            continued = number + 1 < len(lines) and lines[number + 1].startswith('"')
            if not continued:
                return True
    return False


def test_the_chinese_catalogue_has_a_translation_for_every_message() -> None:
    text = CATALOGUE.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]
    assert entries and [entry for entry in entries if untranslated(entry)] == []
    assert "#, fuzzy" not in text


# The catalogue is compiled by `make test` (compilemessages) before the suite runs.


def test_the_sign_in_page_is_in_chinese_by_default(client: Any) -> None:
    page = client.get("/accounts/sign-in/").content.decode()
    assert "登录" in page and "用户名" in page


def test_a_wrong_password_is_explained_in_chinese(client: Any, clerk: Any) -> None:
    page = client.post("/accounts/sign-in/", {"username": "clerk", "password": "wrong"}).content.decode()
    assert "用户名或密码不正确。" in page


def test_english_is_available(client: Any, settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    assert "Sign in" in client.get("/accounts/sign-in/").content.decode()

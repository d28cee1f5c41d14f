"""Hostile text typed into the main forms, then read back on the pages that show it, in a real
Chromium (issue 11, part 4): no dialog opens, ``window.__xss`` stays unset, no injected element
exists, and the text shows as the text it was.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PC

HOSTILE = '水务<script>window.__xss=1</script>"><img src=x onerror=window.__xss=1><svg onload=alert(1)>'

# Before any page script: a dialog sets a flag besides the dialog event (either would show it).
TRAPS = """
window.__dialogs = [];
for (const name of ["alert", "confirm", "prompt"]) {
  window[name] = (message) => { window.__dialogs.push(name + ": " + message); };
}
"""


def _unharmed(page: Any, dialogs: list[str], where: str) -> None:
    page.wait_for_load_state("load")
    assert dialogs == [], f"{where}: a dialog opened: {dialogs}"
    assert page.evaluate("window.__dialogs") == [], f"{where}: alert, confirm or prompt was called"
    assert page.evaluate("typeof window.__xss") == "undefined", f"{where}: the injected script ran"
    injected = page.evaluate("""() => document.querySelectorAll('img[src="x"], svg[onload], [onerror]').length
        + [...document.scripts].filter(script => script.textContent.includes("__xss")).length""")
    assert injected == 0, f"{where}: the hostile markup became elements"


def _submit(page: Any, field: str) -> None:
    """Send the page's POST form that holds ``field`` (the shell has other forms: sign out)."""
    form = page.locator("form[method=post]").filter(has=page.locator(f"[name={field}]")).first
    form.locator("button[type=submit]").first.click()
    page.wait_for_load_state("load")


def test_hostile_text_in_the_main_forms_is_shown_as_text_and_never_runs(visit: Any, server: Any) -> None:
    device = visit(PC)
    page = device.page
    page.context.add_init_script(TRAPS)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    # Sign-in: a wrong attempt puts the name typed back into the form.
    device.goto("/accounts/sign-in/")
    page.fill("input[name=username]", HOSTILE)
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    _unharmed(page, dialogs, "sign-in refused")
    expect(page.locator("input[name=username]")).to_have_value(HOSTILE)

    device.sign_in(*server.staff())
    expect(page).not_to_have_url(re.compile(r"/accounts/sign-in/"))

    # A personal API token's name, on the page listing the tokens.
    device.goto("/accounts/tokens/")
    page.fill("input[name=name]", HOSTILE)
    _submit(page, "name")
    _unharmed(page, dialogs, "token created")
    device.goto("/accounts/tokens/")
    _unharmed(page, dialogs, "token list")
    expect(page.get_by_text(HOSTILE).first).to_be_visible()

    # A work-news bulletin: title and text, on its page, the list and the home page's news.
    device.goto("/apps/bulletins/new/")
    page.fill("[name=title]", HOSTILE)
    page.fill("[name=body]", HOSTILE)
    _submit(page, "title")
    expect(page).not_to_have_url(re.compile(r"/new/$"))
    _unharmed(page, dialogs, "bulletin page")
    expect(page.get_by_text(HOSTILE).first).to_be_visible()
    for path in ("/apps/bulletins/", "/"):
        device.goto(path)
        _unharmed(page, dialogs, path)

    # An official document's draft: its title on its page and in the list of documents.
    device.goto("/apps/documents/new/")
    page.fill("[name=title]", HOSTILE)
    _submit(page, "title")
    expect(page).to_have_url(re.compile(r"/apps/documents/\d+/$"))
    _unharmed(page, dialogs, "document page")
    expect(page.get_by_text(HOSTILE).first).to_be_visible()
    device.goto("/apps/documents/")
    _unharmed(page, dialogs, "document list")

    # A refused form puts the text back: a bulletin without its text.
    device.goto("/apps/bulletins/new/")
    page.fill("[name=title]", HOSTILE)
    page.fill("[name=body]", "")
    page.locator("[name=body]").evaluate("element => element.removeAttribute('required')")
    _submit(page, "title")
    _unharmed(page, dialogs, "bulletin refused")
    expect(page.locator("[name=title]")).to_have_value(HOSTILE)

"""Which installed family plays each GB/T 9704 typeface role, and the operator's override."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from zhengtong.apps.documents.rendering import fonts
from zhengtong.apps.documents.rendering.layout import font_roles


def test_every_role_is_played_by_an_installed_family_from_its_list():
    roles = font_roles()
    assert set(roles) == set(fonts.ROLES)
    for role, family in roles.items():
        assert family in fonts.STANDARD_FAMILIES[role]
        assert family.casefold() in fonts.installed_families(), f"{role}: {family} is not installed"


def test_standard_fonts_come_first_and_substitutes_after():
    for role in fonts.ROLES:
        chain = fonts.family_chain(role)
        assert not chain[0].startswith("Noto")
        assert chain[-1] in (fonts.NOTO_SERIF, fonts.NOTO_SANS)


def test_heavy_substitute_for_xiaobiaosong():
    font = fonts.role_font(fonts.XIAOBIAOSONG)
    if font.family == fonts.NOTO_SERIF:
        assert font.weight == 700
        assert "Bold" in font.file


def test_operator_override_wins_when_installed(settings):
    settings.DOCUMENT_FONTS = ["heiti=Noto Serif CJK SC", "kaiti=No Such Kai Font"]
    roles = font_roles()
    assert roles["heiti"] == "Noto Serif CJK SC"
    # A family that is not installed falls through to the standard list.
    assert roles["kaiti"] in fonts.STANDARD_FAMILIES["kaiti"]
    assert fonts.preferred_family("kaiti") == "No Such Kai Font"


@pytest.mark.parametrize("entry", ["heiti", "unknown=SimHei", "heiti=", 'heiti=Evil"; }'])
def test_malformed_override_is_refused(settings, entry):
    settings.DOCUMENT_FONTS = [entry]
    with pytest.raises(ImproperlyConfigured):
        font_roles()


def test_advances_come_from_the_font():
    assert fonts.advance_em(fonts.FANGSONG, "国") == 1.0
    assert fonts.advance_em(fonts.FANGSONG, "，") == 1.0
    assert 0.3 < fonts.advance_em(fonts.FANGSONG, "2") < 0.7

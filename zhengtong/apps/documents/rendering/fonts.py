"""Which installed font plays each GB/T 9704 typeface role.

The standard names five typefaces (仿宋, 黑体, 楷体, 宋体, 小标宋). Government PCs usually have
the commercial originals; a Debian server usually has only the open Noto CJK families. Each
role therefore has a list of families, the standard's own font first and open substitutes
after it, and ``settings.DOCUMENT_FONTS`` ("fangsong=FangSong_GB2312", ...) puts an operator's
choice in front. The first family that fontconfig knows wins.
"""

from __future__ import annotations

import functools
import shutil
import subprocess  # noqa: S404 - fixed fontconfig commands, no shell, no user input
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FANGSONG = "fangsong"
HEITI = "heiti"
KAITI = "kaiti"
SONGTI = "songti"
XIAOBIAOSONG = "xiaobiaosong"
ROLES = (FANGSONG, HEITI, KAITI, SONGTI, XIAOBIAOSONG)

NOTO_SERIF = "Noto Serif CJK SC"
NOTO_SANS = "Noto Sans CJK SC"

# The standard's font (as Windows/WPS name it, Chinese and English names) first, then open
# substitutes: Noto from fonts-noto-cjk, the AR PL 楷/明 faces from fonts-arphic-ukai/-uming.
STANDARD_FAMILIES: dict[str, tuple[str, ...]] = {
    FANGSONG: ("仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", NOTO_SERIF),
    HEITI: ("黑体", "SimHei", NOTO_SANS),
    KAITI: ("楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "AR PL UKai CN", NOTO_SERIF),
    SONGTI: ("宋体", "SimSun", "AR PL UMing CN", NOTO_SERIF),
    XIAOBIAOSONG: ("方正小标宋简体", "FZXiaoBiaoSong-B05S", "方正小标宋_GBK", NOTO_SERIF),
}

# 小标宋 is a heavy 宋体; a regular-weight substitute would look like body text.
SUBSTITUTE_WEIGHTS: dict[tuple[str, str], int] = {(XIAOBIAOSONG, NOTO_SERIF): 700}


UNSAFE_NAME_CHARS = frozenset("\"';{}<>&\\")


@dataclass(frozen=True)
class RoleFont:
    role: str
    family: str
    weight: int  # CSS weight to ask for, 400 unless a substitute needs to look heavier
    file: str  # the font file fontconfig picks, for metrics ("" if unknown)
    index: int  # face index inside a .ttc collection


def _fontconfig(*args: str) -> str:
    command = shutil.which(args[0])
    if command is None:
        return ""
    result = subprocess.run([command, *args[1:]], capture_output=True, text=True, check=False, timeout=30)  # noqa: S603
    return result.stdout


@functools.cache
def installed_families() -> frozenset[str]:
    """Every family name fontconfig knows (English and localised), case-folded."""
    names: set[str] = set()
    for line in _fontconfig("fc-list", "--format", "%{family}\n").splitlines():
        names.update(name.strip().casefold() for name in line.split(",") if name.strip())
    return frozenset(names)


def _overrides() -> dict[str, list[str]]:
    chosen: dict[str, list[str]] = {}
    for item in getattr(settings, "DOCUMENT_FONTS", []):
        role, sep, family = item.partition("=")
        role, family = role.strip(), family.strip()
        # The name ends up inside CSS and DOCX XML: keep it a plain name.
        if not sep or role not in ROLES or not family or any(char in family for char in UNSAFE_NAME_CHARS):
            raise ImproperlyConfigured(f"DOCUMENT_FONTS entry {item!r} must be ROLE=FAMILY with ROLE one of {', '.join(ROLES)}")
        chosen.setdefault(role, []).append(family)
    return chosen


def family_chain(role: str) -> tuple[str, ...]:
    """The families tried for ``role``, in order: operator overrides, the standard's, substitutes."""
    return (*_overrides().get(role, []), *STANDARD_FAMILIES[role])


def preferred_family(role: str) -> str:
    """The family a document should ask for when the reader's machine does the rendering (DOCX)."""
    return family_chain(role)[0]


@functools.cache
def _resolve(role: str, chain: tuple[str, ...]) -> RoleFont:
    installed = installed_families()
    family = next((name for name in chain if name.casefold() in installed), chain[-1])
    weight = SUBSTITUTE_WEIGHTS.get((role, family), 400)
    style = ":bold" if weight >= 700 else ""
    file, _, index = _fontconfig("fc-match", "--format", "%{file}|%{index}", f"{family}{style}").partition("|")
    return RoleFont(role=role, family=family, weight=weight, file=file, index=int(index or 0))


def role_font(role: str) -> RoleFont:
    return _resolve(role, family_chain(role))


def font_roles() -> dict[str, str]:
    """Which installed family actually plays each role, e.g. {"fangsong": "Noto Serif CJK SC", ...}."""
    return {role: role_font(role).family for role in ROLES}


@functools.cache
def _advances(file: str, index: int) -> tuple[dict[int, int], float]:
    """Character → advance width in font units, and units per em, of one face."""
    from fontTools.ttLib import TTFont  # imported here: parsing a font is only needed for printing

    if not file:
        return {}, 1000.0
    font = TTFont(file, fontNumber=index, lazy=True)
    glyph_widths = font["hmtx"].metrics
    widths = {code: glyph_widths[name][0] for code, name in font.getBestCmap().items() if name in glyph_widths}
    units_per_em = float(font["head"].unitsPerEm)
    font.close()
    return widths, units_per_em


def advance_em(role: str, char: str) -> float:
    """The advance of ``char`` in the role's font, in ems (CJK ideographs and full-width marks: 1)."""
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0  # every CJK face draws these on the square em; no need to read the font
    font = role_font(role)
    widths, units_per_em = _advances(font.file, font.index)
    width = widths.get(ord(char))
    if width is not None:
        return width / units_per_em
    return 0.5  # not in the face: another font stands in; half an em is the usual narrow advance


def fontconfig_substitutes() -> str:
    """A fontconfig file that makes this server's open faces answer to the standard's names.

    A DOCX names the standard's families (仿宋_GB2312, 黑体, …); a LibreOffice on this server, asked
    for one it lacks, takes fontconfig's default face for Chinese (a sans) for every role. With
    this file (``FONTCONFIG_FILE``) each name in a role's chain resolves to the face that plays the
    role here (``role_font``), at the weight it plays it with, and everything else is as the system
    configures it.
    """
    from xml.sax.saxutils import escape

    rules = []
    for role in ROLES:
        font = role_font(role)
        for name in family_chain(role):
            if name == font.family:
                break
            weight = '<edit name="weight" mode="assign" binding="strong"><const>bold</const></edit>' if font.weight >= 700 else ""
            rules.append(
                f'  <match target="pattern"><test name="family"><string>{escape(name)}</string></test>'
                f'<edit name="family" mode="prepend" binding="strong"><string>{escape(font.family)}</string></edit>{weight}</match>'
            )
    return "\n".join(
        [
            '<?xml version="1.0"?>',
            '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
            "<fontconfig>",
            '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>',
            *rules,
            "</fontconfig>",
            "",
        ]
    )

"""Directory search: one box for names, full pinyin, initials, departments, posts and groups.

The index is ``SearchTerm``: per person in the directory (anyone with a membership), one row
per way they can be found, lower-case. It is derived data: ``index_people`` recomputes the
rows of some people and rewrites only those that changed, so it is idempotent; signals.py
calls it whenever a name, membership, department, post or group changes.

Ranks order readings and tell the tiers apart:

- ``PREFERRED`` (0): the name, its preferred reading (surnames read as surnames: 单 shan,
  曾 zeng …), username, department, post and group names;
- ``ALTERNATIVE`` (1): other readings of polyphonic characters (单 dan), so a person is
  still found by whoever reads the name the other way;
- ``INNER`` (2): the tails of the name and of its preferred pinyin (曾德明 → 德明, 明;
  deming, ming). A prefix search over tails is a "contains" search that still runs on
  the index, which is what keeps the fuzzy tier fast at 100,000 people.

A query is one or two indexed range scans per tier (``term >= q AND term < q + U+FFFF``),
ordered by the index (rank, term, sort_key), so the database stops after ``limit`` rows
whatever the size of the match.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from functools import cache, lru_cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from tqdm import tqdm

from zhengtong.platform.directory.models import Department, Group, GroupMember, Membership, Post, SearchTerm
from zhengtong.platform.directory.visibility import Viewer, hide_departments, shown_memberships, viewer_of

PREFERRED, ALTERNATIVE, INNER = 0, 1, 2
# Readings per name: every polyphonic character multiplies them, and each costs two rows.
MAX_READINGS = 8
# Chinese characters typed in a mixed query (张s) may each have several readings.
MAX_MIXED_CANDIDATES = 4
TERM_LENGTH = SearchTerm._meta.get_field("term").max_length or 100
BATCH = 1000
END = "\uffff"

# Surnames whose reading as a surname differs from the character's everyday reading.
# Compound surnames are tried first: 尉迟 is one surname, not 尉 plus a given name 迟….
COMPOUND_SURNAMES = {
    "尉迟": "yu chi", "万俟": "mo qi", "长孙": "zhang sun", "令狐": "ling hu", "澹台": "tan tai", "欧阳": "ou yang",
    "司马": "si ma", "上官": "shang guan", "诸葛": "zhu ge", "东方": "dong fang", "皇甫": "huang fu", "公孙": "gong sun",
    "慕容": "mu rong", "司徒": "si tu", "夏侯": "xia hou", "宇文": "yu wen", "轩辕": "xuan yuan", "端木": "duan mu",
    "独孤": "du gu", "南宫": "nan gong", "钟离": "zhong li", "呼延": "hu yan", "淳于": "chun yu", "赫连": "he lian",
    "申屠": "shen tu", "闻人": "wen ren", "拓跋": "tuo ba", "百里": "bai li", "东郭": "dong guo", "西门": "xi men",
    "太史": "tai shi", "濮阳": "pu yang", "公冶": "gong ye", "宗政": "zong zheng", "仲孙": "zhong sun",
}
SURNAMES = {
    "单": "shan", "曾": "zeng", "解": "xie", "区": "ou", "仇": "qiu", "查": "zha", "朴": "piao", "盖": "ge", "乐": "yue",
    "覃": "qin", "缪": "miao", "翟": "zhai", "召": "shao", "长": "chang", "重": "chong", "种": "chong", "繁": "po",
    "折": "she", "员": "yun", "秘": "bi", "句": "gou", "祭": "zhai", "能": "nai", "贲": "ben", "宓": "fu", "逄": "pang",
    "隗": "wei", "薄": "bo", "都": "du", "阚": "kan", "牟": "mu", "炅": "gui", "角": "jue",
}

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKENS = re.compile(f"[{_HAN}]|[0-9a-z]+")
_HAN_CHAR = re.compile(f"[{_HAN}]")
_LATIN = re.compile("[a-z]")
_SPACE = re.compile(r"\s+")


class Match(IntEnum):
    """How a result matched, best first."""

    EXACT = 0
    PREFIX = 1
    FUZZY = 2


@dataclass
class Result:
    """One person found: the matched term and how, and the memberships the viewer may see.

    Contact fields are not here: whoever shows a result asks ``visibility.contact_details``.
    """

    user: Any
    term: str
    kind: str
    match: Match
    memberships: list[Membership] = field(default_factory=list)


# --- Readings ------------------------------------------------------------------------------


@cache
def _pypinyin() -> Any:
    # Imported on first use: its dictionaries take 0.2 s and ~50 MB, which processes that
    # never index or search mixed queries (workers, most commands) need not pay.
    import pypinyin

    return pypinyin


@lru_cache(maxsize=32768)
def _char_readings(char: str) -> tuple[str, ...]:
    pypinyin = _pypinyin()
    found = pypinyin.pinyin(char, style=pypinyin.Style.NORMAL, heteronym=True, errors="ignore")
    return tuple(dict.fromkeys(found[0])) if found and found[0] else ()


def _phrase_readings(han: str) -> list[str]:
    """The preferred reading of each character of a run of Chinese, phrase-aware (重阳 chong yang)."""
    pypinyin = _pypinyin()
    # Segmenting costs ~50 µs a name; most given names are no phrase, and then each character's
    # first reading is the answer, from the cache.
    if len(han) > 1 and any(han[start:end] in _phrases() for start in range(len(han)) for end in range(start + 2, len(han) + 1)):
        readings = pypinyin.lazy_pinyin(han, style=pypinyin.Style.NORMAL, errors="ignore")
        if len(readings) == len(han):
            return readings
    return [(_char_readings(char) or ("",))[0] for char in han]


@cache
def _phrases() -> Any:
    return _pypinyin().constants.PHRASES_DICT


def _tokens(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """Each Chinese character (or run of letters and digits) with its readings, preferred first."""
    parts = _TOKENS.findall(text)
    han = "".join(part for part in parts if _HAN_CHAR.fullmatch(part))
    preferred = iter(_phrase_readings(han)) if han else iter(())
    tokens = []
    for part in parts:
        if _HAN_CHAR.fullmatch(part):
            readings = tuple(dict.fromkeys(reading for reading in (next(preferred), *_char_readings(part)) if reading))
            if readings:
                tokens.append((part, readings))
        else:
            tokens.append((part, (part,)))
    return tokens


@lru_cache(maxsize=65536)
def name_readings(name: str) -> tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]:
    """The readings of a person's name as syllable tuples, preferred first, and the name's characters.

    The surname (compound ones first) takes its reading as a surname; the given name its
    phrase-aware reading. Alternatives vary one character at a time before two, so the
    other reading of a polyphonic surname (单 dan) always survives the cap.
    """
    text = _SPACE.sub("", name.lower())
    surname = next((s for s in (text[:2], text[:1]) if len(text) > len(s) and s in (COMPOUND_SURNAMES if len(s) == 2 else SURNAMES)),
                   "")
    if len(surname) == 2:
        head = [(char, tuple(dict.fromkeys((reading, *_char_readings(char)))))
                for char, reading in zip(surname, COMPOUND_SURNAMES[surname].split(), strict=True)]
    elif surname:
        head = [(surname, tuple(dict.fromkeys((SURNAMES[surname], *_char_readings(surname)))))]
    else:
        head = []
    tokens = head + _tokens(text[len(surname):])
    if not tokens:
        return (), ()
    # Fewest changed characters first, and among those the earliest (the surname) first.
    choices = sorted(itertools.product(*(range(len(readings)) for _part, readings in tokens)),
                     key=lambda picks: (sum(1 for pick in picks if pick), [not pick for pick in picks], picks))[:MAX_READINGS]
    readings = tuple(tuple(tokens[i][1][pick] for i, pick in enumerate(picks)) for picks in choices)
    return readings, tuple(part for part, _readings in tokens)


def person_terms(display_name: str, username: str, places: Iterable[str], posts: Iterable[str],
                 groups: Iterable[str]) -> dict[tuple[str, str], int]:
    """The (term, kind) → rank a person is found by."""
    terms: dict[tuple[str, str], int] = {}

    def add(term: str, kind: str, rank: int) -> None:
        term = _SPACE.sub("", term.lower())[:TERM_LENGTH]
        if term and terms.get((term, kind), rank + 1) > rank:
            terms[(term, kind)] = rank

    readings, parts = name_readings(display_name)
    add(display_name, SearchTerm.Kind.NAME, PREFERRED)
    for index, syllables in enumerate(readings):
        rank = PREFERRED if index == 0 else ALTERNATIVE
        add("".join(syllables), SearchTerm.Kind.PINYIN, rank)
        add("".join(syllable[0] for syllable in syllables if syllable), SearchTerm.Kind.INITIALS, rank)
    for start in range(1, len(parts)):
        add("".join(parts[start:]), SearchTerm.Kind.NAME, INNER)
        add("".join(readings[0][start:]), SearchTerm.Kind.PINYIN, INNER)
    add(username, SearchTerm.Kind.USERNAME, PREFERRED)
    for kind, names in ((SearchTerm.Kind.DEPARTMENT, places), (SearchTerm.Kind.POST, posts), (SearchTerm.Kind.GROUP, groups)):
        for name in names:
            add(name, kind, PREFERRED)
    return terms


def sort_key(display_name: str) -> str:
    """People are listed in pinyin order of their name, as Chinese directories are."""
    readings, _parts = name_readings(display_name)
    return f"{''.join(readings[0]) if readings else ''} {display_name.lower()}"[:200]


# --- Building the index ----------------------------------------------------------------------


def _chunks(ids: list[int], size: int = BATCH) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _desired(chunk: list[int]) -> dict[int, set[tuple[str, str, int, bool, str]]]:
    users = get_user_model().objects.filter(pk__in=chunk).values_list("pk", "display_name", "username", "is_active")
    places: dict[int, list[str]] = defaultdict(list)
    posts: dict[int, list[str]] = defaultdict(list)
    groups: dict[int, list[str]] = defaultdict(list)
    for user_id, name, short_name, post in Membership.objects.filter(user_id__in=chunk).values_list(
            "user_id", "department__name", "department__short_name", "post__name"):
        places[user_id] += [name, short_name]
        if post:
            posts[user_id].append(post)
    for user_id, name in GroupMember.objects.filter(user_id__in=chunk, group__is_active=True).values_list("user_id", "group__name"):
        groups[user_id].append(name)
    desired = {}
    for pk, display_name, username, is_active in users:
        if pk not in places:  # only people placed in the organisation are in the directory
            continue
        key = sort_key(display_name)
        desired[pk] = {(term, kind, rank, is_active, key) for (term, kind), rank in
                       person_terms(display_name, username, places[pk], posts[pk], groups[pk]).items()}
    return desired


def _insert(rows: list[tuple[int, str, str, int, bool, str]]) -> None:
    """Insert index rows without building model instances: 100,000 people make a million rows,
    and Django's bulk_create spends most of its time on the instances, not in the database."""
    table = SearchTerm._meta.db_table
    columns = ("user_id", "term", "kind", "rank", "is_active", "sort_key")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
        else:
            names = ", ".join(connection.ops.quote_name(column) for column in columns)
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows)  # noqa: S608


def index_people(user_ids: Iterable[int], *, progress: bool = False) -> int:
    """Bring the index rows of these people in step; returns how many people's rows were rewritten."""
    ids = sorted(set(user_ids))
    rewritten = 0
    with tqdm(total=len(ids), unit="people", disable=not progress, desc="search index") as bar:
        for chunk in _chunks(ids):
            desired = _desired(chunk)
            existing: dict[int, set[tuple[str, str, int, bool, str]]] = defaultdict(set)
            for user_id, *row in SearchTerm.objects.filter(user_id__in=chunk).values_list(
                    "user_id", "term", "kind", "rank", "is_active", "sort_key"):
                existing[user_id].add(tuple(row))  # type: ignore[arg-type]
            changed = [pk for pk in chunk if desired.get(pk, set()) != existing.get(pk, set())]
            if changed:
                with transaction.atomic():
                    SearchTerm.objects.filter(user_id__in=[pk for pk in changed if pk in existing]).delete()
                    _insert([(pk, *row) for pk in changed for row in desired.get(pk, ())])
            rewritten += len(changed)
            bar.update(len(chunk))
    return rewritten


def reindex_person(user: Any) -> bool:
    """Bring one person's index rows in step; True if they changed."""
    return index_people([user.pk]) > 0


def rebuild_index(progress: bool = True) -> int:
    """Check and repair the whole index: everyone in the directory, and rows of people no longer in it."""
    ids = set(Membership.objects.values_list("user_id", flat=True).distinct())
    ids |= set(SearchTerm.objects.values_list("user_id", flat=True).distinct())
    return index_people(ids, progress=progress)


# --- Searching -------------------------------------------------------------------------------


def normalise(text: str) -> str:
    return _SPACE.sub("", text.lower())[:TERM_LENGTH]


def _mixed_candidates(query: str) -> list[str]:
    """A query of Chinese characters and letters (张s) as pinyin prefixes (zhangs), preferred reading first."""
    if not (_HAN_CHAR.search(query) and _LATIN.search(query)):
        return []
    # Read like a name, so that a leading polyphonic surname (单n) is read as a surname first.
    readings, _parts = name_readings(query)
    return ["".join(syllables) for syllables in readings[:MAX_MIXED_CANDIDATES]]


@dataclass(order=True)
class _Hit:
    match: Match
    rank: int
    term: str
    sort_key: str
    user_id: int
    kind: str = field(compare=False)


def _terms(viewer: Viewer, include_disabled: bool) -> QuerySet[SearchTerm]:
    terms = SearchTerm.objects.all()
    if not include_disabled:
        terms = terms.filter(is_active=True)
    if not viewer.sees_all and viewer.hidden_paths:
        # Only people the viewer can reach through at least one department they may see.
        hidden = Q()
        for path in viewer.hidden_paths:
            hidden |= Q(department__path__startswith=path)
        terms = terms.filter(Exists(Membership.objects.filter(user=OuterRef("user_id")).exclude(hidden)))
    return terms


def _hits(terms: QuerySet[SearchTerm], match: Match | None, query: str, count: int) -> list[_Hit]:
    rows = terms.order_by("term", "sort_key", "user_id").values_list("user_id", "term", "kind", "rank", "sort_key")[:count]
    return [_Hit(match if match is not None else (Match.EXACT if term == query else Match.PREFIX), rank, term, key, user_id, kind)
            for user_id, term, kind, rank, key in rows]


def _org_names_containing(viewer: Viewer, query: str, count: int) -> list[str]:
    """Names of departments, posts and groups containing the query, in one round trip (small tables)."""
    # Default orderings are cleared: SQLite refuses ORDER BY inside a compound statement.
    departments = hide_departments(viewer, Department.objects.order_by())
    names = (
        departments.filter(name__icontains=query).values_list("name", flat=True)
        .union(departments.filter(short_name__icontains=query).values_list("short_name", flat=True),
               Post.objects.order_by().filter(name__icontains=query, department__in=departments).values_list("name", flat=True),
               Group.objects.order_by().filter(is_active=True, name__icontains=query).values_list("name", flat=True))
    )
    found = {normalise(name) for name in names[: count * 4]}
    return sorted(name for name in found if query in name and not name.startswith(query))[:count]


def _matches_shown_place(hit: _Hit, shown: list[Membership]) -> bool:
    """A department or post term only counts if it names a department the viewer may see."""
    if hit.kind == SearchTerm.Kind.DEPARTMENT:
        return any(hit.term in (normalise(m.department.name), normalise(m.department.short_name)) for m in shown)
    if hit.kind == SearchTerm.Kind.POST:
        return any(m.post is not None and hit.term == normalise(m.post.name) for m in shown)
    return True


def search_people(viewer: Any, text: str, *, limit: int = 20, include_disabled: bool = False) -> list[Result]:
    """People matching ``text``: exact matches, then prefix, then fuzzy; then preferred readings; then by name.

    ``viewer`` is the user searching: people only reachable through departments hidden from
    them are left out, and department and post terms of hidden departments never match.
    """
    query = normalise(text)
    if not query or limit < 1:
        return []
    seen = viewer_of(viewer)
    terms = _terms(seen, include_disabled)
    # Over-fetch: one person can match by several terms, and hidden places are dropped below.
    count = limit * 2 + 10
    hits: list[_Hit] = []
    searches = [(query, terms)] + [(candidate, terms.filter(kind=SearchTerm.Kind.PINYIN)) for candidate in _mixed_candidates(query)]
    for candidate, base in searches:
        for rank in (PREFERRED, ALTERNATIVE):
            hits += _hits(base.filter(rank=rank, term__gte=candidate, term__lt=candidate + END), None, candidate, count)
    if len({hit.user_id for hit in hits}) < limit:
        hits += _hits(terms.filter(rank=INNER, term__gte=query, term__lt=query + END), Match.FUZZY, query, count)
        names = _org_names_containing(seen, query, count)
        if names:
            hits += _hits(terms.filter(rank=PREFERRED, kind__in=[SearchTerm.Kind.DEPARTMENT, SearchTerm.Kind.POST, SearchTerm.Kind.GROUP],
                                       term__in=names), Match.FUZZY, query, count)
    hits.sort()
    # Only a viewer with hidden departments can lose candidates below; others need no more than ``limit``.
    candidates = list(dict.fromkeys(hit.user_id for hit in hits))[:count if seen.hidden_paths and not seen.sees_all else limit]
    people = get_user_model().objects.filter(pk__in=candidates).prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("department", "post").order_by("-is_primary", "order", "id")))
    shown = {person.pk: (person, shown_memberships(seen, list(person.memberships.all()))) for person in people}
    results: dict[int, Result] = {}
    for hit in hits:
        # A person's best hit may name a hidden department; a later hit may still find them.
        if hit.user_id in results or hit.user_id not in shown:
            continue
        person, memberships = shown[hit.user_id]
        if memberships and _matches_shown_place(hit, memberships):
            results[hit.user_id] = Result(person, hit.term, hit.kind, hit.match, memberships)
            if len(results) == limit:
                break
    return list(results.values())

"""Permission matrix rows for work news (工作动态): a unit's staff read its news up to their clearance.

The author publishes an 内部 item for 市水务局, the head a 敏感 one only he is cleared for, and the
outsider one for 东区水务局; nobody reads another unit's news, and the three administrators hold
no business role.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse

from zhengtong.testing.matrix import Row, World, expect

STAFF = expect(200, sysadmin=403, secadmin=403, auditor=403)
CITY_STAFF = ("author", "clerk", "head", "registrar")
# Who reads each item of the world.
READERS = {"city_news": CITY_STAFF, "sensitive_news": ("head",), "east_news": ("outsider",)}


def build(world: World) -> None:
    from zhengtong.apps.bulletins import services

    people = world.people
    for key, author, text, classification in (("city_news", "author", "水资源处完成汛前检查", 1),
                                              ("sensitive_news", "head", "水源地安全隐患排查", 2),
                                              ("east_news", "outsider", "东区供水管网改造", 1)):
        marker = world.secret(key, seen_by=set(READERS[key]))
        setattr(world, key, services.publish(acting_user=people[author], title=f"{text}{marker}", body="详见正文",
                                             classification=classification))


def _listed(ids_of: Any) -> Any:
    def check(world: World, persona: str, response: HttpResponse) -> None:
        if response.status_code != 200:
            return
        ours = {getattr(world, key).pk: key for key in READERS}
        got = {ours[pk] for pk in ids_of(response) if pk in ours}
        expected = {key for key, readers in READERS.items() if persona in readers}
        assert got == expected, f"listed {sorted(got)}, should list {sorted(expected)}"

    return check


def _page_ids(response: HttpResponse) -> list[int]:
    return [item.pk for item, _level in response.context["items"]]


def _api_ids(response: HttpResponse) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


def _reads(key: str) -> dict[str, Any]:
    return expect(404, **dict.fromkeys(READERS[key], 200))


NEWS = {"title": "节水宣传周启动", "body": "本周开展节水宣传。", "classification": 0}

ROWS = [
    Row("GET", "/apps/bulletins/", STAFF, check=_listed(_page_ids)),
    Row("GET", "/apps/bulletins/new/", STAFF),
    Row("POST", "/apps/bulletins/new/", expect(302, sysadmin=403, secadmin=403, auditor=403), data=NEWS),
    *(Row("GET", f"/apps/bulletins/{{w.{key}.pk}}/", _reads(key)) for key in READERS),
    Row("GET", "/api/bulletins/", STAFF, check=_listed(_api_ids)),
    Row("POST", "/api/bulletins/", expect(201, sysadmin=403, secadmin=403, auditor=403), data=NEWS),
    *(Row("GET", f"/api/bulletins/{{w.{key}.pk}}", _reads(key)) for key in READERS),
]

"""Run with the settings above on a migrated database: what a staff member sees of the app, as JSON."""

import json
import sys

import django

django.setup()

from django.test import Client  # noqa: E402

from zhengtong.platform.access import permissions as perms  # noqa: E402
from zhengtong.platform.access.models import Role  # noqa: E402
from zhengtong.platform.access.services import assign_role  # noqa: E402
from zhengtong.platform.accounts.services import create_user  # noqa: E402
from zhengtong.platform.notices import categories  # noqa: E402
from zhengtong.platform.todo import actions  # noqa: E402
from zhengtong.platform.todo import services as todo  # noqa: E402
from zhengtong.platform.todo.models import Entry  # noqa: E402

person = create_user(acting_user=None, username="inspector", display_name="检查员", password="Zt-Probe-Pass-2026!",
                     must_change_password=False)
assign_role(acting_user=None, user=person, role=Role.objects.get(code="staff"))
client = Client()
client.force_login(person)
todo.put("inspections.visit", 7, [todo.Todo(user_id=person.pk, title="取水口 A 现场检查", link="/apps/inspections/",
                                           actions=("confirm",))], app="inspections")
entry = Entry.objects.get(kind="inspections.visit")
from zhengtong.worker import run_once  # noqa: E402

rounds = run_once()  # what the worker does each round: the platform's jobs and the apps'

page = client.get("/apps/inspections/").content.decode()
sys.stdout.write(json.dumps({
    "apps_page": "现场检查" in client.get("/apps/").content.decode(),
    "page_in_shell": 'data-tab="apps" aria-current="page"' in page and "取水口 A" in page,
    "api": client.get("/api/inspections/visits").json(),
    "openapi": "/api/inspections/visits" in client.get("/api/openapi.json").json()["paths"],
    "app_list": [app["key"] for app in client.get("/api/apps").json() if app["todo"]],
    "permission": "inspections.approve" in perms.catalogue(),
    "category": "inspection" in categories.catalogue(),
    "in_place": actions.act(acting_user=person, entry_id=entry.pk, code="confirm").message,
    "arrival_notice": client.get("/api/notices/").json()["items"][0]["title"],
    "job": rounds.get("overdue inspections"),
}, ensure_ascii=False) + "\n")

"""Integrated systems push, update, complete and withdraw their users' to-dos by their own id."""

import json

import pytest
from django.test import Client

from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.notices.models import Event
from zhengtong.platform.todo import services
from zhengtong.platform.todo.models import Entry, IntegratedSystem

TODO = {"username": "ann", "title": "水资源许可现场核查", "link": "https://water.example.gov.cn/tasks/77", "urgency": "urgent",
        "due_at": "2026-12-01T09:00:00+08:00"}


@pytest.fixture
def system(people, sysadmin):
    application, token = services.create_system(acting_user=sysadmin, name="水资源系统", code="water",
                                                     base_url="https://water.example.gov.cn", scopes=["todos"])
    return application, Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def put(client, external_id, data):
    return client.put(f"/api/todo/external/todos/{external_id}", json.dumps(data), content_type="application/json")


def test_only_system_administrators_register_applications(people, sysadmin):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_system(acting_user=people["ann"], name="x", code="x", base_url="https://x.example", scopes=["todos"])
    application, token = services.create_system(acting_user=sysadmin, name="x", code="x", base_url="https://x.example",
                                                     scopes=["todos"])
    assert token.startswith(f"zta_{application.prefix}_") and token.split("_", 2)[2] not in application.secret_hash


def test_pushing_the_same_id_twice_stores_one_entry(people, system):
    _application, client = system
    first = put(client, "T-77", TODO)
    second = put(client, "T-77", TODO)
    assert (first.status_code, second.status_code) == (201, 200), first.content
    entry = Entry.objects.get(kind="todo.external", object_id="water:T-77")
    assert (entry.user, entry.urgency, entry.tab, entry.sender_name) == (people["ann"], "urgent", "todo", "水资源系统")
    assert AuditRecord.objects.filter(action__startswith="todo.external_").count() == 1
    assert Event.objects.filter(user=people["ann"], kind="todo.changed").count() == 1


def test_update_done_and_delete(people, system):
    _application, client = system
    put(client, "T-1", TODO)
    assert put(client, "T-1", {**TODO, "title": "现场核查（改期）", "username": "bob"}).status_code == 200
    entry = Entry.objects.get(object_id="water:T-1")
    assert (entry.title, entry.user) == ("现场核查（改期）", people["bob"])
    assert Event.objects.filter(user=people["ann"], kind="todo.changed").count() == 2  # it left ann's list
    done = client.post("/api/todo/external/todos/T-1/done")
    assert done.status_code == 200 and done.json()["done"] is True
    assert Entry.objects.get(object_id="water:T-1").tab == "done"
    assert client.delete("/api/todo/external/todos/T-1").status_code == 204
    assert not Entry.objects.filter(object_id="water:T-1").exists()
    assert client.delete("/api/todo/external/todos/T-1").status_code == 404


def test_unknown_and_revoked_tokens_are_refused(people, system, sysadmin):
    application, client = system
    assert put(Client(HTTP_AUTHORIZATION="Bearer zta_000000000000_nope"), "T-2", TODO).status_code == 401
    assert put(Client(HTTP_AUTHORIZATION=f"Bearer zta_{application.prefix}_wrong"), "T-2", TODO).status_code == 401
    assert put(Client(), "T-2", TODO).status_code == 401
    services.set_system_active(acting_user=sysadmin, system=application, active=False)
    assert put(client, "T-2", TODO).status_code == 401
    assert not Entry.objects.exists()


def test_a_persons_token_does_not_open_the_external_api(people, system, api_for):
    assert put(api_for(people["ann"]), "T-3", TODO).status_code == 401


def test_the_person_must_exist_and_be_active(people, system):
    _application, client = system
    response = put(client, "T-4", {**TODO, "username": "nobody"})
    assert response.status_code == 422 and response.json()["error"] == "unknown_user"
    people["bob"].is_active = False
    people["bob"].save()
    assert put(client, "T-4", {**TODO, "username": "bob"}).json()["error"] == "unknown_user"
    assert not Entry.objects.exists()


def test_links_must_point_into_the_application_or_the_platform(people, system):
    _application, client = system
    assert put(client, "T-5", {**TODO, "link": "https://evil.example.com/x"}).status_code == 422
    assert put(client, "T-5", {**TODO, "link": "javascript:alert(1)"}).status_code == 422
    assert put(client, "T-5", {**TODO, "link": "/workflow/"}).status_code == 201


def test_applications_see_only_their_own_todos(people, system, sysadmin):
    _application, client = system
    put(client, "T-6", TODO)
    _other, token = services.create_system(acting_user=sysadmin, name="低保系统", code="dibao", base_url="https://dibao.example",
                                                scopes=["todos"])
    other = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert other.post("/api/todo/external/todos/T-6/done").status_code == 404
    assert IntegratedSystem.objects.count() == 2


def test_the_person_sees_the_external_todo(people, system, api_for):
    _application, client = system
    put(client, "T-7", TODO)
    body = api_for(people["ann"]).get("/api/todo/entries").json()
    assert [(item["title"], item["app"], item["actions"]) for item in body["items"]] == [("水资源许可现场核查", "water", [])]


def test_notices_are_sent_once_per_external_id_and_need_their_scope(people, system, sysadmin):
    from zhengtong.platform.notices.models import Notice, NoticeRecipient

    _application, client = system
    notice = {"usernames": ["ann", "bob"], "title": "系统维护通知", "body": "今晚 22:00 停机维护。"}
    assert put_notice(client, "N-1", notice).status_code == 403  # the system may push to-dos only
    _app, token = services.create_system(acting_user=sysadmin, name="运维平台", code="ops", base_url="https://ops.example",
                                              scopes=["notices"])
    ops = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    first, second = put_notice(ops, "N-1", notice), put_notice(ops, "N-1", notice)
    assert (first.status_code, second.status_code) == (201, 200), first.content
    assert first.json()["recipients"] == 2 and Notice.objects.count() == 1
    assert NoticeRecipient.objects.filter(user=people["ann"]).count() == 1
    assert put_notice(ops, "N-2", {**notice, "usernames": ["nobody"]}).json()["error"] == "unknown_user"
    assert put_notice(ops, "N-3", {**notice, "link": "https://evil.example/"}).status_code == 422


def put_notice(client, external_id, data):
    return client.put(f"/api/todo/external/notices/{external_id}", json.dumps(data), content_type="application/json")

"""The to-do API and the workbench pages: access matrix, listing, acting, batch."""

import json

from django.conf import settings

from zhengtong.platform.todo.models import Entry
from zhengtong.testing import assert_access_matrix


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_access_matrix(people, start, api_for, client_for):
    start()
    entry = Entry.objects.get(user=people["ann"], tab="todo")
    assert_access_matrix(api_for, "GET", "/api/todo/entries", allowed=[people["ann"], people["bob"]])
    assert_access_matrix(api_for, "GET", f"/api/todo/entries/{entry.pk}", allowed=[people["ann"]], hidden=[people["bob"]])
    assert_access_matrix(api_for, "POST", f"/api/todo/entries/{entry.pk}/actions/approve", data={"comment": ""},
                         hidden=[people["bob"]])
    assert_access_matrix(client_for, "GET", "/workbench/list/", allowed=[people["ann"]])
    assert client_for(people["bob"]).post(f"/workbench/entries/{entry.pk}/approve/").status_code in (403, 404)


def test_listing_with_counts_and_apps(people, start, api_for):
    start(title="请假申请")
    body = api_for(people["ann"]).get("/api/todo/entries", {"tab": "todo"}).json()
    assert [item["title"] for item in body["items"]] == ["请假申请"]
    assert body["items"][0]["actions"] == ["approve", "reject"]
    assert body["counts"]["todo"] == 1 and body["apps"] == {"workflow": 1}
    assert api_for(people["ann"]).get("/api/todo/entries", {"q": "报销"}).json()["items"] == []


def test_approve_and_batch_through_the_api(people, start, api_for, committed):
    start(title="一")
    start(title="二")
    ann = api_for(people["ann"])
    first, second = Entry.objects.filter(user=people["ann"], tab="todo").order_by("title")
    response = committed(post, ann, f"/api/todo/entries/{first.pk}/actions/approve", {"comment": "同意"})
    assert response.status_code == 200, response.content
    again = committed(post, ann, f"/api/todo/entries/{first.pk}/actions/approve", {"comment": "同意"})
    assert again.status_code == 409  # now in 已办: nothing to do in place
    results = committed(post, ann, "/api/todo/batch", {"ids": [first.pk, second.pk], "action": "approve", "comment": "同意"}).json()
    assert [(r["title"], r["ok"]) for r in results] == [("一", False), ("二", True)]


def test_page_batch_reports_each_item(people, start, client_for, committed):
    start(title="一")
    client = client_for(people["ann"])
    client.get("/")
    entry = Entry.objects.get(user=people["ann"], tab="todo")
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    form = {"ids": [entry.pk], "action": "approve", "comment": "同意", "csrfmiddlewaretoken": token}
    response = committed(client.post, "/workbench/batch/", form, follow=True)
    assert response.status_code == 200
    assert "一" in response.content.decode()
    assert Entry.objects.get(pk=entry.pk).tab == "done"


def test_home_tab_shows_the_list(people, start, client_for):
    start(title="防汛值班安排")
    page = client_for(people["ann"]).get("/").content.decode()
    assert "防汛值班安排" in page and "workbench.js" in page and 'data-count="todo"' in page

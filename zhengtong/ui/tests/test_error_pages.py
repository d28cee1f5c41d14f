"""A new user's first wrong turns: error pages in the shell and in their language with a way back,
and the API's refusals in its one shape, in Chinese like the rest."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from zhengtong.errors import NotFound
from zhengtong.urls import urlpatterns as project_urlpatterns

DATABASE_DOWN = "the database is down"


def _blocked(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    raise OperationalError(DATABASE_DOWN)


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret detail of the failure")


def _refused(request: HttpRequest) -> HttpResponse:
    raise NotFound("not_found", "没有这项任务。")


# This module is the URL configuration of the tests marked below: the project's, plus views that fail.
urlpatterns = [path("boom/", _boom), path("refused/", _refused), *project_urlpatterns]
handler400 = "zhengtong.ui.errors.bad_request"
handler403 = "zhengtong.ui.errors.permission_denied"
handler404 = "zhengtong.ui.errors.page_not_found"
handler500 = "zhengtong.ui.errors.server_error"


def text(response: Any) -> str:
    return str(response.content.decode())


def test_a_missing_page_is_chinese_in_the_shell_with_a_way_back_and_sign_in(client: Client) -> None:
    response = client.get("/no-such-page/")
    page = text(response)
    assert response.status_code == 404
    assert '<html lang="zh-hans">' in page and "页面不存在" in page
    assert 'id="error-home"' in page and 'href="/accounts/sign-in/?next=%2Fno-such-page%2F"' in page
    assert "Page not found" not in page and "urlpatterns" not in page


def test_a_signed_in_person_gets_the_shell_menus_and_the_page_they_came_from(client_for: Any, clerk: Any) -> None:
    browser = client_for(clerk)
    page = text(browser.get("/no-such-page/", HTTP_REFERER="http://testserver/contacts/"))
    assert 'class="bottom-tabs"' in page and 'id="error-sign-in"' not in page
    assert 'href="http://testserver/contacts/" id="error-back"' in page
    # Somewhere else is never offered as the way back.
    assert 'id="error-back"' not in text(browser.get("/no-such-page/", HTTP_REFERER="https://evil.example/"))


def test_english_for_those_who_chose_it(client: Client) -> None:
    page = text(client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en"))
    assert '<html lang="en">' in page and "This page does not exist" in page and "Go to the home page" in page


def test_a_refused_page_says_so_in_chinese(client_for: Any, clerk: Any) -> None:
    response = client_for(clerk).get("/audit/")
    assert response.status_code == 403
    assert "您无权查看此页面" in text(response) and 'id="error-home"' in text(response)


@pytest.mark.urls(__name__)
def test_a_failure_is_a_chinese_500_page_that_leaks_nothing(client: Client, caplog: Any) -> None:
    caplog.set_level(logging.CRITICAL, logger="django.request")
    response = Client(raise_request_exception=False).get("/boom/")
    page = text(response)
    assert response.status_code == 500 and "系统出现错误" in page and 'id="error-home"' in page
    assert "secret detail" not in page and "RuntimeError" not in page


def test_the_500_page_needs_no_database(client_for: Any, clerk: Any, caplog: Any) -> None:
    caplog.set_level(logging.CRITICAL, logger="django.request")
    browser = client_for(clerk)
    browser.raise_request_exception = False
    with connection.execute_wrapper(_blocked):  # even loading the signed-in person's session fails
        response = browser.get("/contacts/")
    assert response.status_code == 500 and "系统出现错误" in text(response) and DATABASE_DOWN not in text(response)


@pytest.mark.urls(__name__)
def test_a_service_refusal_no_form_caught_is_a_page_with_its_status(client_for: Any, clerk: Any) -> None:
    response = client_for(clerk).get("/refused/")
    assert response.status_code == 404 and "没有这项任务。" in text(response) and 'class="bottom-tabs"' in text(response)


def test_a_20000_character_search_is_answered_clearly_and_logs_nothing(client_for: Any, clerk: Any, caplog: Any) -> None:
    caplog.set_level(logging.INFO)
    huge = "张" * 20000
    for browser in (client_for(), client_for(clerk)):
        response = browser.get("/contacts/", {"q": huge})
        assert response.status_code == 414 and "地址过长" in text(response)
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


def test_a_search_longer_than_the_api_allows_is_refused_on_the_page_as_in_the_api(client_for: Any, api_for: Any, clerk: Any) -> None:
    response = client_for(clerk).get("/contacts/", {"q": "张" * 51})
    assert response.status_code == 422 and "搜索内容最多 50 个字（本次为 51 个字）" in text(response)
    api = api_for(clerk).get("/api/directory/search", {"q": "张" * 51})
    assert api.status_code == 422 and api.json()["fields"]["q"] == ["最多输入 50 个字符。"]
    assert client_for(clerk).get("/contacts/", {"q": "张" * 50}).status_code == 200


def test_an_anonymous_api_write_is_unauthenticated_not_a_csrf_refusal(client_for: Any, clerk: Any) -> None:
    response = client_for().post("/api/bulletins/", {"title": "t", "body": "b"}, content_type="application/json")
    assert response.status_code == 401 and response.json()["error"] == "unauthenticated"
    # A signed-in browser without the page's token is still refused.
    refused = client_for(clerk).post("/api/bulletins/", {"title": "t", "body": "b"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["error"] == "csrf_failed" and "刷新页面" in refused.json()["message"]


def test_a_wrong_method_is_405_in_the_one_shape(api_for: Any, clerk: Any) -> None:
    response = api_for(clerk).put("/api/accounts/me", {}, content_type="application/json")
    assert response.status_code == 405 and response["Allow"] == "GET"
    assert response.json() == {"error": "method_not_allowed", "message": "此地址不接受 PUT 请求，可用的方法：GET。", "fields": {}}


def test_an_unknown_api_address_is_404_in_the_one_shape(api_for: Any, clerk: Any) -> None:
    response = api_for(clerk).get("/api/no-such-thing")
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_field_messages_of_a_422_are_chinese_like_the_rest(api_for: Any, clerk: Any) -> None:
    api = api_for(clerk)
    answer = api.post("/api/accounts/tokens", {}, content_type="application/json")  # session only: 401 before validation
    assert answer.status_code == 401
    answer = api.put("/api/notices/preferences", {"quiet_from": "晚上", "muted_categories": "x"}, content_type="application/json")
    fields = answer.json()["fields"]
    assert answer.status_code == 422 and fields["quiet_from"] == ["请输入时间（HH:MM）。"]
    assert fields["muted_categories"] == ["请输入列表。"]
    missing = api.post("/api/bulletins/", {}, content_type="application/json").json()["fields"]
    assert missing["title"] == ["此项必填。"]
    english = api.post("/api/bulletins/", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en").json()["fields"]
    assert english["title"] == ["This field is required."]

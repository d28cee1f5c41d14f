"""A document's 事务群: offered on its page through the registry (chat's ``record_links``), with its participants as members."""

import json
import re

from django.urls import reverse

from zhengtong.apps.documents import discussion, services
from zhengtong.apps.documents.tests.conftest import draft_notice, form_post


def submitted(org):
    document = draft_notice(org)
    services.submit(acting_user=org.people["drafter"], document=document, countersign_departments=[], signer="director")
    return document


def test_the_record_names_its_drafter_and_holders_and_is_none_for_who_may_not_see_it(org):
    document = submitted(org)
    record = discussion.record_for(org.people["drafter"], str(document.pk))
    assert record.title == document.title and record.url == reverse("documents:detail", args=[document.pk])
    assert {p.username for p in record.participants} == {"drafter", "ziyuan_head"}
    assert discussion.record_for(org.people["finance_head"], str(document.pk)) is None
    assert discussion.record_for(org.people["drafter"], "x") is None


def test_the_document_page_starts_its_discussion_group_then_links_to_it_with_the_unread_count(org, client_for):
    document = submitted(org)
    page_url = reverse("documents:detail", args=[document.pk])
    drafter = client_for(org.people["drafter"])
    page = drafter.get(page_url).content.decode()
    start = re.search(r'<form method="post" action="([^"]+)" class="record-link-form">', page)
    assert start and "事务群" in page and start.group(1) == f"/apps/chat/discuss/?subject=documents.document:{document.pk}"
    opened = form_post(drafter, start.group(1).replace("&amp;", "&"))
    assert opened.status_code == 302
    group_url = opened["Location"]
    head = client_for(org.people["ziyuan_head"])
    group_page = head.get(group_url).content.decode()
    assert document.title in group_page and f'href="{page_url}"' in group_page  # a member, with the link back
    conversation = int(group_url.strip("/").split("/")[-1])
    sent = head.post(f"/api/chat/conversations/{conversation}/messages", json.dumps({"client_msg_id": "d-1", "text": "请看第二段"}),
                     content_type="application/json", headers={"X-CSRFToken": head.cookies["zt_csrf"].value})
    assert sent.status_code == 201
    page = drafter.get(page_url).content.decode()
    assert f'href="{group_url}"' in page and re.search(r'<span class="badge" data-count>1</span>', page)
    outsider = client_for(org.people["finance_head"])
    assert form_post(outsider, start.group(1)).status_code == 404

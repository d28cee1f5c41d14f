"""The document's page and API say who holds the open step now and by when (not only 流程跟踪)."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from zhengtong.apps.documents import services
from zhengtong.apps.documents.tests.conftest import act, draft_notice
from zhengtong.platform.workflow.models import WorkItem


def _submitted(org, **extra):
    document = draft_notice(org)
    services.submit(acting_user=org.people["drafter"], document=document, signer="director", **extra)
    document.refresh_from_db()
    return document


def _holders_html(page: str) -> str:
    match = re.search(r'<dd id="current-holders">(.*?)</dd>', page, re.S)
    assert match, "the page does not say who holds the document"
    return match.group(1)


def test_the_page_names_who_holds_the_review_and_its_due_date(org, client_for):
    document = _submitted(org)
    item = WorkItem.objects.get(instance_id=document.instance_id, state=WorkItem.State.OPEN)
    assert item.step_name == "核稿" and item.due_at is not None
    due = timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M")
    # The drafter, who does not hold it, sees who does and by when — on the phone and the PC alike (one page).
    for agent in ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"):
        page = client_for(org.people["drafter"]).get(reverse("documents:detail", args=[document.pk]), HTTP_USER_AGENT=agent)
        held = _holders_html(page.content.decode())
        assert "核稿 · 水资源处长" in held and due in held and "overdue" not in held


def test_an_overdue_step_is_marked_red_and_parallel_holders_are_all_named(org, client_for):
    units = org.units
    document = _submitted(org, countersign_departments=[units["city"].planning.pk, units["city"].finance.pk])
    act(org, document, "ziyuan_head")
    items = WorkItem.objects.filter(instance_id=document.instance_id, state=WorkItem.State.OPEN)
    assert {i.assignee.username for i in items} == {"plan_head", "finance_head"}
    items.filter(assignee__username="plan_head").update(due_at=timezone.now() - timedelta(hours=3))
    held = _holders_html(client_for(org.people["drafter"]).get(reverse("documents:detail", args=[document.pk])).content.decode())
    late, on_time = (re.search(rf'data-user="{name}">(.*?)</span></span>', held, re.S) for name in ("plan_head", "finance_head"))
    assert late and on_time
    assert "会签 · 规划处长" in late.group(1) and 'class="doc-due overdue"' in late.group(1) and "已超期" in late.group(1)
    assert "会签 · 财务处长" in on_time.group(1) and "overdue" not in on_time.group(1)


def test_the_api_answer_carries_the_holders_and_their_deadlines(org, api_for):
    document = _submitted(org)
    item = WorkItem.objects.get(instance_id=document.instance_id, state=WorkItem.State.OPEN)
    answer = api_for(org.people["drafter"]).get(f"/api/documents/{document.pk}").json()
    assert answer["current_steps"] == "核稿"
    [holder] = answer["holders"]
    assert holder["step"] == "核稿" and holder["user"] == "ziyuan_head" and holder["name"] == "水资源处长"
    assert holder["on_behalf_of"] == "" and holder["overdue"] is False
    assert holder["due_at"] and abs(timezone.datetime.fromisoformat(holder["due_at"]) - item.due_at) < timedelta(seconds=1)
    WorkItem.objects.filter(pk=item.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    assert api_for(org.people["drafter"]).get(f"/api/documents/{document.pk}").json()["holders"][0]["overdue"] is True


def test_a_draft_and_a_finished_document_have_no_holders(org, api_for):
    document = draft_notice(org)
    assert api_for(org.people["drafter"]).get(f"/api/documents/{document.pk}").json()["holders"] == []

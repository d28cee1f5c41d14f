"""The document pages: drafting, submitting, deciding, signing for, lists, versions, 督办 — and the refusals."""

from django.urls import reverse

from zhengtong.apps.documents import services
from zhengtong.apps.documents.models import Document
from zhengtong.apps.documents.tests.conftest import act, draft_notice, form_post, incoming_for, to_dispatch
from zhengtong.platform.audit.models import AuditRecord


def test_a_notice_is_drafted_submitted_and_approved_through_the_pages(org, client_for, django_capture_on_commit_callbacks):
    p, units = org.people, org.units
    drafter = client_for(p["drafter"])
    assert drafter.get(reverse("documents:create")).status_code == 200
    response = form_post(drafter, reverse("documents:create"), {
        "doc_type": "通知", "title": "关于开展节水宣传周活动的通知", "body": "", "issuer_code": "市水发",
        "main_recipients": [units["east"].unit.pk], "classification": 0, "secrecy": 0})
    document = Document.objects.get(title="关于开展节水宣传周活动的通知")
    assert response.status_code == 302 and response["Location"] == reverse("documents:detail", args=[document.pk])
    assert document.body.startswith("为……")  # started from the 通知 template
    page = drafter.get(reverse("documents:detail", args=[document.pk]))
    assert "关于开展节水宣传周活动的通知" in page.content.decode() and 'id="submit-document"' in page.content.decode()
    response = form_post(drafter, reverse("documents:submit", args=[document.pk]), {
        "countersign_departments": [units["city"].planning.pk], "signer": "director", "comment": "请审核"})
    assert response.status_code == 302
    head = client_for(p["ziyuan_head"])
    page = head.get(reverse("documents:detail", args=[document.pk])).content.decode()
    assert "decide-panel" in page and "核稿" in page
    with django_capture_on_commit_callbacks(execute=True):
        form_post(head, reverse("documents:detail", args=[document.pk]), {"decision": "approve", "comment": "核稿同意"})
    document.refresh_from_db()
    assert document.instance.current_steps == "会签"
    # The workbench entry of the countersigner opens this page.
    from zhengtong.platform.todo.models import Entry

    entry = Entry.objects.get(user=p["plan_head"], tab="todo")
    assert entry.link == reverse("documents:detail", args=[document.pk])


def test_a_form_error_is_shown_and_nothing_is_created(org, client_for):
    response = form_post(client_for(org.people["drafter"]), reverse("documents:create"), {"doc_type": "通知", "title": "", "secrecy": 0})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Document.objects.exists()


def test_a_reader_outside_the_document_gets_404_and_below_its_classification_too(org, client_for):
    document = draft_notice(org, classification=1)
    assert client_for(org.people["plan_head"]).get(reverse("documents:detail", args=[document.pk])).status_code == 404
    # east_reader has 公开 clearance: even circulated to them, an 内部 document does not exist for them.
    sent = to_dispatch(org, draft_notice(org, title="内部通知", classification=1))
    east = services.receive(acting_user=org.people["east_clerk"], delivery=incoming_for(sent, "east", org).delivery)
    assert client_for(org.people["east_reader"]).get(reverse("documents:detail", args=[east.pk])).status_code == 404
    assert client_for(org.people["east_clerk"]).get(reverse("documents:detail", args=[east.pk])).status_code == 200


def test_editing_after_sign_off_is_refused_on_the_page(org, client_for):
    document = draft_notice(org)
    services.submit(acting_user=org.people["drafter"], document=document, signer="director")
    act(org, document, "ziyuan_head")
    act(org, document, "director")
    response = form_post(client_for(org.people["director"]), reverse("documents:edit", args=[document.pk]),
                         {"title": "改", "doc_type": "通知"})
    assert response.status_code == 403
    document.refresh_from_db()
    assert document.title == "关于做好2026年防汛工作的通知"


def test_signing_for_from_the_page_and_the_sender_sees_it(org, client_for):
    document = to_dispatch(org)
    east = incoming_for(document, "east", org)
    clerk = client_for(org.people["east_clerk"])
    assert 'id="receive"' in clerk.get(reverse("documents:detail", args=[east.pk])).content.decode()
    form_post(clerk, reverse("documents:receive", args=[east.pk]))
    east.refresh_from_db()
    assert east.state == "handling"
    page = client_for(org.people["drafter"]).get(reverse("documents:detail", args=[document.pk])).content.decode()
    assert "东区水务局文书" in page  # who signed for it, per unit


def test_lists_search_versions_and_supervision_pages(org, client_for):
    document = to_dispatch(org)
    services.receive(acting_user=org.people["east_clerk"], delivery=incoming_for(document, "east", org).delivery)
    drafter = client_for(org.people["drafter"])
    listed = drafter.get(reverse("documents:outgoing"), {"q": "防汛"}).content.decode()
    assert "关于做好2026年防汛工作的通知" in listed
    assert "关于做好2026年防汛工作的通知" not in drafter.get(reverse("documents:outgoing"), {"q": "抗旱"}).content.decode()
    assert drafter.get(reverse("documents:compare", args=[document.pk])).status_code == 200
    clerk = client_for(org.people["east_clerk"])
    assert "关于做好2026年防汛工作的通知" in clerk.get(reverse("documents:incoming")).content.decode()
    board = clerk.get(reverse("documents:supervision")).content.decode()
    assert 'id="state-chart"' in board


def test_attachments_are_checked_and_downloads_audited(org, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = draft_notice(org)
    drafter = client_for(org.people["drafter"])
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    form_post(drafter, reverse("documents:upload", args=[document.pk]),
              {"file": SimpleUploadedFile("方案.pdf", pdf, content_type="application/pdf")})
    form_post(drafter, reverse("documents:upload", args=[document.pk]), {"file": SimpleUploadedFile("假的.pdf", b"MZ\x90\x00 not a pdf")})
    [attachment] = document.attachments.all()
    assert attachment.file.name == "方案.pdf"
    response = drafter.get(reverse("documents:attachment", args=[document.pk, attachment.pk]))
    assert response.status_code == 200
    assert AuditRecord.objects.filter(action="files.downloaded", actor_id=org.people["drafter"].pk).exists()
    assert client_for(org.people["plan_head"]).get(reverse("documents:attachment", args=[document.pk, attachment.pk])).status_code == 404


def test_editing_on_the_page_keeps_the_earlier_text_as_a_version(org, client_for):
    document = draft_notice(org)
    drafter = client_for(org.people["drafter"])
    response = form_post(drafter, reverse("documents:edit", args=[document.pk]), {
        "doc_type": "通知", "title": document.title, "body": "修改后的正文", "issuer_code": "市水发", "secrecy": 0, "classification": 0,
        "main_recipients": [org.units["east"].unit.pk]})
    assert response.status_code == 302
    assert list(document.versions.values_list("number", "body")) == [(1, document.body), (2, "修改后的正文")]
    compare = drafter.get(reverse("documents:compare", args=[document.pk]), {"a": 1, "b": 2}).content.decode()
    assert "<ins>" in compare and "<del>" in compare


def test_the_supervision_board_reminds_the_handlers_of_an_overdue_document(org, client_for):
    from datetime import timedelta

    from django.utils import timezone

    from zhengtong.platform.workflow.models import WorkItem

    document = to_dispatch(org)
    east = services.receive(acting_user=org.people["east_clerk"], delivery=incoming_for(document, "east", org).delivery)
    act(org, east, "east_clerk")  # 登记: the handling deadline is set
    Document.objects.filter(pk=east.pk).update(handling_due=timezone.now() - timedelta(days=1))
    clerk = client_for(org.people["east_clerk"])
    board = clerk.get(reverse("documents:supervision")).content.decode()
    assert "已超期" in board and reverse("documents:remind", args=[east.pk]) in board
    form_post(clerk, reverse("documents:remind", args=[east.pk]))
    assert WorkItem.objects.get(instance_id=east.instance_id, state="open").last_reminded_at is not None


def test_the_list_counts_up_to_a_cap_and_says_there_is_more(org, client_for, monkeypatch):
    from zhengtong.apps.documents import views

    monkeypatch.setattr(views.CappedPaginator, "CAP", 25)
    for n in range(45):
        draft_notice(org, title=f"通知{n:02d}")
    drafter = client_for(org.people["drafter"])
    first = drafter.get(reverse("documents:outgoing")).content.decode()
    assert "1 / 2+" in first and "通知44" in first
    second = drafter.get(reverse("documents:outgoing"), {"page": 2}).content.decode()
    assert "通知24" in second and "2 / 2+" in second
    assert "通知00" in drafter.get(reverse("documents:outgoing"), {"q": "通知00"}).content.decode()


def test_a_year_no_date_can_hold_lists_nothing_instead_of_failing(org, client_for):
    draft_notice(org)
    client = client_for(org.people["drafter"])
    assert "防汛工作" in client.get(reverse("documents:outgoing")).content.decode()
    for year in ("1", "99999"):
        response = client.get(reverse("documents:outgoing"), {"year": year})
        assert response.status_code == 200
        assert "防汛工作" not in response.content.decode()


def test_the_registry_opens_a_document_of_its_unit_before_its_process_reaches_the_registry(org, client_for):
    p = org.people
    document = draft_notice(org)
    services.submit(acting_user=p["drafter"], document=document, signer="director")
    page = client_for(p["wenshu"]).get(reverse("documents:detail", args=[document.pk]))
    assert page.status_code == 200 and "关于做好2026年防汛工作的通知" in page.content.decode()


def test_only_who_may_change_the_text_attaches_a_file(org, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = draft_notice(org)
    response = form_post(client_for(org.people["wenshu"]), reverse("documents:upload", args=[document.pk]),
                         {"file": SimpleUploadedFile("说明.txt", "说明".encode(), "text/plain")})
    assert response.status_code == 403
    assert not document.attachments.exists()
    assert not AuditRecord.objects.filter(action="documents.attachment_added").exists()


def test_a_refused_button_shows_the_document_again_with_the_reason_and_its_status(org, client_for):
    document = to_dispatch(org)
    response = form_post(client_for(org.people["drafter"]), reverse("documents:cancel", args=[document.pk]), {"reason": "不再需要"})
    assert response.status_code == 409
    assert "已核发或已撤销的公文不能撤销" in response.content.decode()
    document.refresh_from_db()
    assert document.state == Document.State.DISPATCHED


def test_the_submit_page_does_not_offer_a_confidential_department(org, client_for):
    from zhengtong.platform.directory import services as directory

    vault = directory.create_department(acting_user=None, name="机要室", parent=org.units["city"].unit, is_confidential=True)
    document = draft_notice(org)
    page = client_for(org.people["drafter"]).get(reverse("documents:submit", args=[document.pk])).content.decode()
    assert "规划处" in page and vault.name not in page


def test_a_confidential_department_is_neither_offered_nor_accepted_for_countersigning(org, client_for):
    import pytest

    from zhengtong.errors import ServiceError
    from zhengtong.platform.directory import services as directory

    finance = org.units["city"].finance
    directory.set_department_confidential(acting_user=None, department=finance, confidential=True)
    document = draft_notice(org)
    page = client_for(org.people["drafter"]).get(reverse("documents:submit", args=[document.pk])).content.decode()
    assert "规划处" in page and "财务处" not in page
    with pytest.raises(ServiceError) as refused:
        services.submit(acting_user=org.people["drafter"], document=document, signer="director", countersign_departments=[finance.pk])
    assert "countersign" in refused.value.fields
    document.refresh_from_db()
    assert document.state == Document.State.DRAFT

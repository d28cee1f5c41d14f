"""The workflow pages: who may open what, one process walked through the pages, attachments, administration."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import make_person
from zhengtong.platform.access.models import Role
from zhengtong.platform.access.services import assign_role
from zhengtong.platform.workflow import definitions, services
from zhengtong.platform.workflow.models import Action, Copy, ProcessDefinition, ProcessInstance, StandingDelegation, WorkItem
from zhengtong.testing import assert_access_matrix

STEP = """
    <bpmn:userTask id="{id}" name="{name}">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="assignee" value="{assignee}"/>
        <spiffworkflow:property name="mode" value="{mode}"/>
        <spiffworkflow:property name="fields" value='{fields}'/>
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>"""
SECRET = "内部评估XYZ"


def leave_xml(review_mode="single", review_people="ann", sign_name="签批"):
    """apply (initiator) → review (ann; edits the internal note) → sign (bob; may not see the note)."""
    steps = [("apply", "申请", "initiator", "single", '{"reason": "edit", "amount": "edit", "internal_note": "hidden"}'),
             ("review", "审核", f"user:{review_people}", review_mode, '{"internal_note": "edit"}'),
             ("sign", sign_name, "user:bob", "single", '{"internal_note": "hidden"}')]
    body = "".join(STEP.format(id=i, name=n, assignee=a, mode=m, fields=f) for i, n, a, m, f in steps)
    flows = "".join(f'<bpmn:sequenceFlow id="f{k}" sourceRef="{s}" targetRef="{t}"/>' for k, (s, t) in enumerate(
        zip(["start", "apply", "review", "sign"], ["apply", "review", "sign", "end"], strict=True)))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="leave_defs" targetNamespace="t">
  <bpmn:process id="leave" isExecutable="true"><bpmn:startEvent id="start"/>{body}{flows}<bpmn:endEvent id="end"/></bpmn:process>
</bpmn:definitions>"""


FORM = [{"name": "reason", "label": "事由", "type": "textarea", "required": True},
        {"name": "amount", "label": "金额", "type": "number", "min": 0},
        {"name": "internal_note", "label": "内部意见", "type": "text"}]


def store(**kwargs):
    return definitions.store_version(key="leave", name="请假审批", process_id="leave", bpmn_xml=leave_xml(**kwargs), form=FORM,
                                     source="uploaded")


@pytest.fixture
def people(db):
    return {name: make_person(name, name.title(), roles=("staff",), clearance=1) for name in ("author", "ann", "bob", "dan", "eve")}


@pytest.fixture
def manager(db):
    role = Role.objects.create(code="process_admin", name="流程管理员", permissions=["workflow.manage"])
    person = make_person("procadmin", "流程管理员", roles=("staff",), clearance=1)
    assign_role(acting_user=None, user=person, role=role)
    return person


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def start(people, **kwargs):
    store(**kwargs)
    return services.start(acting_user=people["author"], key="leave", title="年休假申请", data={"reason": "探亲", "amount": 3})


def item_of(instance, username, state=WorkItem.State.OPEN):
    return WorkItem.objects.get(instance=instance, assignee__username=username, state=state)


def url(instance):
    return f"/workflow/instances/{instance.pk}/"


def post(client, path, data=None):
    """POST as a browser does: with the CSRF token from a page the client has seen."""
    from django.conf import settings

    if settings.CSRF_COOKIE_NAME not in client.cookies:
        client.get("/workflow/delegations/")  # a page with a form sets the CSRF cookie
    return client.post(path, {**(data or {}), "csrfmiddlewaretoken": client.cookies[settings.CSRF_COOKIE_NAME].value})


def act(client, item, action, data=None):
    return post(client, f"/workflow/items/{item.pk}/{action}/", data)


def page_text(response):
    return response.content.decode()


# --- Who may open what -----------------------------------------------------------------------------


def test_to_do_pages_need_a_sign_in(client_for, people):
    for path in ("/workflow/", "/workflow/?tab=done", "/workflow/?tab=started", "/workflow/?tab=copied", "/workflow/start/",
                 "/workflow/delegations/"):
        assert_access_matrix(client_for, "GET", path, allowed=[people["author"]])


def test_starting_needs_the_business_apps(client_for, people, sysadmin):
    store()
    assert_access_matrix(client_for, "GET", "/workflow/start/leave/", allowed=[people["author"]], denied=[sysadmin])
    assert client_for(people["author"]).get("/workflow/start/nothing/").status_code == 404


def test_an_instance_exists_only_for_its_participants(client_for, people, outsider, manager):
    instance = start(people)
    assert_access_matrix(client_for, "GET", url(instance), allowed=[people["author"], people["ann"], manager],
                         hidden=[outsider, people["bob"]])
    # Acting through the pages on a process one cannot see is 404 as well; on someone else's task, 403.
    item = item_of(instance, "ann")
    assert act(client_for(outsider), item, "decide", {"decision": "approve"}).status_code == 404
    assert act(client_for(people["author"]), item, "decide", {"decision": "approve"}).status_code == 403
    assert post(client_for(outsider), f"{url(instance)}cancel/", {"cancel-comment": "x"}).status_code == 404
    assert item_of(instance, "ann").state == WorkItem.State.OPEN


def test_posts_need_the_csrf_token(client_for, people):
    instance = start(people)
    client = client_for(people["ann"])
    client.get(url(instance))
    response = client.post(f"/workflow/items/{item_of(instance, 'ann').pk}/decide/", {"decision": "approve"})
    assert response.status_code == 403  # the CSRF-enforcing client sends no token here
    assert item_of(instance, "ann").state == WorkItem.State.OPEN


def test_administration_needs_workflow_manage(client_for, people, manager):
    definition = store()
    for path in ("/workflow/admin/definitions/", f"/workflow/admin/definitions/{definition.pk}/", "/workflow/admin/definitions/upload/",
                 "/workflow/admin/instances/"):
        assert_access_matrix(client_for, "GET", path, allowed=[manager], denied=[people["author"]])


# --- A process walked through the pages ---------------------------------------------------------------


def signed_in(client, user):
    client.force_login(user)
    return client


def test_walk_a_process_through_the_pages(client, people):
    store()
    author = signed_in(client, people["author"])
    form = author.get("/workflow/start/leave/")
    assert form.status_code == 200
    text = page_text(form)
    assert 'name="data-reason"' in text and 'name="data-amount"' in text
    assert "internal_note" not in text  # hidden at the first step: not even the input

    response = author.post("/workflow/start/leave/", {"title": "年休假申请", "data-reason": "探亲", "data-amount": "3"})
    assert response.status_code == 302
    instance = ProcessInstance.objects.get(title="年休假申请")
    assert response["Location"] == url(instance)
    assert instance.data == {"reason": "探亲", "amount": 3}

    started = page_text(author.get("/workflow/?tab=started"))
    assert "年休假申请" in started and 'data-state="running"' in started

    ann = signed_in(type(client)(), people["ann"])
    todo = page_text(ann.get("/workflow/"))
    assert f'data-instance="{instance.pk}"' in todo and "审核" in todo
    assert 'data-count="todo">1<' in todo
    detail = page_text(ann.get(url(instance)))
    assert 'id="decide-form"' in detail and 'data-state="current" data-step="review"' in detail
    assert 'name="data-internal_note"' in detail

    item = item_of(instance, "ann")
    response = act(ann, item, "decide", {"decision": "approve", "comment": "情况属实，同意", "data-internal_note": SECRET})
    assert response.status_code == 302
    followed = page_text(ann.get(url(instance)))
    assert "情况属实，同意" in followed and SECRET in followed

    # The initiator and the signer after never receive the hidden note.
    assert SECRET not in page_text(author.get(url(instance)))
    bob = signed_in(type(client)(), people["bob"])
    bob_page = page_text(bob.get(url(instance)))
    assert SECRET not in bob_page and "internal_note" not in bob_page
    assert 'id="return-panel"' in bob_page

    # 退回 to the initiator, who changes the amount and submits again.
    response = act(bob, item_of(instance, "bob"), "return", {"return-step": "apply", "return-comment": "请补充天数"})
    assert response.status_code == 302
    assert f'data-instance="{instance.pk}"' in page_text(author.get("/workflow/"))
    author_page = page_text(author.get(url(instance)))
    assert "请补充天数" in author_page and 'name="data-amount"' in author_page
    response = act(author, item_of(instance, "author"), "decide", {"decision": "approve", "data-reason": "探亲", "data-amount": "5"})
    assert response.status_code == 302
    instance.refresh_from_db()
    assert instance.data["amount"] == 5

    # 撤回 while the next step has not acted; then submit again.
    assert 'id="withdraw-panel"' in page_text(author.get(url(instance)))
    assert author.post(f"{url(instance)}withdraw/", {"withdraw-comment": "再改一下"}).status_code == 302
    assert item_of(instance, "author")
    act(author, item_of(instance, "author"), "decide", {"decision": "approve", "data-reason": "探亲", "data-amount": "4"})
    act(ann, item_of(instance, "ann"), "decide", {"decision": "approve", "comment": "同意"})

    # Once the next step has acted the withdrawal is refused with the reason, nothing changed.
    act(bob, item_of(instance, "bob"), "decide", {"decision": "approve", "comment": "同意"})
    instance.refresh_from_db()
    assert instance.state == ProcessInstance.State.APPROVED
    refused = ann.post(f"{url(instance)}withdraw/", {"withdraw-comment": "x"})
    assert refused.status_code == 409
    assert "errorlist" in page_text(refused)

    started = page_text(author.get("/workflow/?tab=started"))
    assert 'data-state="approved"' in started
    kinds = list(instance.actions.values_list("kind", flat=True))
    assert kinds == ["start", "approve", "return", "approve", "withdraw", "approve", "approve", "approve", "complete"]
    trace = page_text(author.get(url(instance)))
    assert trace.count('data-kind="approve"') == 5 and 'data-kind="return"' in trace and 'data-kind="withdraw"' in trace
    done = page_text(bob.get("/workflow/?tab=done"))
    assert f'data-instance="{instance.pk}"' in done


def test_reject_needs_an_opinion_and_changes_nothing_without_one(client, people):
    instance = start(people)
    ann = signed_in(client, people["ann"])
    response = act(ann, item_of(instance, "ann"), "decide", {"decision": "reject", "comment": ""})
    assert response.status_code == 422
    assert 'class="errorlist' in page_text(response)
    assert item_of(instance, "ann").state == WorkItem.State.OPEN
    assert act(ann, item_of(instance, "ann"), "decide", {"decision": "reject", "comment": "不符合规定"}).status_code == 302
    instance.refresh_from_db()
    assert instance.state == ProcessInstance.State.REJECTED


def test_invalid_start_values_are_shown_on_the_form(client, people):
    store()
    author = signed_in(client, people["author"])
    response = author.post("/workflow/start/leave/", {"title": "", "data-reason": "", "data-amount": "-1"})
    assert response.status_code == 400
    assert not ProcessInstance.objects.exists()
    assert page_text(response).count('class="errorlist') >= 3


# --- Attachments ------------------------------------------------------------------------------------


OFD_ROOT = '<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"/>'


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_an_executable_renamed_pdf_is_refused(client, people, media):
    instance = start(people)
    ann = signed_in(client, people["ann"])
    response = ann.post(f"/workflow/items/{item_of(instance, 'ann').pk}/decide/",
                        {"decision": "approve", "comment": "同意", "attachment": upload("报告.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200)})
    assert response.status_code == 400
    assert "报告.pdf" in page_text(response)
    assert item_of(instance, "ann").state == WorkItem.State.OPEN
    assert not Action.objects.filter(instance=instance, kind=Action.Kind.APPROVE).exists()
    assert not media.exists() or not any(media.rglob("*.pdf"))


def test_an_attachment_over_ten_megabytes_is_refused(client, people, media):
    instance = start(people)
    ann = signed_in(client, people["ann"])
    big = upload("扫描件.pdf", b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024))
    response = ann.post(f"/workflow/items/{item_of(instance, 'ann').pk}/decide/", {"decision": "approve", "attachment": big})
    assert response.status_code == 400
    assert "10 MB" in page_text(response)
    assert item_of(instance, "ann").state == WorkItem.State.OPEN


@pytest.mark.parametrize(("name", "content", "accepted"), [
    ("a.txt", "说明文字".encode(), True),
    ("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, True),
    ("a.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, True),
    ("a.docx", b"PK\x03\x04not really a zip", False),
    ("a.exe", b"MZ\x90\x00", False),
    ("a.txt", b"MZ\x90\x00\x00\x00", False),
    ("noextension", b"%PDF-1.4", False),
])
def test_attachment_types(name, content, accepted):
    from django import forms

    from zhengtong.platform.workflow.forms_web import check_attachment

    if accepted:
        assert check_attachment(upload(name, content)) is not None
    else:
        with pytest.raises(forms.ValidationError):
            check_attachment(upload(name, content))


def test_an_office_document_is_checked_inside(tmp_path):
    import io
    import zipfile

    from django import forms

    from zhengtong.platform.workflow.forms_web import check_attachment

    def archive(names):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zipped:
            for name in names:
                zipped.writestr(name, OFD_ROOT if name == "OFD.xml" else "x")
        return buffer.getvalue()

    assert check_attachment(upload("a.docx", archive(["[Content_Types].xml", "word/document.xml"])))
    assert check_attachment(upload("a.xlsx", archive(["[Content_Types].xml", "xl/workbook.xml"])))
    assert check_attachment(upload("a.ofd", archive(["OFD.xml", "Doc_0/Document.xml"])))
    with pytest.raises(forms.ValidationError):
        check_attachment(upload("a.docx", archive(["[Content_Types].xml", "xl/workbook.xml"])))


def test_a_good_attachment_is_kept_and_only_participants_download_it(client_for, people, outsider, media):
    instance = start(people)
    ann = client_for(people["ann"])
    response = post(ann, f"/workflow/items/{item_of(instance, 'ann').pk}/decide/",
                    {"decision": "approve", "comment": "见附件", "attachment": upload("意见.pdf", b"%PDF-1.7\n%%EOF\n")})
    assert response.status_code == 302
    action = Action.objects.get(instance=instance, kind=Action.Kind.APPROVE)
    assert action.attachment
    link = f"/workflow/attachments/{action.pk}/"
    assert link in page_text(client_for(people["author"]).get(url(instance)))
    assert_access_matrix(client_for, "GET", link, allowed=[people["author"]], hidden=[outsider])
    download = client_for(people["author"]).get(link)
    assert download["Content-Type"] == "application/octet-stream" and "attachment" in download["Content-Disposition"]


# --- Other actions through the pages ------------------------------------------------------------------


def test_transfer_delegate_and_hand_back(client, people):
    instance = start(people)
    ann = signed_in(client, people["ann"])
    assert act(ann, item_of(instance, "ann"), "delegate", {"delegate-to": "dan", "delegate-comment": "请先研究"}).status_code == 302
    dan = signed_in(type(client)(), people["dan"])
    dan_page = page_text(dan.get(url(instance)))
    assert 'id="hand-back-panel"' in dan_page and 'id="decide-form"' not in dan_page
    assert act(dan, item_of(instance, "dan"), "hand_back", {"hand_back-comment": "建议同意"}).status_code == 302
    assert act(ann, item_of(instance, "ann"), "transfer", {"transfer-to": "eve"}).status_code == 302
    eve_todo = page_text(signed_in(type(client)(), people["eve"]).get("/workflow/"))
    assert f'data-instance="{instance.pk}"' in eve_todo
    # Transferring to oneself is refused with the service's message.
    eve = signed_in(type(client)(), people["eve"])
    refused = act(eve, item_of(instance, "eve"), "transfer", {"transfer-to": "eve"})
    assert refused.status_code == 422 and 'class="errorlist' in page_text(refused)


def test_add_and_remove_a_signer(client, people):
    instance = start(people)
    ann = signed_in(client, people["ann"])
    response = act(ann, item_of(instance, "ann"), "signers", {"signers-people": "dan, eve", "signers-position": "before"})
    assert response.status_code == 302
    page = page_text(ann.get(url(instance)))
    assert 'id="added-signers"' in page
    added = WorkItem.objects.get(instance=instance, assignee__username="eve")
    assert act(ann, added, "remove").status_code == 302
    added.refresh_from_db()
    assert added.state == WorkItem.State.CANCELLED


def test_claim_a_pooled_task(client, people):
    instance = start(people, review_mode="claim", review_people="ann,dan")
    dan = signed_in(client, people["dan"])
    page = page_text(dan.get(url(instance)))
    assert 'id="claim-panel"' in page and 'id="decide-form"' not in page
    assert act(dan, item_of(instance, "dan"), "claim").status_code == 302
    assert 'id="decide-form"' in page_text(dan.get(url(instance)))
    assert not WorkItem.objects.filter(instance=instance, assignee__username="ann", state=WorkItem.State.OPEN).exists()


def test_copy_remind_cancel(client, people):
    instance = start(people)
    author = signed_in(client, people["author"])
    assert author.post(f"{url(instance)}copy/", {"copy-people": "dan", "copy-kind": "circulate"}).status_code == 302
    dan = signed_in(type(client)(), people["dan"])
    copied = page_text(dan.get("/workflow/?tab=copied"))
    assert f'data-instance="{instance.pk}"' in copied and 'data-count="copied">1<' in copied
    assert 'id="mark-read"' in page_text(dan.get(url(instance)))
    assert dan.post(f"{url(instance)}read/").status_code == 302
    assert Copy.objects.get(instance=instance, user=people["dan"]).read_at is not None

    assert author.post(f"{url(instance)}remind/", {"remind-comment": "请尽快"}).status_code == 302
    again = author.post(f"{url(instance)}remind/", {"remind-comment": "请尽快"})
    assert again.status_code == 409 and 'class="errorlist' in page_text(again)
    # Only the initiator may cancel; without a reason the form says so.
    assert author.post(f"{url(instance)}cancel/", {"cancel-comment": ""}).status_code == 400
    assert author.post(f"{url(instance)}cancel/", {"cancel-comment": "不再需要"}).status_code == 302
    instance.refresh_from_db()
    assert instance.state == ProcessInstance.State.CANCELLED


def test_standing_delegation_pages(client, people):
    author = signed_in(client, people["author"])
    response = author.post("/workflow/delegations/", {"to": "dan", "starts_on": "2026-01-05", "ends_on": "2026-01-01"})
    assert response.status_code == 422 and not StandingDelegation.objects.exists()
    response = author.post("/workflow/delegations/", {"to": "dan", "starts_on": "2026-01-01", "ends_on": "2026-12-31",
                                                      "reason": "出差"})
    assert response.status_code == 302
    delegation = StandingDelegation.objects.get()
    assert "出差" in page_text(author.get("/workflow/delegations/"))
    other = signed_in(type(client)(), people["eve"])
    assert other.post(f"/workflow/delegations/{delegation.pk}/revoke/").status_code == 404
    assert author.post(f"/workflow/delegations/{delegation.pk}/revoke/").status_code == 302
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None


# --- Administration ----------------------------------------------------------------------------------


def test_admin_lists_definitions_and_shows_the_diagram(client, people, manager):
    definition = store()
    admin = signed_in(client, manager)
    listing = page_text(admin.get("/workflow/admin/definitions/"))
    assert "请假审批" in listing and "general_approval" in listing
    detail = page_text(admin.get(f"/workflow/admin/definitions/{definition.pk}/"))
    assert "<svg" in detail and 'data-step="review"' in detail and "internal_note" in detail


def test_admin_uploads_a_new_version(client, people, manager):
    import json

    store()
    admin = signed_in(client, manager)
    assert "请假审批" in page_text(admin.get("/workflow/admin/definitions/upload/?key=leave"))
    bad = admin.post("/workflow/admin/definitions/upload/", {"key": "leave", "name": "请假审批", "process_id": "leave",
                                                             "bpmn": upload("x.bpmn", b"<not-bpmn/>"), "form_json": "[]"})
    assert bad.status_code == 422 and 'class="errorlist' in page_text(bad)
    good = admin.post("/workflow/admin/definitions/upload/", {
        "key": "leave", "name": "请假审批", "process_id": "leave", "form_json": json.dumps(FORM),
        "bpmn": upload("leave.bpmn", leave_xml(sign_name="局长签批").encode())})
    assert good.status_code == 302
    newest = ProcessDefinition.objects.get(key="leave", is_active=True)
    assert newest.version == 2 and newest.created_by == manager
    assert good["Location"] == f"/workflow/admin/definitions/{newest.pk}/"


def test_admin_finds_reassigns_and_terminates(client, people, manager):
    instance = start(people)
    admin = signed_in(client, manager)
    listing = page_text(admin.get("/workflow/admin/instances/?process=leave&state=running"))
    assert f'data-instance="{instance.pk}"' in listing
    assert f'data-instance="{instance.pk}"' not in page_text(admin.get("/workflow/admin/instances/?state=approved"))
    assert f'data-instance="{instance.pk}"' not in page_text(admin.get("/workflow/admin/instances/?overdue=on"))
    page = page_text(admin.get(url(instance)))
    assert 'id="admin-panel"' in page
    response = act(admin, item_of(instance, "ann"), "reassign", {"reassign-to": "eve", "reassign-comment": "a 休假"})
    assert response.status_code == 302
    assert item_of(instance, "eve").step_id == "review"
    refused = admin.post(f"{url(instance)}terminate/", {"terminate-comment": ""})
    assert refused.status_code == 400
    assert admin.post(f"{url(instance)}terminate/", {"terminate-comment": "重复申请"}).status_code == 302
    instance.refresh_from_db()
    assert instance.state == ProcessInstance.State.TERMINATED


def test_a_clerk_cannot_terminate_or_reassign_through_the_pages(client, people):
    instance = start(people)
    author = signed_in(client, people["author"])
    assert author.post(f"{url(instance)}terminate/", {"terminate-comment": "x"}).status_code == 403
    assert act(author, item_of(instance, "ann"), "reassign", {"reassign-to": "eve"}).status_code == 403
    instance.refresh_from_db()
    assert instance.state == ProcessInstance.State.RUNNING

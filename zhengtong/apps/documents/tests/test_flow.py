"""发文 to 收文 end to end through the services: draft, review, parallel countersign, sign-off,
number, dispatch to two units, both sign for it, one handles it to the end."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from zhengtong.apps.documents import queries, services
from zhengtong.apps.documents.models import Delivery, Document, Instruction, Version
from zhengtong.apps.documents.tests.conftest import act, draft_notice, incoming_for, item_of, to_dispatch
from zhengtong.errors import Conflict, ServiceError
from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.notices.models import NoticeRecipient
from zhengtong.platform.todo.services import notify_arrivals
from zhengtong.platform.workflow.models import Copy, WorkItem


def test_a_notice_goes_from_draft_to_closed_in_a_receiving_unit(org):
    p = org.people
    document = draft_notice(org)
    assert (document.state, document.unit, document.issuer_mark) == ("draft", org.units["city"].unit, "市水务局文件")
    services.submit(acting_user=p["drafter"], document=document,
                    countersign_departments=[org.units["city"].planning.pk, org.units["city"].finance.pk], signer="director")
    act(org, document, "ziyuan_head", comment="核稿同意")
    # 会签: both departments at once, in parallel.
    open_steps = set(WorkItem.objects.filter(instance_id=document.instance_id, state="open").values_list("assignee__username", flat=True))
    assert open_steps == {"plan_head", "finance_head"}
    act(org, document, "finance_head", comment="财务处同意")
    act(org, document, "plan_head", comment="规划处无意见")
    act(org, document, "director", comment="同意印发")
    document.refresh_from_db()
    assert (document.state, document.signers, document.written_on) == ("signed", "张局长", timezone.localdate())
    for step in ("recheck", "register", "print", "dispatch"):
        act(org, document, "wenshu", comment="")
        if step == "register":
            document.refresh_from_db()
            assert document.number == f"市水发〔{timezone.localdate().year}〕1号"
    document.refresh_from_db()
    assert document.state == "dispatched" and document.printed_on == timezone.localdate()
    # Every step's opinion is kept, in order, for the 签发 view.
    steps = [group["step"] for group in queries.opinions(document)]
    assert steps[:5] == ["拟稿", "核稿", "会签", "签发", "复核"]
    assert [e["comment"] for e in queries.opinions(document)[2]["entries"]] == ["财务处同意", "规划处无意见"]

    # Exchange: each district's registry has it to sign for; the sender sees per-unit status.
    east, west = incoming_for(document, "east", org), incoming_for(document, "west", org)
    assert (east.state, east.number, east.sender_name) == ("awaiting", document.number, "市水务局")
    notify_arrivals()  # the worker: each clerk's new 签收 to-do arrives as a notice, offering 签收 in place
    arrived = NoticeRecipient.objects.get(user=p["east_clerk"], notice__title__contains="防汛").notice
    assert arrived.title.startswith("新待办") and arrived.quick_actions == [{"code": "receive", "label": "签收"}]
    east = services.receive(acting_user=p["east_clerk"], delivery=east.delivery)
    west = services.receive(acting_user=p["west_clerk"], delivery=west.delivery)
    statuses = {d.unit.name: (d.state, d.received_by.username) for d in queries.deliveries(document)}
    assert statuses == {"东区水务局": ("received", "east_clerk"), "西区水务局": ("received", "west_clerk")}

    # 收文 in the east: 登记 → 初审 → 拟办 → 批办 → 承办 (two departments) → 传阅 → 办结.
    act(org, east, "east_clerk", comment="")
    east.refresh_from_db()
    assert east.register_number == f"收〔{timezone.localdate().year}〕1号" and east.handling_due is not None
    act(org, east, "east_clerk", comment="属我局办理")
    act(org, east, "east_clerk", comment="拟请局长阅示", data={"instructor": ["east_leader"]})
    supply, drain = org.units["east"].supply, org.units["east"].drain
    services.instruct(acting_user=p["east_leader"], document=east, item_id=item_of(east, "east_leader").pk,
                      text="请供水科牵头，排水科配合，按期落实。", ink="M10 10 L20 20", handling_departments=[supply.pk, drain.pk],
                      lead_department=supply.pk)
    assert Instruction.objects.get(document=east).text.startswith("请供水科牵头")
    services.circulate(acting_user=p["east_clerk"], document=east, usernames=["east_reader"])
    act(org, east, "east_drain_head", comment="排水科已落实")
    act(org, east, "east_supply_head", comment="供水科已落实")
    services.mark_read(acting_user=p["east_reader"], document=east)
    [receipt] = queries.circulation(east)
    assert receipt.user.username == "east_reader" and receipt.read_at is not None
    act(org, east, "east_supply_head", comment="已按要求部署防汛工作。")
    east.refresh_from_db()
    assert (east.state, east.reply, east.lead_department) == ("closed", "已按要求部署防汛工作。", supply)
    # The sender is told the result (答复).
    assert NoticeRecipient.objects.filter(user=p["drafter"], notice__title__startswith="Reply to").exists() or \
        NoticeRecipient.objects.filter(user=p["drafter"], notice__body__contains="已按要求部署").exists()
    assert AuditRecord.objects.filter(action="documents.step.close").exists()


def test_text_changes_before_sign_off_are_versions_and_refused_after(org):
    document = draft_notice(org)
    services.edit(acting_user=org.people["drafter"], document=document, changes={"body": "第二稿正文"}, note="改正文")
    services.submit(acting_user=org.people["drafter"], document=document, signer="director")
    # The reviewer (核稿) may edit; the drafter no longer may while it is with them.
    services.edit(acting_user=org.people["ziyuan_head"], document=document, changes={"title": "关于做好防汛工作的通知"})
    with pytest.raises(PermissionDenied):
        services.edit(acting_user=org.people["drafter"], document=document, changes={"body": "私改"})
    act(org, document, "ziyuan_head")
    act(org, document, "director")
    versions = list(Version.objects.filter(document=document).values_list("number", "author__username"))
    assert versions == [(1, "drafter"), (2, "drafter"), (3, "ziyuan_head"), (4, "director")]
    runs = queries.compare(Version.objects.get(document=document, number=1), Version.objects.get(document=document, number=2))
    # The runs rebuild both texts: what was removed and what was added are marked as such.
    assert "".join(text for op, text in runs if op != "delete") == "关于做好2026年防汛工作的通知\n第二稿正文"
    assert "提高认识" in "".join(text for op, text in runs if op == "delete")
    with pytest.raises(Conflict):
        services.edit(acting_user=org.people["director"], document=document, changes={"body": "签发后再改"})
    document.refresh_from_db()
    assert document.body == "第二稿正文"


def test_a_rejected_document_returns_to_its_drafter_and_voids_its_number_in_the_register(org):
    document = draft_notice(org)
    services.submit(acting_user=org.people["drafter"], document=document, signer="director")
    act(org, document, "ziyuan_head")
    act(org, document, "director")
    act(org, document, "wenshu")
    act(org, document, "wenshu")  # 登记: 市水发〔year〕1号
    act(org, document, "wenshu", approve=False, comment="印制前发现附件缺失")
    document.refresh_from_db()
    assert (document.state, document.number, document.instance) == ("draft", "", None)
    record = document.number_records.get()
    assert (record.sequence, record.state, record.reason) == (1, "voided", "印制前发现附件缺失")
    # The voided number is issued again, openly, before the counter moves on.
    second = to_dispatch(org, draft_notice(org, title="另一份通知"))
    assert second.number.endswith("〕1号")
    third = to_dispatch(org, draft_notice(org, title="第三份通知"))
    assert third.number.endswith("〕2号")


def test_the_receiving_unit_can_send_a_document_back_with_a_reason(org):
    document = to_dispatch(org)
    west = services.receive(acting_user=org.people["west_clerk"], delivery=incoming_for(document, "west", org).delivery)
    act(org, west, "west_clerk")
    act(org, west, "west_clerk", approve=False, comment="不属我局职责")
    delivery = Delivery.objects.get(incoming=west)
    assert (delivery.state, delivery.reason) == ("sent_back", "不属我局职责")
    west.refresh_from_db()
    assert west.state == "sent_back"


def test_signing_for_another_units_document_is_refused(org):
    document = to_dispatch(org)
    east = incoming_for(document, "east", org)
    with pytest.raises(Exception) as refused:
        services.receive(acting_user=org.people["west_clerk"], delivery=east.delivery)
    assert refused.type.__name__ in ("Http404", "PermissionDenied")
    services.receive(acting_user=org.people["east_clerk"], delivery=east.delivery)
    with pytest.raises(Conflict):
        services.receive(acting_user=org.people["east_clerk"], delivery=east.delivery)


def test_the_sender_reminds_units_that_have_not_signed_for_it_but_not_twice_at_once(org):
    document = to_dispatch(org)
    services.receive(acting_user=org.people["east_clerk"], delivery=incoming_for(document, "east", org).delivery)
    reminded = services.remind_recipients(acting_user=org.people["drafter"], document=document)
    assert [d.unit.name for d in reminded] == ["西区水务局"]
    with pytest.raises(Conflict):
        services.remind_recipients(acting_user=org.people["drafter"], document=document)
    with pytest.raises(PermissionDenied):
        services.remind_recipients(acting_user=org.people["plan_head"], document=document)


def test_a_paper_document_is_registered_by_hand_and_handled(org):
    document = services.register_by_hand(acting_user=org.people["east_clerk"], doc_type="函", title="关于商请协助调查的函",
                                         sender_name="市生态环境局", number="市环函〔2026〕3号")
    assert (document.direction, document.state, document.unit) == ("in", "handling", org.units["east"].unit)
    act(org, document, "east_clerk")
    document.refresh_from_db()
    assert document.register_number.endswith("〕1号")
    with pytest.raises(PermissionDenied):
        services.register_by_hand(acting_user=org.people["east_reader"], doc_type="函", title="x", sender_name="y")


def test_incoming_lists_and_supervision_show_only_what_the_registry_keeps(org):
    document = to_dispatch(org)
    east = services.receive(acting_user=org.people["east_clerk"], delivery=incoming_for(document, "east", org).delivery)
    listed = queries.listing(org.people["east_clerk"], queries.Filters(direction=Document.Direction.INCOMING))
    assert list(listed) == [east]
    assert list(queries.listing(org.people["west_reader"], queries.Filters(direction=Document.Direction.INCOMING))) == []
    found = queries.listing(org.people["drafter"], queries.Filters(direction=Document.Direction.OUTGOING, text="防汛"))
    assert list(found) == [document]
    assert list(queries.listing(org.people["drafter"], queries.Filters(direction="out", text="抗旱"))) == []
    board = queries.supervision(org.people["east_clerk"])
    assert board["by_state"] == {"handling": 1}


def test_drafting_above_the_deployment_or_own_clearance_is_refused(org, settings):
    with pytest.raises(ServiceError) as refused:
        draft_notice(org, secrecy=3, secrecy_period="1年")
    assert "secrecy" in refused.value.fields
    with pytest.raises(ServiceError) as refused:
        draft_notice(org, classification=2)
    assert "classification" in refused.value.fields
    assert not Document.objects.exists()


def test_countersign_and_circulation_copies_are_read_receipts(org):
    document = to_dispatch(org)
    east = services.receive(acting_user=org.people["east_clerk"], delivery=incoming_for(document, "east", org).delivery)
    services.circulate(acting_user=org.people["east_clerk"], document=east, usernames=["east_reader", "east_leader"])
    assert Copy.objects.filter(instance_id=east.instance_id, read_at__isnull=True).count() == 2


def test_a_finished_document_is_packaged_for_the_archives(org):
    from zhengtong.apps.documents.archiving import package_for_archives

    document = to_dispatch(org)
    with pytest.raises(PermissionDenied):
        package_for_archives(acting_user=org.people["drafter"], document=document)
    package = package_for_archives(acting_user=org.people["wenshu"], document=document)
    assert package.number == document.number and package.text_pdf.startswith(b"%PDF")
    assert [group["step"] for group in package.record][:4] == ["拟稿", "核稿", "会签", "签发"]
    assert {r["unit"] for r in package.receipts} == {"东区水务局", "西区水务局"}
    assert AuditRecord.objects.filter(action="documents.handed_to_archives").count() == 1
    draft = draft_notice(org, title="草稿不归档")
    with pytest.raises(Conflict):
        package_for_archives(acting_user=org.people["wenshu"], document=draft)


def test_returning_a_registered_document_to_sign_off_voids_its_number_and_reopens_the_text(org):
    from zhengtong.platform.workflow import services as workflow

    document = draft_notice(org)
    services.submit(acting_user=org.people["drafter"], document=document, signer="director")
    act(org, document, "ziyuan_head")
    act(org, document, "director")
    act(org, document, "wenshu")  # 复核
    act(org, document, "wenshu")  # 登记: number 1
    workflow.return_to(acting_user=org.people["wenshu"], item_id=item_of(document, "wenshu").pk, step_id="sign_off",
                       comment="印制前发现实质性错误，请领导重新签发")
    document.refresh_from_db()
    assert (document.state, document.number, document.signers) == ("in_progress", "", "")
    assert document.number_records.get().state == "voided"
    services.edit(acting_user=org.people["director"], document=document, changes={"body": "更正后的正文"}, note="更正")
    act(org, document, "director", comment="重新签发")
    act(org, document, "wenshu")
    act(org, document, "wenshu")
    document.refresh_from_db()
    assert document.number.endswith("〕1号") and document.body == "更正后的正文"


def test_proposing_without_naming_the_instructing_leader_is_refused(org):
    document = to_dispatch(org)
    east = services.receive(acting_user=org.people["east_clerk"], delivery=incoming_for(document, "east", org).delivery)
    act(org, east, "east_clerk")
    act(org, east, "east_clerk")
    with pytest.raises(ServiceError):
        act(org, east, "east_clerk", comment="拟请阅示")  # 拟办 without naming the leader
    assert item_of(east, "east_clerk").step_id == "propose"


def test_signing_for_in_place_from_the_workbench(org):
    from zhengtong.errors import NotFound
    from zhengtong.platform.todo import actions
    from zhengtong.platform.todo.models import Entry

    document = to_dispatch(org)
    entry = Entry.objects.get(user=org.people["east_clerk"], app="documents", tab="todo")
    assert entry.title == document.title and entry.subtitle == "签收"
    with pytest.raises(NotFound):
        actions.act(acting_user=org.people["west_clerk"], entry_id=entry.pk, code="receive")
    actions.act(acting_user=org.people["east_clerk"], entry_id=entry.pk, code="receive")
    assert incoming_for(document, "east", org).state == "handling"
    entry.refresh_from_db()
    assert (entry.tab, entry.state) == ("done", "closed")


def test_searching_by_one_character_finds_titles_holding_it(org):
    draft_notice(org, title="关于做好防汛工作的通知")
    draft_notice(org, title="关于开展节能宣传的通知")
    found = queries.listing(org.people["drafter"], queries.Filters(direction="out", text="汛"))
    assert [d.title for d in found] == ["关于做好防汛工作的通知"]


def test_a_drafter_who_has_left_does_not_block_the_receiving_unit(org):
    document = to_dispatch(org)
    type(org.people["drafter"]).objects.filter(pk=org.people["drafter"].pk).update(is_active=False)
    west = services.receive(acting_user=org.people["west_clerk"], delivery=incoming_for(document, "west", org).delivery)
    act(org, west, "west_clerk")
    act(org, west, "west_clerk", approve=False, comment="不属我局职责")
    assert Delivery.objects.get(incoming=west).state == "sent_back"

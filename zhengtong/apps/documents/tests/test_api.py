"""The documents API: the whole 发文 and 签收 through JSON, and its refusals."""

import json

from django.utils import timezone

from zhengtong.apps.documents.models import Document
from zhengtong.apps.documents.tests.conftest import draft_notice


def _post(client, url, payload=None):
    return client.post(url, json.dumps(payload or {}), content_type="application/json")


def _step(client, document_id, **extra):
    item = client.get(f"/api/documents/{document_id}").json()["my_item_id"]
    assert item, "no open step for this person"
    return _post(client, f"/api/documents/{document_id}/decide", {"item_id": item, **extra})


def test_a_notice_goes_out_and_is_signed_for_through_the_api(org, api_for):
    p, units = org.people, org.units
    drafter = api_for(p["drafter"])
    created = _post(drafter, "/api/documents/", {"doc_type": "通知", "title": "关于开展供水安全检查的通知", "body": "请各单位开展自查。",
                                                 "issuer_code": "市水发", "main_recipients": [units["east"].unit.pk],
                                                 "copied_recipients": [units["west"].unit.pk]})
    assert created.status_code == 201, created.content
    document_id = created.json()["id"]
    assert _post(drafter, f"/api/documents/{document_id}/submit", {"signer": "director"}).status_code == 200
    assert _step(api_for(p["ziyuan_head"]), document_id, comment="同意").status_code == 200
    assert _step(api_for(p["director"]), document_id, comment="同意印发").json()["state"] == "signed"
    clerk = api_for(p["wenshu"])
    for _name in ("recheck", "register", "print", "dispatch"):
        answer = _step(clerk, document_id)
        assert answer.status_code == 200, answer.content
    detail = drafter.get(f"/api/documents/{document_id}").json()
    assert detail["state"] == "dispatched" and detail["number"] == f"市水发〔{timezone.localdate().year}〕1号"
    assert {(d["unit"], d["kind"]) for d in detail["deliveries"]} == {("东区水务局", "main"), ("西区水务局", "copy")}
    east = Document.objects.get(source_id=document_id, unit=units["east"].unit)
    received = _post(api_for(p["east_clerk"]), f"/api/documents/{east.pk}/receive")
    assert received.status_code == 200 and received.json()["state"] == "handling"
    again = _post(api_for(p["east_clerk"]), f"/api/documents/{east.pk}/receive")
    assert again.status_code == 409
    incoming = api_for(p["east_clerk"]).get("/api/documents/", {"direction": "in"}).json()["items"]
    assert [row["title"] for row in incoming] == ["关于开展供水安全检查的通知"]


def test_bad_input_is_a_clear_error_and_changes_nothing(org, api_for):
    drafter = api_for(org.people["drafter"])
    answer = _post(drafter, "/api/documents/", {"doc_type": "便条", "title": ""})
    assert answer.status_code == 422 and set(answer.json()["fields"]) >= {"doc_type", "title"}
    assert _post(drafter, "/api/documents/", {"title": "x", "main_recipients": [999999]}).status_code == 422
    assert not Document.objects.exists()


def test_outsiders_get_404_and_editing_after_sign_off_is_a_conflict(org, api_for):
    from zhengtong.apps.documents import services
    from zhengtong.apps.documents.tests.conftest import act

    document = draft_notice(org)
    assert api_for(org.people["east_clerk"]).get(f"/api/documents/{document.pk}").status_code == 404
    anonymous = api_for(None).get(f"/api/documents/{document.pk}")
    assert anonymous.status_code == 401
    services.submit(acting_user=org.people["drafter"], document=document, signer="director")
    act(org, document, "ziyuan_head")
    act(org, document, "director")
    answer = api_for(org.people["director"]).patch(f"/api/documents/{document.pk}", json.dumps({"changes": {"body": "改"}}),
                                                   content_type="application/json")
    assert answer.status_code == 409


def test_the_gb_t_9704_files_download_and_each_download_is_audited(org, api_for):
    from zhengtong.platform.audit.models import AuditRecord

    document = draft_notice(org)
    client = api_for(org.people["drafter"])
    pdf = client.get(f"/api/documents/{document.pk}/print.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    docx = client.get(f"/api/documents/{document.pk}/print.docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert client.get(f"/api/documents/{document.pk}/print.exe").status_code == 404
    assert api_for(org.people["east_clerk"]).get(f"/api/documents/{document.pk}/print.pdf").status_code == 404
    assert AuditRecord.objects.filter(action="documents.downloaded").count() == 2


def test_a_year_no_date_can_hold_is_a_clear_error_not_a_500(org, api_for):
    # Found by the API fuzz run (tests/fuzz): ?year=-1090 failed building the date lookup (500).
    document = draft_notice(org)
    drafter = api_for(org.people["drafter"])
    for year in (-1090, 1, 10000):
        response = drafter.get("/api/documents/", {"year": year})
        assert response.status_code == 422, response.content
        assert list(response.json()["fields"]) == ["year"]
    this_year = drafter.get("/api/documents/", {"year": document.created_at.year}).json()["items"]
    assert [item["id"] for item in this_year] == [document.pk]


def test_instructing_without_holding_the_step_is_refused_and_keeps_nothing(org, api_for):
    from zhengtong.apps.documents import services
    from zhengtong.apps.documents.models import Instruction
    from zhengtong.apps.documents.tests.conftest import act, item_of

    p = org.people
    document = services.register_by_hand(acting_user=p["wenshu"], doc_type="函", title="省厅来函", sender_name="省水利厅")
    act(org, document, "wenshu", comment="")
    act(org, document, "wenshu", comment="")
    act(org, document, "wenshu", comment="拟请局长阅示", data={"instructor": ["director"]})
    water = org.units["city"].water
    response = _post(api_for(p["wenshu"]), f"/api/documents/{document.pk}/instruct", {
        "item_id": item_of(document, "director").pk, "text": "请水资源处办理", "handling_departments": [water.pk],
        "lead_department": water.pk})
    assert response.status_code == 403 and response.json()["error"] == "forbidden"
    document.refresh_from_db()
    assert not Instruction.objects.filter(document=document).exists() and document.lead_department is None

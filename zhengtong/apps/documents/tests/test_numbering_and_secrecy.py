"""发文字号 without gaps or duplicates, and 密级 checked against each reader's clearance."""

import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from zhengtong.apps.documents import numbering, services
from zhengtong.apps.documents.models import Document, NumberRecord, NumberSequence
from zhengtong.apps.documents.tests.conftest import act, build_org, draft_notice, item_of
from zhengtong.errors import Conflict
from zhengtong.platform.access.models import ClassificationLevel

YEAR = timezone.localdate().year


def _to_register(org, title):
    document = draft_notice(org, title=title)
    services.submit(acting_user=org.people["drafter"], document=document, signer="director")
    act(org, document, "ziyuan_head")
    act(org, document, "director")
    act(org, document, "wenshu")  # 复核; next is 登记
    return document


def test_a_document_cannot_take_a_second_number(org):
    document = _to_register(org, "编号一次")
    act(org, document, "wenshu")
    document.refresh_from_db()
    with pytest.raises(Conflict):
        numbering.take(code="市水发", document=document, acting_user=org.people["wenshu"])
    assert NumberRecord.objects.filter(document=document).count() == 1


def test_a_failed_registration_leaves_no_gap(org):
    first = _to_register(org, "第一份")
    Document.objects.filter(pk=first.pk).update(issuer_code="")  # registering it will fail: no 机关代字
    with pytest.raises(services.ServiceError) as refused:
        act(org, first, "wenshu")
    assert "issuer_code" in refused.value.fields
    assert not NumberRecord.objects.exists()
    assert NumberSequence.objects.filter(code="市水发").values_list("last", flat=True).first() in (None, 0)
    second = _to_register(org, "第二份")
    act(org, second, "wenshu")
    second.refresh_from_db()
    assert second.number == f"市水发〔{YEAR}〕1号"


def test_cancelling_a_registered_document_voids_its_number_openly(org):
    document = _to_register(org, "将被撤销")
    act(org, document, "wenshu")
    services.cancel(acting_user=org.people["drafter"], document=document, reason="内容需重新研究")
    document.refresh_from_db()
    assert (document.state, document.number) == ("cancelled", "")
    assert list(NumberRecord.objects.values_list("sequence", "state", "reason")) == [(1, "voided", "内容需重新研究")]
    with pytest.raises(Conflict):
        services.cancel(acting_user=org.people["drafter"], document=document, reason="again")


@pytest.fixture
def classified(org, settings):
    """A deployment accredited for 秘密: the level exists and may be held."""
    settings.MAX_CLASSIFICATION = 3
    ClassificationLevel.objects.get_or_create(rank=3, defaults={"name": "秘密"})
    for name in ("drafter", "ziyuan_head", "director"):
        org.people[name].clearance = 3
        org.people[name].save(update_fields=["clearance"])
    return org


def test_a_reader_below_the_documents_secrecy_gets_404(classified, client_for):
    org = classified
    document = draft_notice(org, secrecy=3, secrecy_period="1年", title="秘密通知")
    assert (document.classification, services.secrecy_mark(document)) == (3, "秘密★1年")
    services.submit(acting_user=org.people["drafter"], document=document, signer="director")
    # The department head may see it (clearance 3); the countersigner below it was never offered it.
    assert client_for(org.people["ziyuan_head"]).get(reverse("documents:detail", args=[document.pk])).status_code == 200
    assert client_for(org.people["wenshu"]).get(reverse("documents:detail", args=[document.pk])).status_code == 404
    listed = services.Document.objects.filter(pk=document.pk)
    from zhengtong.apps.documents import queries

    assert list(queries.visible_documents(org.people["wenshu"]).filter(pk__in=listed)) == []


def test_a_signer_below_the_documents_secrecy_is_refused(classified):
    org = classified
    document = draft_notice(org, secrecy=3, secrecy_period="1年")
    with pytest.raises(services.ServiceError) as refused:
        services.submit(acting_user=org.people["drafter"], document=document, signer="office_head")
    assert "signer" in refused.value.fields


@pytest.mark.skipif(connection.vendor == "sqlite", reason="needs a database server for concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_two_registrations_at_the_same_moment_get_consecutive_numbers():
    org = build_org()
    documents = [_to_register(org, f"并发登记{n}") for n in (1, 2)]
    items = [item_of(document, "wenshu").pk for document in documents]
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def register(document, item_id):
        barrier.wait()
        try:
            services.decide(acting_user=org.people["wenshu"], document=document, item_id=item_id, approve=True)
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=pair) for pair in zip(documents, items, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    numbers = sorted(Document.objects.filter(pk__in=[d.pk for d in documents]).values_list("number_sequence", flat=True))
    assert numbers == [1, 2]

"""机关代字 and registries: kept by the system administrator, checked, audited; nobody else may."""

import pytest
from django.core.exceptions import PermissionDenied

from zhengtong.apps.documents import services
from zhengtong.apps.documents.models import IssuerCode
from zhengtong.errors import ServiceError
from zhengtong.platform.audit.models import AuditRecord


def test_the_system_administrator_adds_issuer_codes_in_the_back_office(org, client_for):
    admin = client_for(org.people["doc_admin"])
    admin.get("/admin/documents/issuercode/add/")
    response = admin.post("/admin/documents/issuercode/add/", {
        "unit": org.units["east"].unit.pk, "code": "东水发", "description": "区局发文",
        "csrfmiddlewaretoken": admin.cookies["zt_csrf"].value})
    assert response.status_code == 302, response.content.decode()[:500]
    assert IssuerCode.objects.filter(code="东水发", unit=org.units["east"].unit).exists()
    assert AuditRecord.objects.filter(action="documents.issuer_code_added").count() == 2  # the fixture's and this one


def test_issuer_codes_are_checked_and_only_for_administrators(org):
    with pytest.raises(PermissionDenied):
        services.add_issuer_code(acting_user=org.people["wenshu"], unit=org.units["city"].unit, code="市水函")
    for bad in ("市水发", "水〔", "", "12发"):
        with pytest.raises(ServiceError):
            services.add_issuer_code(acting_user=org.people["doc_admin"], unit=org.units["city"].unit, code=bad)
    with pytest.raises(ServiceError):
        services.add_issuer_code(acting_user=org.people["doc_admin"], unit=org.units["city"].water, code="水资函")
    assert IssuerCode.objects.count() == 1


def test_a_unit_without_a_registry_cannot_submit(org):
    from zhengtong.apps.documents.models import Registry

    Registry.objects.filter(unit=org.units["city"].unit).delete()
    document = services.create_draft(acting_user=org.people["drafter"], doc_type="函", title="关于商请提供数据的函")
    with pytest.raises(ServiceError) as refused:
        services.submit(acting_user=org.people["drafter"], document=document, signer="director")
    assert refused.value.code == "no_registry"

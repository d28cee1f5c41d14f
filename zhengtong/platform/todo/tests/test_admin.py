"""Integrated applications in the back office: registered through the service, token shown once, revoked by action."""

import re

from django.contrib.messages import get_messages
from django.test import Client

from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.todo import services
from zhengtong.platform.todo.models import IntegratedSystem


def test_registering_shows_the_token_once_and_stores_its_hash(sysadmin, clerk):
    office = Client()
    office.force_login(sysadmin)
    response = office.post("/admin/todo/integratedsystem/add/", {"name": "水资源系统", "code": "water",
                                                                  "base_url": "https://water.example.gov.cn", "scopes": ["todos"]})
    assert response.status_code == 302, response.content[:2000]
    application = IntegratedSystem.objects.get(code="water")
    [token] = [found for message in get_messages(response.wsgi_request) for found in re.findall(r"zta_\S+", str(message))]
    assert services.authenticate_system(token) == application
    assert token not in application.secret_hash
    assert AuditRecord.objects.filter(action="todo.system_created", actor_id=sysadmin.pk).exists()

    office.post("/admin/todo/integratedsystem/", {"action": "revoke", "_selected_action": [application.pk]})
    assert services.authenticate_system(token) is None

    outsider = Client()
    outsider.force_login(clerk)
    assert outsider.get("/admin/todo/integratedsystem/add/").status_code == 302

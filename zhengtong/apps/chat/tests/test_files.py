"""Files and images: checked by platform/files (type, content, size), shown to the members who may see them, nobody else."""

from __future__ import annotations

import base64
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from zhengtong.apps.chat.models import Conversation, Message
from zhengtong.platform.files.models import StoredFile

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def _send(client: Any, group: Conversation, name: str, data: bytes, content_type: str, client_id: str = "f1") -> Any:
    return client.post(f"/api/chat/conversations/{group.pk}/files",
                       {"file": SimpleUploadedFile(name, data, content_type), "client_msg_id": client_id})


def test_an_image_is_stored_checked_and_shown_to_members(api_for: Any, client_for: Any, people: dict[str, Any],
                                                         group: Conversation) -> None:
    sent = _send(api_for(people["li"]), group, "现场照片.png", PNG, "image/png")
    assert sent.status_code == 201
    body = sent.json()
    assert (body["kind"], body["text"], body["file"]["name"], body["file"]["kind"]) == ("image", "现场照片.png", "现场照片.png", "png")
    again = _send(api_for(people["li"]), group, "现场照片.png", PNG, "image/png")
    assert again.json()["id"] == body["id"] and StoredFile.objects.count() == 2  # the image and its thumbnail
    got = api_for(people["wang"]).get(body["file"]["url"])
    assert got.status_code == 200 and b"".join(got.streaming_content) == PNG
    assert api_for(people["zhao"]).get(body["file"]["url"]).status_code == 404
    page = client_for(people["wang"]).get(f"/apps/chat/{group.pk}/").content.decode()
    assert f'<img src="/api/chat/messages/{body["id"]}/thumbnail" alt="现场照片.png"' in page


def test_a_file_whose_content_is_not_what_it_claims_is_refused(api_for: Any, people: dict[str, Any], group: Conversation) -> None:
    refused = _send(api_for(people["li"]), group, "报告.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    assert refused.status_code == 422 and refused.json()["message"]
    assert not Message.objects.exists() and not StoredFile.objects.exists()


def test_a_file_over_the_limit_is_refused(api_for: Any, people: dict[str, Any], group: Conversation, monkeypatch: Any) -> None:
    from zhengtong.apps.chat import services

    monkeypatch.setattr(services, "FILE_MAX_MB", 0)
    refused = _send(api_for(people["li"]), group, "说明.txt", "防汛说明".encode(), "text/plain")
    assert refused.status_code == 422
    assert not Message.objects.exists()


def test_a_stranger_cannot_send_a_file(api_for: Any, people: dict[str, Any], group: Conversation) -> None:
    assert _send(api_for(people["zhao"]), group, "说明.txt", "内容".encode(), "text/plain").status_code == 404
    assert not StoredFile.objects.exists()


def test_the_page_form_uploads_a_file(client_for: Any, people: dict[str, Any], group: Conversation) -> None:
    client = client_for(people["li"])
    client.get(f"/apps/chat/{group.pk}/")
    upload = SimpleUploadedFile("说明.txt", "内容".encode(), "text/plain")
    response = client.post(f"/apps/chat/{group.pk}/upload/",
                           {"file": upload, "client_msg_id": "page-f", "csrfmiddlewaretoken": client.cookies["zt_csrf"].value})
    assert response.status_code == 302
    message = Message.objects.get()
    assert (message.kind, message.text) == ("file", "说明.txt")
    assert "说明.txt" in client.get(f"/apps/chat/{group.pk}/").content.decode()

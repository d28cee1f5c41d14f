"""Audio kinds, told by their content: WebM and Ogg with Opus, MP4 audio; a video or a renamed file is not audio."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengtong.errors import ServiceError
from zhengtong.platform.files import services
from zhengtong.platform.files.tests.audio import M4A, MP4_VIDEO, OGG, WEBM, WEBM_VIDEO

pytestmark = pytest.mark.django_db
AUDIO = ("webm", "ogg", "m4a")


@pytest.fixture(autouse=True)
def files_dir(settings: Any, tmp_path: Path) -> Path:
    settings.FILES_DIR = tmp_path / "files"
    return settings.FILES_DIR


def _check(name: str, data: bytes, claimed: str) -> str:
    return services.check(upload=SimpleUploadedFile(name, data, claimed), allowed_kinds=AUDIO)


@pytest.mark.parametrize(("name", "data", "claimed", "kind"), [
    ("语音.webm", WEBM, "audio/webm", "webm"), ("语音.ogg", OGG, "audio/ogg", "ogg"), ("语音.m4a", M4A, "audio/mp4", "m4a"),
    ("voice", WEBM, "", "webm"),  # no extension, no claim: the content decides
])
def test_recorded_audio_is_known_by_its_content(name: str, data: bytes, claimed: str, kind: str) -> None:
    assert _check(name, data, claimed) == kind


@pytest.mark.parametrize(("name", "data", "code"), [
    ("语音.webm", "这不是录音".encode(), "wrong_extension"),  # a text renamed
    ("语音.webm", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17, "wrong_extension"),  # an image renamed
    ("语音.webm", WEBM_VIDEO, "unknown_kind"),
    ("语音.m4a", MP4_VIDEO, "unknown_kind"),
    ("语音.ogg", b"OggS\x00\x02" + b"\x00" * 40 + b"\x80theora", "unknown_kind"),
])
def test_what_is_not_audio_is_refused_whatever_its_name(name: str, data: bytes, code: str) -> None:
    with pytest.raises(ServiceError) as refused:
        _check(name, data, "audio/webm")
    assert refused.value.code == code and refused.value.fields["file"]


def test_an_audio_file_is_only_accepted_where_audio_is(tmp_path: Path) -> None:
    with pytest.raises(ServiceError) as refused:
        services.check(upload=SimpleUploadedFile("语音.webm", WEBM, "audio/webm"), allowed_kinds=("pdf", "png"))
    assert refused.value.code == "kind_not_allowed"

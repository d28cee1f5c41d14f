"""Storing attachments and handing them out again.

Whether a person may attach a file to a record, or download one, is the owning app's
decision: it checks its own record through ``access.policy.require`` and only then calls
``store`` or ``open_for_download``. These check only that someone active is signed in.

Blobs live at FILES_DIR/ab/cd/<sha256>, written once per content. Uploads are streamed to
FILES_DIR/incoming first and moved into place only when every check has passed.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from zhengtong.errors import ServiceError
from zhengtong.platform.audit import services as audit
from zhengtong.platform.files import content
from zhengtong.platform.files.content import refused
from zhengtong.platform.files.models import OWNER_MAX_LENGTH, StoredFile

CHUNK = 1024 * 1024
NAME_MAX = 200


class Upload(Protocol):
    name: str | None
    size: int | None

    def chunks(self) -> Iterable[bytes]: ...


@dataclass(frozen=True)
class Kind:
    content_type: str
    extensions: tuple[str, ...]
    # Other names browsers and operating systems send for it (Windows says a CSV is "application/vnd.ms-excel").
    also_claimed_as: tuple[str, ...] = ()

    def claimed_by(self, claimed: str) -> bool:
        # WPS Office on Linux desktops (Kylin, UOS) registers its own type per extension: "application/wps-office.docx".
        return (claimed in GENERIC_CLAIMS or claimed == self.content_type.split(";")[0] or claimed in self.also_claimed_as
                or claimed in {f"application/wps-office.{extension}" for extension in self.extensions})


_ZIP_CLAIMS = ("application/zip", "application/x-zip-compressed", "application/x-zip")
_OLE2_CLAIMS = ("application/x-ole-storage", "application/cdfv2")
# What a client sends when it does not know: no claim to hold the content to.
GENERIC_CLAIMS = frozenset({"", "application/octet-stream", "binary/octet-stream", "application/unknown"})

# The kinds accepted at all; ``allowed_kinds`` narrows them per use ("pdf", "ofd", ...).
KINDS = {
    "pdf": Kind("application/pdf", ("pdf",), ("application/x-pdf", "application/acrobat")),
    "ofd": Kind("application/ofd", ("ofd",), ("application/x-ofd", *_ZIP_CLAIMS)),
    "docx": Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",), _ZIP_CLAIMS),
    "xlsx": Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",), _ZIP_CLAIMS),
    "pptx": Kind("application/vnd.openxmlformats-officedocument.presentationml.presentation", ("pptx",), _ZIP_CLAIMS),
    "doc": Kind("application/msword", ("doc",), _OLE2_CLAIMS),
    "xls": Kind("application/vnd.ms-excel", ("xls",), ("application/msexcel", *_OLE2_CLAIMS)),
    "ppt": Kind("application/vnd.ms-powerpoint", ("ppt",), _OLE2_CLAIMS),
    "png": Kind("image/png", ("png",), ("image/x-png",)),
    "jpeg": Kind("image/jpeg", ("jpg", "jpeg"), ("image/pjpeg", "image/jpg")),
    "gif": Kind("image/gif", ("gif",)),
    "tiff": Kind("image/tiff", ("tif", "tiff"), ("image/x-tiff",)),
    "txt": Kind("text/plain; charset=utf-8", ("txt", "csv", "md", "json", "xml", "log"),
                ("text/csv", "text/markdown", "text/x-markdown", "text/xml", "text/x-log", "application/json", "application/xml",
                 "application/csv", "application/vnd.ms-excel")),
    "zip": Kind("application/zip", ("zip",), _ZIP_CLAIMS[1:] + ("multipart/x-zip",)),
    # Audio as browsers record it (MediaRecorder): WebM or Ogg with Opus, MP4 audio (Safari).
    "webm": Kind("audio/webm", ("webm", "weba"), ("video/webm",)),
    "ogg": Kind("audio/ogg", ("ogg", "oga", "opus"), ("audio/opus", "application/ogg")),
    "m4a": Kind("audio/mp4", ("m4a", "mp4"), ("audio/x-m4a", "audio/m4a", "audio/aac", "video/mp4")),
}
_MAGIC = (
    (b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF87a", "gif"), (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"),
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Audio containers: sniffed from their head (AUDIO_HEAD bytes), and only when they hold sound and no picture.
AUDIO_HEAD = 64 * 1024
_EBML = b"\x1aE\xdf\xa3"
_WEBM_DOCTYPE = b"\x42\x82\x84webm"  # the EBML DocType element, 4 bytes: "webm"
_WEBM_AUDIO = (b"A_OPUS", b"A_VORBIS")
_WEBM_VIDEO = re.compile(rb"\x86[\x80-\xff]V_")  # a CodecID element naming a video codec
_OGG = b"OggS"
_OGG_AUDIO = (b"OpusHead", b"\x01vorbis")
_MP4_HANDLER = re.compile(rb"hdlr.{8}(soun|vide)", re.DOTALL)
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_NOT_IN_NAMES = re.compile(r'[<>:"|?*]')


def blob_path(sha256: str) -> Path:
    return Path(settings.FILES_DIR) / sha256[:2] / sha256[2:4] / sha256


def store(*, acting_user: Any, upload: Upload, owner: str, allowed_kinds: Collection[str] | None = None,
          max_bytes: int | None = None) -> StoredFile:
    """Keep an uploaded file for ``owner`` ("app.model:pk", see ``models.owner_of``) after checking it.

    Refused, with nothing kept: an empty file, one over ``max_bytes`` (default UPLOAD_MAX_MB),
    content of no known kind or not in ``allowed_kinds``, a name whose extension or a content
    type the client claimed that says otherwise, and hostile content (``content.refuse_hostile``).
    """
    _require_signed_in(acting_user)
    return _keep(upload, owner=owner, kept_for=acting_user, actor=acting_user, allowed_kinds=allowed_kinds, max_bytes=max_bytes)


def keep_generated(*, content: bytes, name: str, owner: str, kept_for: Any, allowed_kinds: Collection[str]) -> StoredFile:
    """Keep a file the platform made itself (a signed rendering, an export), checked as an upload would be;
    the audit trail names the system as its author and ``kept_for`` as the person it is filed under."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    unclaimed = SimpleUploadedFile(name, content, "application/octet-stream")  # what it is, its content says
    return _keep(unclaimed, owner=owner, kept_for=kept_for, actor=None, allowed_kinds=allowed_kinds, max_bytes=None)


def _keep(upload: Upload, *, owner: str, kept_for: Any, actor: Any, allowed_kinds: Collection[str] | None,
          max_bytes: int | None) -> StoredFile:
    if not owner or len(owner) > OWNER_MAX_LENGTH:
        raise ValueError(f"owner must be 'app.model:pk' of at most {OWNER_MAX_LENGTH} characters, not {owner!r}")
    name = clean_name(upload.name or "")
    with _received(upload, name, max_bytes) as (temp, sha256, size):
        kind = _checked_kind(temp, name, size, allowed_kinds, _claimed(upload))
        with transaction.atomic():
            # Replacing an existing blob with the same bytes is harmless and repairs a damaged one.
            blob_path(sha256).parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp, blob_path(sha256))
            stored = StoredFile.objects.create(name=name, kind=kind, content_type=KINDS[kind].content_type, size=size,
                                               sha256=sha256, owner=owner, uploaded_by=kept_for)
            audit.record("files.stored", actor=actor, obj=stored,
                         changes=audit.diff({}, {"name": name, "kind": kind, "size": size, "sha256": sha256, "owner": owner}))
    return stored


def check(*, upload: Upload, allowed_kinds: Collection[str] | None = None, max_bytes: int | None = None) -> str:
    """The kind of an upload that its caller keeps elsewhere, after every check ``store`` makes; nothing is kept here."""
    name = clean_name(upload.name or "")
    with _received(upload, name, max_bytes) as (temp, _sha256, size):
        return _checked_kind(temp, name, size, allowed_kinds, _claimed(upload))


def open_for_download(*, acting_user: Any, stored: StoredFile, reason: str = "") -> FileResponse:
    """A streaming attachment response for ``stored``, recorded in the audit trail as ``files.downloaded``.

    The caller must have checked that ``acting_user`` may see the record that owns the file;
    this function does not (it cannot know the owner's rules).
    """
    _require_signed_in(acting_user)
    try:
        handle = blob_path(stored.sha256).open("rb")
    except FileNotFoundError:
        raise _missing(stored) from None
    try:
        audit.record("files.downloaded", actor=acting_user, obj=stored,
                     detail=f"sha256 {stored.sha256}, owner {stored.owner}" + (f", reason: {reason}" if reason else ""))
    except Exception:
        handle.close()
        raise
    response = FileResponse(handle, content_type=stored.content_type)
    response["Content-Disposition"] = _attachment(stored.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def discard(file_ids: Collection[int]) -> int:
    """Delete stored files their owning app no longer keeps (its retention has purged the records they
    belonged to), each audited; a blob goes once no stored file holds the same content. Call it inside
    the owner's transaction: the rows go with the records, the blobs after the commit."""
    rows = list(StoredFile.objects.filter(pk__in=list(file_ids)).values_list("pk", "sha256", "name", "owner"))
    if not rows:
        return 0
    StoredFile.objects.filter(pk__in=[pk for pk, *_rest in rows]).delete()
    for pk, _sha256, name, owner in rows:
        audit.record("files.discarded", object_type=StoredFile._meta.label_lower, object_id=str(pk), object_repr=name, detail=owner)
    hashes = {sha256 for _pk, sha256, *_rest in rows}
    transaction.on_commit(lambda: _unlink_unheld(hashes))
    return len(rows)


def _unlink_unheld(hashes: set[str]) -> None:
    # The same bytes stored again in the instant between this check and the unlink would lose their
    # blob (storing places the blob before its row commits); ``verify`` reports such a file as damaged.
    held = set(StoredFile.objects.filter(sha256__in=hashes).values_list("sha256", flat=True))
    for sha256 in hashes - held:
        blob_path(sha256).unlink(missing_ok=True)


def verify(stored: StoredFile) -> bool:
    """Whether the blob on disk still has the hash recorded when it was stored."""
    path = blob_path(stored.sha256)
    if not path.is_file():
        return False
    hasher = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest() == stored.sha256


def read_bytes(stored: StoredFile) -> bytes:
    """The whole content, checked against its hash; for small files only (it is all in memory)."""
    try:
        data = blob_path(stored.sha256).read_bytes()
    except FileNotFoundError:
        raise _missing(stored) from None
    if hashlib.sha256(data).hexdigest() != stored.sha256:
        raise ServiceError("corrupt", _("The stored content of “%(name)s” has been damaged. Tell the system administrator.")
                           % {"name": stored.name})
    return data


def clean_name(raw: str) -> str:
    """The last path component, without control or bidi characters, and short enough to keep."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if not unicodedata.category(char).startswith("C"))
    name = _NOT_IN_NAMES.sub("_", name).strip().lstrip(".").strip()
    if len(name) > NAME_MAX:
        stem, dot, extension = name.rpartition(".")
        tail = dot + extension if dot and len(extension) <= 10 else ""
        name = (stem if tail else name)[: NAME_MAX - len(tail)] + tail
    return name or "file"


def _require_signed_in(user: Any) -> None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied("files")


@contextmanager
def _received(upload: Upload, name: str, max_bytes: int | None) -> Iterator[tuple[Path, str, int]]:
    """The upload streamed to a file under FILES_DIR/incoming, with its SHA-256 and size; removed afterwards unless moved."""
    limit = settings.UPLOAD_MAX_MB * 1024 * 1024 if max_bytes is None else max_bytes
    if upload.size is not None and upload.size > limit:
        raise _too_large(name, limit)
    incoming = Path(settings.FILES_DIR) / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=incoming, delete=False)  # moved into place by the caller, or removed below
    temp = Path(handle.name)
    try:
        with handle:
            sha256, size = _copy(upload, handle, name, limit)
            os.fsync(handle.fileno())
        yield temp, sha256, size
    finally:
        temp.unlink(missing_ok=True)


def _claimed(upload: Upload) -> str:
    # Django's UploadedFile says what the client sent as the part's Content-Type; other uploads say nothing.
    return str(getattr(upload, "content_type", None) or "").split(";")[0].strip().lower()


def _copy(upload: Upload, target: IO[bytes], name: str, limit: int) -> tuple[str, int]:
    """Write the upload to ``target`` chunk by chunk; its SHA-256 and size. Stops at the limit."""
    hasher = hashlib.sha256()
    size = 0
    for chunk in upload.chunks():
        size += len(chunk)
        if size > limit:
            raise _too_large(name, limit)
        hasher.update(chunk)
        target.write(chunk)
    return hasher.hexdigest(), size


def _checked_kind(path: Path, name: str, size: int, allowed_kinds: Collection[str] | None, claimed: str) -> str:
    if size == 0:
        raise refused("empty", _("“%(name)s” is empty.") % {"name": name})
    stem, dot, extension = name.rpartition(".")
    extension = extension.lower() if dot and stem else ""
    kind = detect_kind(path, extension)
    if kind is None:
        raise refused("unknown_kind", _("“%(name)s” is not of a file type this system accepts.") % {"name": name})
    # Before the name is compared: an SVG or a web page named .txt is refused for what it is.
    content.refuse_hostile(path, name=name, kind=kind)
    if extension and extension not in KINDS[kind].extensions:
        raise refused("wrong_extension", _("“%(name)s” is named as a .%(extension)s file, but its content is %(kind)s.")
                      % {"name": name, "extension": extension, "kind": kind.upper()})
    if not KINDS[kind].claimed_by(claimed):
        raise refused("wrong_content_type", _("“%(name)s” was sent as %(claimed)s, but its content is %(kind)s.")
                      % {"name": name, "claimed": claimed[:100], "kind": kind.upper()})
    if allowed_kinds is not None and kind not in allowed_kinds:
        raise refused("kind_not_allowed", _("“%(name)s” is a %(kind)s file; only these types are accepted here: %(allowed)s.")
                      % {"name": name, "kind": kind.upper(), "allowed": ", ".join(sorted(k.upper() for k in allowed_kinds))})
    return kind


def detect_kind(path: Path, extension: str = "") -> str | None:
    """The kind of a file from its content, or None for none that is accepted.

    The extension only tells apart what the content cannot: Word, Excel and PowerPoint 97–2003
    share one container format.
    """
    with path.open("rb") as handle:
        head = handle.read(8)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(_OLE2):
        return extension if extension in ("xls", "ppt") else "doc"
    if head.startswith(_ZIP):
        return _zip_kind(path)
    if head.startswith((_EBML, _OGG)) or head[4:8] == b"ftyp":
        return _audio_kind(path, head)
    return "txt" if _is_utf8_text(path) else None


def _zip_kind(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return None
    if "OFD.xml" in names:
        return "ofd"
    if "[Content_Types].xml" in names:
        for prefix, kind in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
            if any(member.startswith(prefix) for member in names):
                return kind
    return "zip"


def _audio_kind(path: Path, head: bytes) -> str | None:
    """WebM (Matroska with the webm DocType) and Ogg holding Opus or Vorbis and no video track; MP4 whose
    tracks are all sound (its track list, ``moov``, may come after the media: the whole file is read)."""
    if head[4:8] == b"ftyp":
        handlers, tail = set(), b""
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                handlers |= {match.group(1) for match in _MP4_HANDLER.finditer(tail + chunk)}
                tail = chunk[-16:]  # a handler split across two chunks is still found
        return "m4a" if handlers == {b"soun"} else None
    with path.open("rb") as handle:
        lead = handle.read(AUDIO_HEAD)
    if head.startswith(_OGG):
        return "ogg" if any(codec in lead[:512] for codec in _OGG_AUDIO) else None
    has_audio = any(codec in lead for codec in _WEBM_AUDIO)
    return "webm" if _WEBM_DOCTYPE in lead[:64] and has_audio and not _WEBM_VIDEO.search(lead) else None


def _is_utf8_text(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(CHUNK):
                if _NOT_TEXT.search(decoder.decode(chunk)):
                    return False
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _attachment(name: str) -> str:
    # An ASCII stand-in for old clients, and the real name per RFC 5987 for the rest.
    fallback = name.encode("ascii", "replace").decode("ascii").replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _too_large(name: str, limit: int) -> ServiceError:
    return refused("too_large", _("“%(name)s” is larger than the limit of %(limit)s.") % {"name": name, "limit": filesizeformat(limit)})


def _missing(stored: StoredFile) -> ServiceError:
    return ServiceError("missing", _("The stored content of “%(name)s” cannot be found. Tell the system administrator.")
                        % {"name": stored.name})

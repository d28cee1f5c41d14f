"""What an upload holds beyond its kind: the hostile shapes refused before anything is kept.

``refuse_hostile`` runs on every upload (``services.store`` and ``services.check`` call it once the
kind is known from the content). It refuses, with a message that says what was found:

- archives (ZIP, and the ZIP inside DOCX, XLSX, PPTX and OFD) that unpack to absurd sizes or
  ratios, hold too many parts, nest too deep, overlap, repeat names, are encrypted or damaged —
  checked from the central directory first and then by streaming every part through a small
  buffer, never by unpacking into memory;
- Office files with macros or ActiveX, and with external relationships other than hyperlinks
  (a remote template or a linked picture is fetched when the file is opened; a hyperlink only
  when it is clicked);
- PDFs with scripts, actions that run by themselves, launchers or embedded files, and PDFs that
  cannot be checked (encrypted, or object streams in an encoding this check does not read);
- Office 97–2003 files (alone or inside a ZIP or DOCX) with a VBA project;
- polyglots: markup a browser would run (HTML, SVG, script) in a text or at the head of a
  binary file, an SVG at all, a ZIP or a PDF hidden in a file of another kind, and data after the
  end of a PNG. Archives are not searched for markup: a browser never renders a ZIP, and Office
  keeps SVG pictures inside its files.

Nothing is neutralised by rewriting: a stripped file is no longer what its author signed off,
and the person uploading is the one who can save a clean copy.
"""

from __future__ import annotations

import itertools
import re
import shutil
import tempfile
import xml.etree.ElementTree as ElementTree  # noqa: S405 — parts with a DTD are refused before parsing, see _relationships
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from zhengtong.errors import ServiceError

CHUNK = 1024 * 1024
# Far above any real attachment: a 50 MB DOCX of pictures unpacks to about as much; XML compresses
# up to some tens of times; DEFLATE's own maximum is about 1032.
UNPACKED_MAX = 256 * 1024 * 1024
RATIO_MAX = 250
RATIO_FLOOR = 10 * 1024 * 1024  # below this size a high ratio harms nobody (a sheet of empty rows)
MEMBERS_MAX = 10_000
NESTING_MAX = 3  # a ZIP of DOCX files whose charts embed an XLSX
XML_PART_MAX = 4 * 1024 * 1024

ARCHIVE_KINDS = frozenset({"zip", "docx", "xlsx", "pptx", "ofd"})
PDF_LEAD = 1024  # readers find "%PDF-" anywhere in the first kilobyte
_ZIP_HEADS = (b"PK\x03\x04", b"PK\x05\x06")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word, Excel and PowerPoint 97–2003
_OLE2_KINDS = frozenset({"doc", "xls", "ppt"})
# The stream every VBA project has ("Macros/VBA/_VBA_PROJECT" in Word, "_VBA_PROJECT_CUR/…" in Excel),
# named in UTF-16 in the file's directory.
_VBA_PROJECT = "_VBA_PROJECT".encode("utf-16-le")
_PNG_END = b"IEND"
_ACTIVE_MARKUP = re.compile(
    rb"<\s*(script|html|body|svg|iframe|object|embed|foreignobject)[\s>/]|javascript:|http://www\.w3\.org/(?:1999/xhtml|2000/svg)",
    re.IGNORECASE)
_MARKUP_OVERLAP = 64  # a pattern split across two chunks is still found
# Browsers decide a file is a page from its first bytes (the WHATWG sniffing reads 1445); past this
# head, binary content matches a short tag by chance in about one file of a hundred thousand.
MARKUP_HEAD = 64 * 1024
_MACRO_PARTS = re.compile(r"(^|/)(vbaproject\.bin|vbaprojectsignature\.bin|vbadata\.xml)$|(^|/)activex/", re.IGNORECASE)
_MACRO_TYPES = re.compile(rb"macroenabled|vbaproject|activex", re.IGNORECASE)
_RELS_PART = re.compile(r"(^|/)_rels/[^/]*\.rels$", re.IGNORECASE)
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_HYPERLINK = "/hyperlink"
# PDF: a name ends at white space or a delimiter; "#4A" inside a name is the byte 0x4A.
_PDF_ESCAPED_NAME = re.compile(rb"/[^\s()<>\[\]{}/%#]*#[^\s()<>\[\]{}/%]*")
_PDF_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|AA|Launch|EmbeddedFiles?|RichMedia|XFA)(?=[\s()<>\[\]{}/%]|$)")
# An /OpenAction that is a destination ("[3 0 R /Fit]") only opens a page; any other runs an action.
_PDF_OPEN_ACTION = re.compile(rb"/OpenAction(?!\s*\[)")
_PDF_STREAM = re.compile(rb"(?<!end)stream\r?\n")


@dataclass
class _Budget:
    """What one upload may unpack to, shared by its nested archives."""

    unpacked: int = 0
    members: int = 0


def refuse_hostile(path: Path, *, name: str, kind: str) -> None:
    """Raise a ``ServiceError`` (fields ``file``) when the file at ``path``, already of ``kind``, is hostile."""
    if kind in ARCHIVE_KINDS:
        # Not scanned for markup: a browser never renders a ZIP, and Office keeps SVG pictures inside.
        with path.open("rb") as handle:
            _check_archive(handle, path.stat().st_size, name, depth=1, budget=_Budget())
        if kind == "ofd":
            _check_ofd(path, name)
        return
    _refuse_active_markup(path, name, whole=kind == "txt")
    _refuse_hidden_file(path, name, kind)
    if kind == "pdf":
        _check_pdf(path.read_bytes(), name)
    if kind in _OLE2_KINDS:
        with path.open("rb") as handle:
            _refuse_vba(iter(lambda: handle.read(CHUNK), b""), name)


def _refuse_vba(chunks: Iterator[bytes], name: str) -> None:
    """Macros in an Office 97–2003 file, read a chunk at a time."""
    tail = b""
    for chunk in chunks:
        if _VBA_PROJECT in tail + chunk:
            raise _macros(name)
        tail = chunk[-len(_VBA_PROJECT):]


def _refuse_active_markup(path: Path, name: str, *, whole: bool) -> None:
    """Markup a browser would render or run (an HTML page after a JPEG header): in all of a text, in a binary file's head."""
    tail = b""
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK if whole else MARKUP_HEAD):
            found = _ACTIVE_MARKUP.search(tail + chunk)
            if found:
                if (found.group(1) or b"").lower() == b"svg" or found.group(0).endswith(b"2000/svg"):
                    raise refused("svg", _("“%(name)s” is an SVG image, which can carry scripts; convert it to PNG.") % {"name": name})
                raise refused("active_markup", _("“%(name)s” contains web page content (%(found)s), which can carry scripts; "
                                                 "it was not accepted.") % {"name": name, "found": found.group(0).decode("ascii").strip()})
            if not whole:
                return
            tail = chunk[-_MARKUP_OVERLAP:]


def _refuse_hidden_file(path: Path, name: str, kind: str) -> None:
    """A ZIP or a PDF inside a file of another kind: each reader sees a different file."""
    with path.open("rb") as handle:
        lead = handle.read(PDF_LEAD)
    if kind != "pdf" and b"%PDF-" in lead:
        raise _hidden(name, "PDF")
    if zipfile.is_zipfile(path):  # a ZIP is read from its end, so one appended to an image is found
        raise _hidden(name, "ZIP")
    if kind == "png" and _png_end(path) < path.stat().st_size:
        raise refused("trailing_data", _("“%(name)s” has data after the end of the image; it was not accepted.") % {"name": name})


def _png_end(path: Path) -> int:
    """Where the PNG's IEND chunk ends (the file's size if it has none): its chunks, walked by length."""
    size = path.stat().st_size
    offset = 8
    with path.open("rb") as handle:
        while offset + 8 <= size:
            handle.seek(offset)
            header = handle.read(8)
            offset += 12 + int.from_bytes(header[:4], "big")  # length, type, data, CRC
            if header[4:] == _PNG_END:
                return offset
    return size


OFD_NAMESPACE = "http://www.ofdspec.org/2016"


def _check_ofd(path: Path, name: str) -> None:
    """GB/T 33190: an OFD package has OFD.xml at its root, whose root element is ofd:OFD."""
    not_ofd = refused("not_ofd", _("“%(name)s” is not a well-formed OFD file (no OFD.xml with an ofd:OFD root); "
                                   "it was not accepted.") % {"name": name})
    with zipfile.ZipFile(path) as archive:
        try:
            member = archive.getinfo("OFD.xml")
        except KeyError:
            raise not_ofd from None
        if member.file_size > XML_PART_MAX:
            raise not_ofd
        data = archive.read(member)
    if _DTD.search(data):
        raise not_ofd  # entities are how XML parsers are made to read files or explode
    try:
        root = ElementTree.fromstring(data)  # noqa: S314 - no DTD (checked above), size bounded
    except ElementTree.ParseError:
        raise not_ofd from None
    if root.tag != f"{{{OFD_NAMESPACE}}}OFD":
        raise not_ofd


# --- Archives ------------------------------------------------------------------------------------


def _check_archive(source: IO[bytes], size: int, name: str, *, depth: int, budget: _Budget) -> None:
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
            _check_directory(members, size, name, budget)
            if "[Content_Types].xml" in archive.namelist():
                _check_office(archive, name)
            for member in members:
                if not member.is_dir():
                    _check_member(archive, member, name, depth=depth, budget=budget)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, zlib.error, ValueError):
        # A part that does not unpack to its declared size and checksum is damaged or made up.
        raise refused("damaged_archive", _("“%(name)s” is a damaged or malformed archive; it was not accepted.")
                      % {"name": name}) from None


def _check_directory(members: list[zipfile.ZipInfo], size: int, name: str, budget: _Budget) -> None:
    """What the archive declares about itself, before a byte is unpacked."""
    budget.members += len(members)
    if budget.members > MEMBERS_MAX:
        raise refused("too_many_parts", _("“%(name)s” holds more than %(count)s files; archives with that many are not accepted.")
                      % {"name": name, "count": MEMBERS_MAX})
    names = [member.filename for member in members]
    # Parts that share their bytes (overlapping entries) or their name are how small archives unpack
    # to a great deal, or unpack differently in different programs.
    if len(set(names)) != len(names) or sum(member.compress_size for member in members) > size:
        raise zipfile.BadZipFile("overlapping or repeated parts")
    if any(member.flag_bits & 0x1 for member in members):
        raise refused("encrypted", _("“%(name)s” is protected by a password, so its content cannot be checked; "
                                     "upload it without the password.") % {"name": name})
    declared = sum(member.file_size for member in members)
    if budget.unpacked + declared > UNPACKED_MAX:
        raise _unpacks_too_large(name)
    for member in members:
        _refuse_ratio(member.file_size, member.compress_size, name)
    _refuse_ratio(declared, size, name)


def _refuse_ratio(unpacked: int, packed: int, name: str) -> None:
    if unpacked > RATIO_FLOOR and unpacked > RATIO_MAX * max(packed, 1):
        raise refused("zip_bomb", _("“%(name)s” is compressed more than %(ratio)s times over, which ordinary files never are "
                                    "(a “zip bomb”); it was not accepted.") % {"name": name, "ratio": RATIO_MAX})


def _check_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str, *, depth: int, budget: _Budget) -> None:
    """Stream one part through a small buffer; an archive inside is copied out (within the budget) and checked in turn.

    ``zipfile`` stops reading at the declared size and verifies the CRC at the end, so the
    actual bytes can be neither more nor other than what the directory declared.
    """
    budget.unpacked += member.file_size
    with archive.open(member) as part:
        head = part.read(8)
        if head[:4] not in _ZIP_HEADS:
            rest = iter(lambda: part.read(CHUNK), b"")
            if head == _OLE2:  # a .doc in a ZIP, or an object embedded in a DOCX
                _refuse_vba(itertools.chain([head], rest), name)
            for _chunk in rest:
                pass
            return
        if depth >= NESTING_MAX:
            raise refused("nested_too_deep", _("“%(name)s” has archives nested more than %(depth)s deep; it was not accepted.")
                          % {"name": name, "depth": NESTING_MAX})
        with tempfile.TemporaryFile() as inner:
            inner.write(head)
            shutil.copyfileobj(part, inner, CHUNK)
            inner.seek(0)
            _check_archive(inner, member.file_size, name, depth=depth + 1, budget=budget)


def _check_office(archive: zipfile.ZipFile, name: str) -> None:
    """DOCX, XLSX and PPTX (and their macro-enabled twins under any name): no macros, nothing fetched on opening."""
    if any(_MACRO_PARTS.search(part) for part in archive.namelist()) or _MACRO_TYPES.search(_xml_part(archive, "[Content_Types].xml")):
        raise _macros(name)
    for part in archive.namelist():
        if _RELS_PART.search(part):
            for kind, target in _relationships(_xml_part(archive, part)):
                if not kind.endswith(_HYPERLINK):
                    raise refused("external_link", _("“%(name)s” links to content outside the file (%(target)s), which would be "
                                                     "fetched when it is opened; put the template or picture into the file instead.")
                                  % {"name": name, "target": target[:100]})


def _xml_part(archive: zipfile.ZipFile, part: str) -> bytes:
    with archive.open(part) as handle:
        data = handle.read(XML_PART_MAX + 1)
    if len(data) > XML_PART_MAX or _DTD.search(data):
        # Office never writes a DTD; one here is an entity-expansion or external-entity attack.
        raise zipfile.BadZipFile(f"{part}: too large or has a DTD")
    return data


def _relationships(data: bytes) -> Iterator[tuple[str, str]]:
    """The (type, target) of each external relationship in a .rels part."""
    try:
        # Safe without defusedxml: _xml_part refused any DTD, so no entity can be declared or fetched.
        root = ElementTree.fromstring(data)  # noqa: S314
    except ElementTree.ParseError:
        raise zipfile.BadZipFile("unreadable relationships") from None
    for relation in root.iter():
        if relation.tag.endswith("Relationship") and relation.get("TargetMode", "").lower() == "external":
            yield relation.get("Type", ""), relation.get("Target", "")


# --- PDF -----------------------------------------------------------------------------------------


def _check_pdf(data: bytes, name: str) -> None:
    names = _pdf_names(data)
    found = _pdf_active(names)
    unpacked = 0
    for dictionary, body in _pdf_streams(data):
        tail = b""
        try:
            for piece in _inflated(body):
                unpacked += len(piece)
                if unpacked > UNPACKED_MAX:
                    raise _unpacks_too_large(name)
                found |= _pdf_active(_pdf_names(tail + piece))
                tail = piece[-_MARKUP_OVERLAP:]
        except zlib.error:
            if b"/ObjStm" in _pdf_names(dictionary):
                raise _pdf_unreadable(name) from None
            # Otherwise an image or a font in another encoding: nothing to name an action in.
    if found:
        raise refused("pdf_active", _("“%(name)s” contains scripts or actions that run when it is opened (%(found)s); "
                                      "print it to a new PDF without them.") % {"name": name, "found": ", ".join(sorted(found))})
    if b"/Encrypt" in names:
        raise _pdf_unreadable(name)


def _pdf_streams(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """Each stream's dictionary and raw body, in file order; a body is never searched for streams."""
    position = 0
    while stream := _PDF_STREAM.search(data, position):
        end = data.find(b"endstream", stream.end())
        end = len(data) if end < 0 else end
        yield data[data.rfind(b"obj", 0, stream.start()) + 1: stream.start()], data[stream.end(): end]
        position = end + len(b"endstream")


def _inflated(body: bytes) -> Iterator[bytes]:
    """A FlateDecode stream's content, a piece at a time, so that a stream bomb never sits in memory whole."""
    inflater = zlib.decompressobj()
    pending = body
    while piece := inflater.decompress(pending, CHUNK):
        yield piece
        pending = inflater.unconsumed_tail


def _pdf_names(data: bytes) -> bytes:
    """``data`` with every "#xx" escape inside a name replaced by its byte ("/J#61vaScript" is "/JavaScript")."""
    return _PDF_ESCAPED_NAME.sub(lambda name: _PDF_HEX.sub(lambda hex_: bytes([int(hex_.group(1), 16)]), name.group(0)), data)


def _pdf_active(names: bytes) -> set[str]:
    """The names of active content in PDF bytes whose names ``_pdf_names`` has unescaped."""
    found = {"/" + match.group(1).decode("ascii") for match in _PDF_ACTIVE.finditer(names)}
    if _PDF_OPEN_ACTION.search(names):
        found.add("/OpenAction")
    return found


# --- Messages ------------------------------------------------------------------------------------


def refused(code: str, message: str) -> ServiceError:
    return ServiceError(code, message, {"file": [message]})


def _hidden(name: str, inner: str) -> ServiceError:
    return refused("hidden_file", _("“%(name)s” has a %(inner)s file hidden inside it; it was not accepted.")
                   % {"name": name, "inner": inner})


def _macros(name: str) -> ServiceError:
    return refused("macros", _("“%(name)s” contains macros or ActiveX controls, which can run programs; "
                               "save it as an ordinary document without macros.") % {"name": name})


def _unpacks_too_large(name: str) -> ServiceError:
    return refused("unpacks_too_large", _("“%(name)s” would unpack to more than %(limit)s; files that large are not accepted.")
                   % {"name": name, "limit": filesizeformat(UNPACKED_MAX)})


def _pdf_unreadable(name: str) -> ServiceError:
    return refused("pdf_unreadable", _("“%(name)s” is an encrypted or unusually encoded PDF, so its content cannot be checked; "
                                       "save it again as an ordinary PDF without a password.") % {"name": name})

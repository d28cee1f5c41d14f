"""Signed notes (c2sp.org/signed-note@v1.0.0) with Ed25519, and tlog checkpoints (c2sp.org/tlog-checkpoint@v1.0.0).

A note is UTF-8 text ending in a newline, a blank line, then one line per signature:
``— <key name> base64(4-byte key ID || signature)``. A checkpoint is a note whose text is the
log's origin, its tree size and its base64 root hash, one per line.

Keys are named; a key's ID is ``SHA-256(name || 0x0A || 0x01 || public key)[:4]`` and its
verifier key, the form others are given to check our checkpoints, is
``<name>+<hex key ID>+base64(0x01 || public key)``. Ed25519 signatures are deterministic
(RFC 8032), as RFC 9162 asks of a log: the same checkpoint always gets the same signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = 0x01
_SIGNATURE_PREFIX = "\u2014 "  # em dash, space
# Keeps a forged note from costing unbounded work; the specification asks for at least 16.
MAX_SIGNATURES = 100
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


class NoteError(ValueError):
    """A note, key or checkpoint that is malformed or does not verify."""


def _check_name(name: str) -> None:
    if not name or any(character.isspace() or character == "+" for character in name):
        raise NoteError(f"a key name must be non-empty, without spaces or '+': {name!r}")


def _b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        raise NoteError(f"not base64: {text[:60]!r}") from None


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()[:4]


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class Verifier:
    name: str
    public_key: Ed25519PublicKey

    def __post_init__(self) -> None:
        _check_name(self.name)

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, _raw_public(self.public_key))

    @classmethod
    def from_vkey(cls, vkey: str) -> Verifier:
        """Parse ``<name>+<hex key ID>+base64(0x01 || public key)``; the ID must fit the key."""
        name, _plus, rest = vkey.partition("+")
        hex_id, _plus, material = rest.partition("+")
        raw = _b64decode(material)
        if len(raw) != 33 or raw[0] != ED25519:
            raise NoteError("not an Ed25519 verifier key")
        verifier = cls(name, Ed25519PublicKey.from_public_bytes(raw[1:]))
        if verifier.key_id.hex() != hex_id.lower():
            raise NoteError(f"the key ID {hex_id!r} does not belong to this key")
        return verifier

    def vkey(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(bytes([ED25519]) + _raw_public(self.public_key)).decode()}"

    def verifies(self, text: str, signature: bytes) -> bool:
        try:
            self.public_key.verify(signature, text.encode())
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    name: str
    private_key: Ed25519PrivateKey

    def __post_init__(self) -> None:
        _check_name(self.name)

    @classmethod
    def from_skey(cls, skey: str) -> Signer:
        """Parse Go's ``PRIVATE+KEY+<name>+<hex key ID>+base64(0x01 || seed)`` (golang.org/x/mod/sumdb/note)."""
        prefix, _sep, rest = skey.partition("+KEY+")
        name, _plus, rest = rest.partition("+")
        hex_id, _plus, material = rest.partition("+")
        raw = _b64decode(material)
        if prefix != "PRIVATE" or len(raw) != 33 or raw[0] != ED25519:
            raise NoteError("not an Ed25519 signer key")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if signer.verifier().key_id.hex() != hex_id.lower():
            raise NoteError(f"the key ID {hex_id!r} does not belong to this key")
        return signer

    def verifier(self) -> Verifier:
        return Verifier(self.name, self.private_key.public_key())

    def signature_line(self, text: str) -> str:
        signature = self.verifier().key_id + self.private_key.sign(text.encode())
        return f"{_SIGNATURE_PREFIX}{self.name} {base64.b64encode(signature).decode()}\n"


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("a note's text must end in a newline")
    if any(ord(character) < 0x20 and character != "\n" for character in text):
        raise NoteError("a note must not contain control characters other than newline")


def sign(text: str, signers: Iterable[Signer]) -> str:
    _check_text(text)
    lines = [signer.signature_line(text) for signer in signers]
    if not lines:
        raise NoteError("a note needs at least one signature")
    return text + "\n" + "".join(lines)


@dataclass(frozen=True)
class Opened:
    text: str
    verified_by: list[str]


def open_note(note: str, verifiers: Iterable[Verifier]) -> Opened:
    """The note's text and the names of the known keys whose signatures verify.

    Signatures by unknown keys are ignored (they may be cosigners, or a rotated key). A known
    key whose signature fails rejects the whole note, and so does a note no known key signed.
    """
    text, separator, signatures = note.rpartition("\n\n")
    if not separator or not note.endswith("\n"):
        raise NoteError("not a signed note: no blank line before the signatures")
    text += "\n"
    _check_text(text)
    known = {(verifier.name, verifier.key_id): verifier for verifier in verifiers}
    lines = signatures[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"more than {MAX_SIGNATURES} signatures")
    verified = []
    for line in lines:
        if not line.startswith(_SIGNATURE_PREFIX):
            raise NoteError(f"not a signature line: {line[:60]!r}")
        name, _space, encoded = line[len(_SIGNATURE_PREFIX):].rpartition(" ")
        raw = _b64decode(encoded)
        verifier = known.get((name, raw[:4]))
        if verifier is None:
            continue
        if not verifier.verifies(text, raw[4:]):
            raise NoteError(f"the signature of {name} does not verify")
        verified.append(name)
    if not verified:
        raise NoteError("no known key signed this note")
    return Opened(text, verified)


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: origin, size and root, signed as a note."""

    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "" or any(not line for line in lines[:-1]):
            raise NoteError("a checkpoint has an origin, a size and a root hash, one a line")
        origin, size, root = lines[:3]
        if not _DECIMAL.fullmatch(size):
            raise NoteError(f"not a tree size: {size!r}")
        return cls(origin, int(size), _b64decode(root))

    def sign(self, signer: Signer) -> str:
        return sign(self.text(), [signer])

    @classmethod
    def open(cls, note: str, verifier: Verifier) -> Checkpoint:
        """The checkpoint in ``note``, which ``verifier`` must have signed for its own origin."""
        checkpoint = cls.parse(open_note(note, [verifier]).text)
        if checkpoint.origin != verifier.name:
            raise NoteError(f"a checkpoint of {checkpoint.origin}, not of {verifier.name}")
        return checkpoint


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 key in the PEM file at ``path``, made on first use (readable by its owner only).

    Two processes starting at once cannot both make one: the key is written to a temporary file
    and linked into place, which fails for the second.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".key-")  # mkstemp creates it 0600
        try:
            os.write(descriptor, pem)
            os.fsync(descriptor)
            os.close(descriptor)
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass  # another process made it first: use theirs
        finally:
            os.unlink(temporary)
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise NoteError(f"the signing key {path} is readable by others: chmod 600 it")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise NoteError(f"{path} does not hold an Ed25519 private key")
    return key

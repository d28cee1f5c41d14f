"""Signed notes and checkpoints: the specification's vectors, Go's vectors, and the rules for verifiers."""

from __future__ import annotations

import base64
import os
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from zhengtong.platform.ledger import note
from zhengtong.platform.ledger.note import Checkpoint, NoteError, Signer, Verifier

# c2sp.org/signed-note (C2SP/C2SP@d4c16da), the example.
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = ("This is an example message.\n\n"
             "\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n")
# golang.org/x/mod/sumdb/note, the package documentation's keys and note.
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_LINE = "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
ENOCH_LINE = "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"


def test_the_specification_example_verifies():
    verifier = Verifier.from_vkey(SPEC_VKEY)
    assert verifier.key_id.hex() == "530d903a" and verifier.vkey() == SPEC_VKEY
    opened = note.open_note(SPEC_NOTE, [verifier])
    assert opened.text == "This is an example message.\n" and opened.verified_by == ["example.com/foo"]


def test_signing_reproduces_go_byte_for_byte():
    signer = Signer.from_skey(GO_SKEY)
    assert signer.verifier().vkey() == GO_VKEY
    assert note.sign(GO_TEXT, [signer]) == GO_TEXT + "\n" + PETER_LINE  # Ed25519 is deterministic


def test_signatures_of_unknown_keys_are_ignored_and_every_known_one_must_verify():
    peter, enoch = Verifier.from_vkey(GO_VKEY), Verifier.from_vkey(ENOCH_VKEY)
    both = GO_TEXT + "\n" + PETER_LINE + ENOCH_LINE
    assert note.open_note(both, [peter]).verified_by == ["PeterNeumann"]
    assert note.open_note(both, [peter, enoch]).verified_by == ["PeterNeumann", "EnochRoot"]
    with pytest.raises(NoteError, match="no known key"):
        note.open_note(both, [Verifier.from_vkey(SPEC_VKEY)])
    # The same name with another key: not the known key, so ignored (and then nothing verifies).
    impostor = Verifier("PeterNeumann", Ed25519PrivateKey.generate().public_key())
    with pytest.raises(NoteError, match="no known key"):
        note.open_note(both, [impostor])
    with pytest.raises(NoteError, match="does not verify"):
        note.open_note(GO_TEXT.replace("answer", "question") + "\n" + PETER_LINE, [peter])


@pytest.mark.parametrize("broken", [
    GO_TEXT + PETER_LINE,  # no blank line
    GO_TEXT + "\n" + PETER_LINE.rstrip("\n"),  # no final newline
    GO_TEXT + "\n",  # no signature
    GO_TEXT + "\n" + "- PeterNeumann abc=\n",  # not an em dash
    GO_TEXT + "\n" + "\u2014 PeterNeumann not base64!\n",
    "a\tb\n\n" + PETER_LINE,  # a control character
])
def test_malformed_notes_are_refused(broken):
    with pytest.raises(NoteError):
        note.open_note(broken, [Verifier.from_vkey(GO_VKEY)])


@pytest.mark.parametrize("vkey", [
    "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",  # the ID of another key
    "example.com/foo+530d903a+AukyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",  # not type 0x01
    "example.com/foo+530d903a+Aeky",
    "+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
])
def test_bad_verifier_keys_are_refused(vkey):
    with pytest.raises((NoteError, ValueError)):
        Verifier.from_vkey(vkey)


def test_key_names_follow_the_rules():
    key = Ed25519PrivateKey.generate()
    for name in ("", "a b", "a+b"):
        with pytest.raises(NoteError):
            Signer(name, key)


def test_a_checkpoint_round_trips_and_is_bound_to_its_origin():
    # c2sp.org/tlog-checkpoint's example body.
    body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    parsed = Checkpoint.parse(body)
    assert (parsed.origin, parsed.size, base64.b64encode(parsed.root).decode()) == (
        "example.com/behind-the-sofa", 20852163, "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert parsed.text() == body
    signer = Signer("example.com/behind-the-sofa", Ed25519PrivateKey.generate())
    assert Checkpoint.open(parsed.sign(signer), signer.verifier()) == parsed
    other = Signer("example.com/elsewhere", signer.private_key)
    with pytest.raises(NoteError, match="a checkpoint of"):
        Checkpoint.open(parsed.sign(other), other.verifier())


@pytest.mark.parametrize("body", [
    "origin\n012\nAAAA\n",  # a leading zero
    "origin\n-1\nAAAA\n",
    "origin\n12\n",  # no root
    "origin\n\n12\nAAAA\n",  # an empty line
    "origin\n12\nnot base64\n",
])
def test_malformed_checkpoints_are_refused(body):
    with pytest.raises(NoteError):
        Checkpoint.parse(body)


def test_the_key_file_is_made_once_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "keys" / "log.key"
    first = note.load_or_create_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    again = note.load_or_create_key(path)
    assert first.public_key().public_bytes_raw() == again.public_key().public_bytes_raw()
    assert os.listdir(path.parent) == ["log.key"]  # no temporary file left behind


def test_a_key_file_others_can_read_is_refused(tmp_path):
    path = tmp_path / "log.key"
    note.load_or_create_key(path)
    path.chmod(0o644)
    with pytest.raises(NoteError, match="chmod 600"):
        note.load_or_create_key(path)

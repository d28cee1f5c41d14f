"""Small audio files as browsers record them (MediaRecorder), built by hand: the container heads the sniffing reads."""

from __future__ import annotations

_SOUND = bytes(range(256)) * 8  # stands for the encoded frames


def _box(kind: bytes, body: bytes) -> bytes:
    return (8 + len(body)).to_bytes(4, "big") + kind + body


def _mp4(handler: bytes) -> bytes:
    hdlr = _box(b"hdlr", b"\x00" * 8 + handler + b"\x00" * 12 + b"SoundHandler\x00")
    return _box(b"ftyp", b"M4A \x00\x00\x00\x00M4A mp42isom") + _box(b"mdat", _SOUND) + _box(b"moov", _box(b"trak", hdlr))


# Chrome and Firefox: WebM (EBML, DocType "webm") with one Opus track.
WEBM = (b"\x1aE\xdf\xa3\x9f" + b"\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08" + b"\x42\x82\x84webm"
        + b"\x42\x87\x81\x04\x42\x85\x81\x02" + b"\x18\x53\x80\x67\x01\xff\xff\xff\xff\xff\xff\xff"
        + b"\x16\x54\xae\x6b\x8f\xae\x8d\xd7\x81\x01\x83\x81\x02\x86\x86A_OPUS" + _SOUND)
# Firefox on some systems: Ogg with Opus.
OGG = (b"OggS\x00\x02" + b"\x00" * 8 + b"\x01\x00\x00\x00" + b"\x00" * 8 + b"\x01\x13"
       + b"OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00" + _SOUND)
# Safari: MP4 audio.
M4A = _mp4(b"soun")
# A video, which is not a voice message.
MP4_VIDEO = _mp4(b"vide")
WEBM_VIDEO = WEBM.replace(b"\x86\x86A_OPUS", b"\x86\x85V_VP8")

"""The provider's RS256 signing keys, kept under ``ZT_VAR_DIR/oidc-keys/`` (never in the repository).

``current.pem`` signs every ID token; it is made on first use. ``rotate`` puts a new key in its
place and keeps the old one in ``retired/`` for as long as tokens it signed may still be
presented (the ID token lifetime), so the JWKS still publishes it; after that it is removed.
Every read goes to the files, so a rotation done by the management command shows in every
serving process at once.
"""

from __future__ import annotations

import os
import stat
import tempfile
import time
from pathlib import Path

from django.conf import settings

KEY_BITS = 3072


def _directory() -> Path:
    return Path(settings.VAR_DIR) / "oidc-keys"


def _new_key_pem() -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _write_private(path: Path, data: bytes, *, replace: bool) -> None:
    """Written to a 0600 temporary file, then linked (first use: two processes cannot both make it) or moved into place."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".new-")
    try:
        os.write(descriptor, data)
        os.fsync(descriptor)
        os.close(descriptor)
        if replace:
            os.replace(temporary, path)
            return
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _read_private(path: Path) -> str:
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise PermissionError(f"the OIDC signing key {path} is readable by others: chmod 600 it")
    return path.read_text(encoding="ascii")


def current_pem() -> str:
    """The key that signs ID tokens now (PEM), made on first use."""
    path = _directory() / "current.pem"
    if not path.exists():
        _write_private(path, _new_key_pem(), replace=False)
    return _read_private(path)


def _keep_seconds() -> int:
    return int(settings.OAUTH2_PROVIDER["ID_TOKEN_EXPIRE_SECONDS"])


def _retired() -> list[tuple[float, Path]]:
    """Retired keys as (retired at, path), newest first; ``<unix time>.pem`` names when each was retired."""
    folder = _directory() / "retired"
    found = []
    for path in folder.glob("*.pem") if folder.exists() else ():
        try:
            found.append((float(path.stem), path))
        except ValueError:
            continue
    return sorted(found, reverse=True)


def retired_pems() -> list[str]:
    """The retired keys whose ID tokens may still be presented: still published in the JWKS."""
    now = time.time()
    return [_read_private(path) for retired_at, path in _retired() if now - retired_at <= _keep_seconds()]


def rotate() -> int:
    """Sign with a new key from now on; the old one stays published until its tokens expire. Returns how many expired keys went."""
    now = time.time()
    old = current_pem()
    _write_private(_directory() / "retired" / f"{now:.6f}.pem", old.encode("ascii"), replace=False)
    _write_private(_directory() / "current.pem", _new_key_pem(), replace=True)
    removed = 0
    for retired_at, path in _retired():
        if now - retired_at > _keep_seconds():
            path.unlink(missing_ok=True)
            removed += 1
    return removed

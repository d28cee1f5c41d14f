"""``manage.py sso_rotate_key``: a new signing key for ID tokens; the old one stays in the JWKS until its tokens expire."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from jwcrypto.jwk import JWK

from zhengtong.platform.audit import services as audit
from zhengtong.platform.sso import keys


def _kid(pem: str) -> str:
    return str(JWK.from_pem(pem.encode("ascii")).thumbprint())


class Command(BaseCommand):
    help = "Rotate the OIDC provider's signing key (the retired key stays published until the ID tokens it signed expire)."

    def handle(self, *args: Any, **options: Any) -> None:
        old = _kid(keys.current_pem())
        removed = keys.rotate()
        new = _kid(keys.current_pem())
        audit.record("sso.key_rotated", actor_name="manage.py", detail=f"{old} -> {new}; {removed} expired key(s) removed")
        self.stdout.write(f"signing with {new}; {old} published until its tokens expire; {removed} expired key(s) removed")

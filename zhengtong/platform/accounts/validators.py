"""Password rules of the 等保 policy, as Django password validators."""

from __future__ import annotations

import string
from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CHARACTER_CLASSES = (
    ("lower", set(string.ascii_lowercase)),
    ("upper", set(string.ascii_uppercase)),
    ("digit", set(string.digits)),
)


def character_classes(password: str) -> int:
    present = {name for name, chars in CHARACTER_CLASSES if any(ch in chars for ch in password)}
    symbol = any(not ch.isalnum() or not ch.isascii() for ch in password)
    return len(present) + (1 if symbol else 0)


class CharacterClassesValidator:
    """At least ``minimum`` of: lower-case letters, upper-case letters, digits, symbols."""

    def __init__(self, minimum: int = 3) -> None:
        self.minimum = minimum

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.minimum:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must mix at least %(n)d kind of character: lower-case letters, upper-case letters, digits, symbols.",
            "Your password must mix at least %(n)d kinds of characters: lower-case letters, upper-case letters, digits, symbols.",
            self.minimum,
        ) % {"n": self.minimum}


class NotContainingUsernameValidator:
    def validate(self, password: str, user: Any = None) -> None:
        username = (getattr(user, "username", "") or "").lower()
        if username and username in password.lower():
            raise ValidationError(self.get_help_text(), code="password_contains_username")

    def get_help_text(self) -> str:
        return _("Your password must not contain your username.")


class PasswordHistoryValidator:
    """Not one of the person's last ``depth`` passwords (the current one included)."""

    def __init__(self, depth: int = 5) -> None:
        self.depth = depth

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None or self.depth == 0:
            return
        recent = list(user.password_history.values_list("password", flat=True)[: self.depth])
        if user.password and user.password not in recent:
            recent.insert(0, user.password)
        if any(check_password(password, encoded) for encoded in recent[: self.depth]):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must differ from your last password.",
            "Your password must differ from your last %(n)d passwords.",
            self.depth,
        ) % {"n": self.depth}

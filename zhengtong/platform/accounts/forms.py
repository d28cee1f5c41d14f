"""Page forms: they shape input; the rules themselves live in services and validators."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhengtong.errors import ServiceError
from zhengtong.forms import Form


class ServiceForm(Form):
    def add_service_error(self, exc: ServiceError) -> None:
        """Show a service's refusal next to the fields it names, or above the form."""
        placed = False
        for field, errors in exc.fields.items():
            if field in self.fields:
                for error in errors if isinstance(errors, list) else [errors]:
                    self.add_error(field, str(error))
                placed = True
        if not placed:
            self.add_error(None, exc.message)


class SignInForm(Form):
    username = forms.CharField(label=_("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("Password"), max_length=256, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class CodeForm(ServiceForm):
    code = forms.CharField(label=_("Code"), max_length=20,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}))


class PasswordChangeForm(ServiceForm):
    old_password = forms.CharField(label=_("Current password"), max_length=256, strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}))
    new_password = forms.CharField(label=_("New password"), max_length=256, strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    confirm_password = forms.CharField(label=_("New password again"), max_length=256, strip=False,
                                       widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("new_password") and cleaned.get("new_password") != cleaned.get("confirm_password"):
            self.add_error("confirm_password", _("The two new passwords do not match."))
        return cleaned


class TokenForm(ServiceForm):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. the program that uses it."))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), widget=forms.CheckboxSelectMultiple, initial=["read"],
        choices=[("read", _("Read (GET requests)")), ("write", _("Write (changes)"))],
    )
    days = forms.IntegerField(label=_("Valid for (days)"), initial=90, min_value=1)

"""The base of every page form: what holds for all typed text is checked here, once."""

from __future__ import annotations

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from zhengtong.validation import refuse_control_characters


class Form(forms.Form):
    """A page form whose text fields refuse control characters (NUL, bidi overrides, C0)."""

    def full_clean(self) -> None:
        # Here rather than in __init__: some forms add fields in their own __init__ after ours.
        # Each form instance has its own copies of its fields, so this changes no other form.
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and refuse_control_characters not in field.validators:
                # NUL is one of the control characters; one message for it, not two.
                field.validators = [validator for validator in field.validators
                                    if not isinstance(validator, ProhibitNullCharactersValidator)]
                field.validators.append(refuse_control_characters)
        super().full_clean()

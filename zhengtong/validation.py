"""Rules for text people type, and field messages for the API's 422 answers, in the caller's language.

Pydantic words its messages in English only; each error carries a stable ``type`` and its
numbers in ``ctx``, so the message is chosen here by type and translated like every other.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

# Characters nobody types on purpose: C0 controls but tab, line feed and carriage return (a
# textarea sends CRLF), DEL, C1 controls, and the bidirectional embeddings, overrides and
# isolates that make a text read differently from how it is stored (Trojan Source, CVE-2021-42574).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def refuse_control_characters(value: Any) -> None:
    """The one check for control characters in typed text, used by every page form's text fields."""
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise ValidationError(
            _("Remove the control characters (such as NUL or a text-direction override) from this text."),
            code="control_characters")


_BY_TYPE: Mapping[str, Any] = {
    "missing": _("This field is required."),
    "extra_forbidden": _("This field is not accepted here."),
    "string_type": _("Enter text."),
    "int_type": _("Enter a whole number."),
    "int_parsing": _("Enter a whole number."),
    "int_from_float": _("Enter a whole number."),
    "float_type": _("Enter a number."),
    "float_parsing": _("Enter a number."),
    "decimal_parsing": _("Enter a number."),
    "bool_type": _("Enter true or false."),
    "bool_parsing": _("Enter true or false."),
    "list_type": _("Enter a list."),
    "dict_type": _("Enter an object."),
    "model_type": _("Enter an object."),
    "model_attributes_type": _("Enter an object."),
    "date_type": _("Enter a date (YYYY-MM-DD)."),
    "date_parsing": _("Enter a date (YYYY-MM-DD)."),
    "date_from_datetime_parsing": _("Enter a date (YYYY-MM-DD)."),
    "datetime_type": _("Enter a date and time (ISO 8601)."),
    "datetime_parsing": _("Enter a date and time (ISO 8601)."),
    "datetime_from_date_parsing": _("Enter a date and time (ISO 8601)."),
    "time_type": _("Enter a time (HH:MM)."),
    "time_parsing": _("Enter a time (HH:MM)."),
    "uuid_parsing": _("Enter a valid UUID."),
    "url_parsing": _("Enter a valid address."),
    "json_invalid": _("The body is not valid JSON."),
    "enum": _("Choose one of: %(expected)s."),
    "literal_error": _("Choose one of: %(expected)s."),
    "greater_than": _("Enter a value greater than %(gt)s."),
    "greater_than_equal": _("Enter a value of at least %(ge)s."),
    "less_than": _("Enter a value less than %(lt)s."),
    "less_than_equal": _("Enter a value of at most %(le)s."),
}

# Messages with a count, and the ctx key holding it.
_LENGTHS: Mapping[str, tuple[Any, str]] = {
    "string_too_short": (ngettext_lazy("Enter at least %(count)d character.", "Enter at least %(count)d characters.", "count"),
                         "min_length"),
    "string_too_long": (ngettext_lazy("Enter at most %(count)d character.", "Enter at most %(count)d characters.", "count"), "max_length"),
    "too_short": (ngettext_lazy("Give at least %(count)d item.", "Give at least %(count)d items.", "count"), "min_length"),
    "too_long": (ngettext_lazy("Give at most %(count)d item.", "Give at most %(count)d items.", "count"), "max_length"),
}


def field_message(error: Mapping[str, Any]) -> str:
    """The message for one of pydantic's errors, translated."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])  # our own validators raise translated messages
    if kind in _LENGTHS:
        counted, limit = _LENGTHS[kind]
        return str(counted % {"count": int(ctx.get(limit, 0))})
    message = _BY_TYPE.get(kind)
    if message is None:
        return str(_("This value is not valid."))
    try:
        return str(message) % {key: str(value) for key, value in ctx.items()}
    except (KeyError, ValueError, TypeError):
        return str(message)

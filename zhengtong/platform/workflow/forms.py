"""Process forms: each definition declares its fields; each step says which it shows.

Values are validated on the server at every step; a field a step hides is never sent to
the person working on that step.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from zhengtong.errors import ServiceError

FIELD_TYPES = ("text", "textarea", "integer", "number", "date", "boolean", "choice", "multichoice", "person", "people")
NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")


def validate_form_definition(form: list[dict[str, Any]]) -> None:
    problems = []
    seen = set()
    for position, spec in enumerate(form, start=1):
        name = spec.get("name", "")
        if not isinstance(name, str) or not NAME.match(name):
            problems.append(f"field {position}: name {name!r} must be lower-case letters, digits and _")
        elif name in seen:
            problems.append(f"field {name}: declared twice")
        seen.add(name)
        if spec.get("type") not in FIELD_TYPES:
            problems.append(f"field {name}: type must be one of {', '.join(FIELD_TYPES)}")
        if spec.get("type") in ("choice", "multichoice") and not spec.get("choices"):
            problems.append(f"field {name}: a choice field needs choices")
    if problems:
        raise ServiceError("invalid_definition", "; ".join(problems))


def _choice_values(spec: dict[str, Any]) -> list[str]:
    return [str(choice[0] if isinstance(choice, (list, tuple)) else choice) for choice in spec.get("choices", [])]


def _clean_one(spec: dict[str, Any], value: Any) -> Any:
    """One field's value, converted to its stored form; raises ValueError with the reason."""
    kind = spec["type"]
    if kind in ("text", "textarea"):
        text = str(value).strip()
        limit = int(spec.get("max_length", 200 if kind == "text" else 20000))
        if len(text) > limit:
            raise ValueError(_("At most %(limit)d characters.") % {"limit": limit})
        pattern = spec.get("pattern")
        if pattern and not re.fullmatch(pattern, text):
            raise ValueError(_("Not in the expected format."))
        return text
    if kind in ("integer", "number"):
        try:
            number: int | float = int(value) if kind == "integer" else float(value)
        except (TypeError, ValueError):
            raise ValueError(_("Enter a number.")) from None
        if "min" in spec and number < spec["min"]:
            raise ValueError(_("At least %(min)s.") % {"min": spec["min"]})
        if "max" in spec and number > spec["max"]:
            raise ValueError(_("At most %(max)s.") % {"max": spec["max"]})
        return number
    if kind == "date":
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "1", "on", "yes"):
            return True
        if str(value).lower() in ("false", "0", "off", "no", ""):
            return False
        raise ValueError(_("Yes or no."))
    if kind == "choice":
        if str(value) not in _choice_values(spec):
            raise ValueError(_("Choose one of the offered values."))
        return str(value)
    if kind == "multichoice":
        values = [str(item) for item in (value if isinstance(value, list) else [value])]
        if any(item not in _choice_values(spec) for item in values):
            raise ValueError(_("Choose among the offered values."))
        return values
    usernames = [str(item).strip() for item in (value if isinstance(value, list) else [value]) if str(item).strip()]
    found = set(get_user_model().objects.filter(username__in=usernames, is_active=True).values_list("username", flat=True))
    missing = [name for name in usernames if name not in found]
    if missing:
        raise ValueError(_("No active person: %(names)s.") % {"names": ", ".join(missing)})
    return usernames[0] if kind == "person" else usernames


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def clean(form: list[dict[str, Any]], values: dict[str, Any], *, editable: set[str], existing: dict[str, Any]) -> dict[str, Any]:
    """Validate submitted values for the editable fields; returns the merged data.

    Values for fields the step may not edit are refused rather than ignored, so a client
    cannot slip a change past the step's permissions.
    """
    specs = {spec["name"]: spec for spec in form}
    errors: dict[str, list[str]] = {}
    for name in values:
        if name not in specs:
            errors[name] = [_("Unknown field.")]
        elif name not in editable:
            errors[name] = [_("This field cannot be changed at this step.")]
    merged = dict(existing)
    for name in editable:
        spec = specs[name]
        value = values.get(name, existing.get(name))
        if _empty(value):
            if spec.get("required"):
                errors[name] = [_("This field is required.")]
            merged.pop(name, None)
            continue
        try:
            merged[name] = _clean_one(spec, value)
        except ValueError as exc:
            errors[name] = [str(exc)]
    if errors:
        raise ServiceError("invalid", _("Some fields are not valid."), errors)
    return merged


def visible_fields(form: list[dict[str, Any]], access: Any) -> list[dict[str, Any]]:
    """The field specs a step shows, each with its access (``view`` or ``edit``)."""
    return [{**spec, "access": access(spec["name"])} for spec in form if access(spec["name"]) != "hidden"]


def visible_values(form: list[dict[str, Any]], data: dict[str, Any], access: Any) -> dict[str, Any]:
    shown = {spec["name"] for spec in form if access(spec["name"]) != "hidden"}
    return {name: value for name, value in data.items() if name in shown}

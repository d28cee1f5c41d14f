"""Django forms for the workflow pages: process forms built from a definition, and one per action.

The forms only shape and pre-check what the browser sends; the services decide (and check again).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengtong.errors import ServiceError
from zhengtong.forms import Form
from zhengtong.platform.files import services as files

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_BPMN_BYTES = 1024 * 1024
ATTACHMENT_TYPES = ("pdf", "png", "jpg", "jpeg", "docx", "xlsx", "ofd", "txt")
ATTACHMENT_KINDS = ("pdf", "png", "jpeg", "docx", "xlsx", "ofd", "txt")  # the files kinds of those extensions
SEPARATORS = re.compile(r"[\s,，、;；]+")


def usernames(text: str) -> list[str]:
    """Usernames typed into one box, separated by spaces, commas or 、."""
    return [name for name in SEPARATORS.split(text or "") if name]


# --- Attachments ---------------------------------------------------------------------------------


def check_attachment(upload: UploadedFile | None) -> UploadedFile | None:
    """Refuse files that are too large or of a type not allowed here; the content is checked where every upload is (files)."""
    if upload is None:
        return None
    if upload.size is not None and upload.size > MAX_ATTACHMENT_BYTES:
        raise forms.ValidationError(_("The attachment is %(size).1f MB; at most 10 MB is allowed.")
                                    % {"size": upload.size / 1024 / 1024})
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_TYPES:
        raise forms.ValidationError(_("Attach a PDF, PNG, JPG, DOCX, XLSX, OFD or TXT file (%(name)s is not one).") % {"name": name})
    try:
        files.check(upload=upload, allowed_kinds=ATTACHMENT_KINDS, max_bytes=MAX_ATTACHMENT_BYTES)
    except ServiceError as refusal:
        raise forms.ValidationError(refusal.message) from None
    return upload


class AttachmentField(forms.FileField):
    widget = forms.ClearableFileInput(attrs={"accept": ",".join(f".{ext}" for ext in ATTACHMENT_TYPES)})

    def clean(self, data: Any, initial: Any = None) -> Any:
        return check_attachment(super().clean(data, initial))


def comment_field(*, required: bool = False, label: Any = None) -> forms.CharField:
    return forms.CharField(label=label or gettext_lazy("Comment"), required=required, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class PeopleField(forms.CharField):
    """Usernames, typed (or picked from suggestions) into one box."""

    def __init__(self, *, many: bool = True, **kwargs: Any) -> None:
        self.many = many
        kwargs.setdefault("max_length", 2000)
        super().__init__(**kwargs)
        self.widget.attrs.update({"data-person-picker": "many" if many else "one", "autocomplete": "off",
                                  "placeholder": gettext_lazy("Usernames, separated by commas") if many else gettext_lazy("Username")})

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        names = usernames(text)
        if not self.many and len(names) > 1:
            raise forms.ValidationError(_("Choose one person."))
        return names if self.many else (names[0] if names else "")


# --- Process forms -------------------------------------------------------------------------------


def _label(spec: dict[str, Any]) -> str:
    return str(spec.get("label") or spec["name"])


def _choices(spec: dict[str, Any]) -> list[tuple[str, str]]:
    pairs = []
    for choice in spec.get("choices", []):
        if isinstance(choice, (list, tuple)):
            pairs.append((str(choice[0]), str(choice[1] if len(choice) > 1 else choice[0])))
        else:
            pairs.append((str(choice), str(choice)))
    return pairs


def field_for(spec: dict[str, Any]) -> forms.Field:
    """A form field for one process field spec (type text, textarea, integer, number, date, boolean,
    choice, multichoice, person or people)."""
    kind, required, label = spec["type"], bool(spec.get("required")), _label(spec)
    common: dict[str, Any] = {"label": label, "required": required, "help_text": spec.get("help", "")}
    if kind == "text":
        return forms.CharField(max_length=int(spec.get("max_length", 200)), **common)
    if kind == "textarea":
        return forms.CharField(max_length=int(spec.get("max_length", 20000)), widget=forms.Textarea(attrs={"rows": 4}), **common)
    if kind == "integer":
        return forms.IntegerField(min_value=spec.get("min"), max_value=spec.get("max"), **common)
    if kind == "number":
        return forms.DecimalField(min_value=spec.get("min"), max_value=spec.get("max"),
                                  widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}), **common)
    if kind == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common)
    if kind == "boolean":
        return forms.BooleanField(**{**common, "required": False})
    if kind == "choice":
        return forms.ChoiceField(choices=[("", "—"), *_choices(spec)], **common)
    if kind == "multichoice":
        return forms.MultipleChoiceField(choices=_choices(spec), widget=forms.CheckboxSelectMultiple, **common)
    if kind == "person":
        return PeopleField(many=False, **common)
    return PeopleField(many=True, **common)


def _stored(value: Any) -> Any:
    """A cleaned form value as the services take it (JSON: no dates or decimals)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _initial(spec: dict[str, Any], value: Any) -> Any:
    if spec["type"] == "people" and isinstance(value, list):
        return ", ".join(str(name) for name in value)
    return value


class ProcessForm(Form):
    """The editable fields of a process form, in the definition's order; each named ``f_<name>``."""

    prefix = "data"

    def __init__(self, *args: Any, specs: list[dict[str, Any]], values: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.specs = specs
        for spec in specs:
            field = field_for(spec)
            if values and spec["name"] in values:
                field.initial = _initial(spec, values[spec["name"]])
            self.fields[spec["name"]] = field

    def values(self) -> dict[str, Any]:
        return {spec["name"]: _stored(self.cleaned_data.get(spec["name"])) for spec in self.specs}

    def add_service_errors(self, fields: dict[str, Any]) -> None:
        for name, errors in fields.items():
            if name in self.fields:
                self.add_error(name, errors if isinstance(errors, list) else [str(errors)])


class StartForm(Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    classification = forms.TypedChoiceField(label=gettext_lazy("Classification"), coerce=int, choices=(), initial=0, required=False,
                                            empty_value=0)  # type: ignore[arg-type]
    chosen = PeopleField(label=gettext_lazy("Next handlers"), required=False)
    comment = comment_field(label=gettext_lazy("Remarks"))

    def __init__(self, *args: Any, levels: list[tuple[int, str]], choose_next: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["classification"].choices = levels  # type: ignore[attr-defined]
        if len(levels) <= 1:
            del self.fields["classification"]
        if not choose_next:
            del self.fields["chosen"]


# --- Actions ---------------------------------------------------------------------------------------


class DecideForm(Form):
    comment = comment_field(label=gettext_lazy("Opinion"))
    attachment = AttachmentField(label=gettext_lazy("Attachment"), required=False)
    chosen = PeopleField(label=gettext_lazy("Next handlers"), required=False)


class HandBackForm(Form):
    comment = comment_field(label=gettext_lazy("Opinion"), required=True)
    attachment = AttachmentField(label=gettext_lazy("Attachment"), required=False)


class ReturnForm(Form):
    step = forms.ChoiceField(label=gettext_lazy("Return to"), choices=())
    comment = comment_field(label=gettext_lazy("Reason"), required=True)

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = targets  # type: ignore[attr-defined]


class PersonForm(Form):
    to = PeopleField(label=gettext_lazy("To"), many=False)
    comment = comment_field()


class SignersForm(Form):
    people = PeopleField(label=gettext_lazy("People"))
    position = forms.ChoiceField(label=gettext_lazy("Position"), widget=forms.RadioSelect, initial="after",
                                 choices=(("before", gettext_lazy("Before me")), ("after", gettext_lazy("After me"))))
    comment = comment_field()


class CommentForm(Form):
    comment = comment_field()


class RequiredCommentForm(Form):
    comment = comment_field(required=True, label=gettext_lazy("Reason"))


class CopyForm(Form):
    people = PeopleField(label=gettext_lazy("People"))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), widget=forms.RadioSelect, initial="cc", choices=(
        ("cc", gettext_lazy("Copy (for information)")), ("circulate", gettext_lazy("Circulate (for reading)"))))
    comment = comment_field()


class DelegationForm(Form):
    to = PeopleField(label=gettext_lazy("Delegate to"), many=False)
    starts_on = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    ends_on = forms.DateField(label=gettext_lazy("Until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    processes = forms.MultipleChoiceField(label=gettext_lazy("Processes"), required=False, widget=forms.CheckboxSelectMultiple,
                                          help_text=gettext_lazy("None chosen: every process."))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, processes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["processes"].choices = processes  # type: ignore[attr-defined]


class UploadForm(Form):
    key = forms.SlugField(label=gettext_lazy("Key"), max_length=100)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    process_id = forms.CharField(label=gettext_lazy("BPMN process id"), max_length=100)
    bpmn = forms.FileField(label=gettext_lazy("BPMN 2.0 XML file"), widget=forms.ClearableFileInput(attrs={"accept": ".bpmn,.xml"}))
    form_json = forms.CharField(label=gettext_lazy("Form fields (JSON)"), required=False, initial="[]",
                                widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}))

    def clean_bpmn(self) -> str:
        upload = self.cleaned_data["bpmn"]
        if upload.size > MAX_BPMN_BYTES:
            raise forms.ValidationError(_("The BPMN file is larger than 1 MB."))
        try:
            return str(upload.read().decode("utf-8"))
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The BPMN file is not UTF-8 text.")) from None

    def clean_form_json(self) -> list[dict[str, Any]]:
        text = self.cleaned_data.get("form_json") or "[]"
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("The form is not valid JSON: %(error)s") % {"error": exc}) from None
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise forms.ValidationError(_("The form is a JSON list of field objects."))
        return value


class InstanceFilterForm(Form):
    process = forms.ChoiceField(label=gettext_lazy("Process"), required=False, choices=())
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False, choices=())
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)

    def __init__(self, *args: Any, processes: list[tuple[str, str]], states: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["process"].choices = [("", _("All processes")), *processes]  # type: ignore[attr-defined]
        self.fields["state"].choices = [("", _("All states")), *states]  # type: ignore[attr-defined]

"""Page forms for documents: they shape input; the rules live in ``services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from zhengtong.apps.documents.models import MAX_COPIES, DocType, Document, IssuerCode, Layout, Secrecy, Urgency
from zhengtong.platform.access.models import ClassificationLevel
from zhengtong.platform.access.policy import clearance_of
from zhengtong.platform.accounts.forms import ServiceForm
from zhengtong.platform.directory.models import Department
from zhengtong.platform.directory.visibility import hide_departments, viewer_of


def _units() -> Any:
    return Department.objects.filter(kind=Department.Kind.UNIT, is_active=True).order_by("order", "name")


def _levels(user: Any) -> list[tuple[int, str]]:
    top = min(clearance_of(user), settings.MAX_CLASSIFICATION)
    return list(ClassificationLevel.objects.filter(rank__lte=top).values_list("rank", "name"))


class UnitChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Department) -> str:
        return obj.name


class DocumentForm(ServiceForm):
    """拟稿 and editing: the elements a drafter sets (number, signer and dates come from the steps)."""

    doc_type = forms.ChoiceField(label=_("Document type"), choices=DocType.choices, initial=DocType.NOTICE)
    title = forms.CharField(label=_("Title"), max_length=300)
    body = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 14, "class": "doc-body"}),
                           help_text=_("Leave empty to start from the template of the document type. "
                                       "Lines starting with 一、 or （一） are headings."))
    issuer_code = forms.ChoiceField(label=_("Issuer code (机关代字)"), required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, required=False)
    classification = forms.TypedChoiceField(label=_("Data classification"), coerce=int, choices=(), initial=0, required=False,
                                            empty_value=0)  # type: ignore[arg-type]
    secrecy = forms.TypedChoiceField(label=_("Secrecy (密级)"), coerce=int, choices=Secrecy.choices, initial=0, required=False,
                                     empty_value=0)  # type: ignore[arg-type]
    secrecy_period = forms.CharField(label=_("Secrecy period"), max_length=20, required=False)
    main_recipients = UnitChoice(label=_("Main recipients (主送)"), queryset=Department.objects.none(), required=False,
                                 widget=forms.CheckboxSelectMultiple)
    copied_recipients = UnitChoice(label=_("Copied to (抄送)"), queryset=Department.objects.none(), required=False,
                                   widget=forms.CheckboxSelectMultiple)
    main_recipients_text = forms.CharField(label=_("Main recipients as printed"), max_length=500, required=False,
                                           help_text=_("Leave empty to print the units chosen above."))
    attachments_note = forms.CharField(label=_("Attachments (附件说明)"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                       help_text=_("One attachment name per line."))
    note = forms.CharField(label=_("Note (附注)"), max_length=200, required=False)
    layout = forms.ChoiceField(label=_("Layout"), choices=Layout.choices, required=False)
    co_issuers = forms.CharField(label=_("Joint issuers (联合行文)"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text=_("The other issuing organs after this unit, one per line, in order."))
    signatories = forms.CharField(label=_("Signatories (命令)"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=_("One organ a line, lead first: the signer's post, a space, the name, e.g. 局长 王建国."))
    attendance = forms.CharField(label=_("Attendance (纪要)"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text=_("Lines starting 出席：, 请假： or 列席：, followed by the names."))
    copies = forms.IntegerField(label=_("Copies printed"), min_value=0, max_value=MAX_COPIES, required=False,
                                help_text=_("A classified document prints this many copies, each with its copy number (份号)."))

    def clean_copies(self) -> int:
        return int(self.cleaned_data.get("copies") or 0)

    def __init__(self, *args: Any, user: Any, unit: Department | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes = IssuerCode.objects.filter(unit=unit, is_active=True) if unit else IssuerCode.objects.none()
        self.fields["issuer_code"].choices = [("", "—")] + [(c.code, c.code) for c in codes]  # type: ignore[attr-defined]
        self.fields["classification"].choices = _levels(user)  # type: ignore[attr-defined]
        self.fields["main_recipients"].queryset = _units()  # type: ignore[attr-defined]
        self.fields["copied_recipients"].queryset = _units()  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(document: Document) -> dict[str, Any]:
        values = {name: getattr(document, name) for name in ("doc_type", "title", "body", "issuer_code", "urgency", "classification",
                                                             "secrecy", "secrecy_period", "main_recipients_text",
                                                             "attachments_note", "note", "layout", "co_issuers",
                                                             "signatories", "attendance", "copies")}
        values["main_recipients"] = list(document.main_recipients.all())
        values["copied_recipients"] = list(document.copied_recipients.all())
        return values


def departments_shown_to(user: Any, unit: Department) -> Any:
    """The unit's departments to choose from, less those the directory hides from ``user`` (a confidential 机要室)."""
    departments = Department.objects.filter(path__startswith=unit.path, kind=Department.Kind.DEPARTMENT, is_active=True)
    return hide_departments(viewer_of(user), departments).order_by("order", "name")


class SubmitForm(ServiceForm):
    countersign_departments = forms.ModelMultipleChoiceField(
        label=_("Countersigning departments (会签)"), queryset=Department.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("Their heads countersign in parallel."))
    signer = forms.ChoiceField(label=_("Signs off (签发)"))
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, unit: Department, leaders: list[Any], user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["countersign_departments"].queryset = departments_shown_to(user, unit)  # type: ignore[attr-defined]
        self.fields["countersign_departments"].label_from_instance = lambda d: d.name  # type: ignore[attr-defined]
        self.fields["signer"].choices = [(p.username, p.get_full_name()) for p in leaders]  # type: ignore[attr-defined]


class DecideForm(ServiceForm):
    comment = forms.CharField(label=_("Opinion (意见)"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    instructor = forms.ChoiceField(label=_("Leader to instruct (批办领导)"), required=False)

    def __init__(self, *args: Any, leaders: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if leaders is None:
            del self.fields["instructor"]
        else:
            self.fields["instructor"].choices = [(p.username, p.get_full_name()) for p in leaders]  # type: ignore[attr-defined]
            self.fields["instructor"].required = True


class InstructForm(ServiceForm):
    text = forms.CharField(label=_("Instruction (批示)"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    ink = forms.CharField(required=False, widget=forms.HiddenInput, max_length=200_000)
    handling_departments = forms.ModelMultipleChoiceField(label=_("Handling departments (承办)"), queryset=Department.objects.none(),
                                                          widget=forms.CheckboxSelectMultiple)
    lead_department = forms.ModelChoiceField(label=_("Lead department (主办)"), queryset=Department.objects.none())

    def __init__(self, *args: Any, unit: Department, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("handling_departments", "lead_department"):
            self.fields[name].queryset = departments_shown_to(user, unit)  # type: ignore[attr-defined]
            self.fields[name].label_from_instance = lambda d: d.name  # type: ignore[attr-defined]


class PeopleForm(ServiceForm):
    people = forms.CharField(label=_("People (user names, comma-separated)"), max_length=2000)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)

    def usernames(self) -> list[str]:
        return [name.strip() for name in self.cleaned_data["people"].replace("，", ",").split(",") if name.strip()]

    def clean_people(self) -> str:
        value: str = self.cleaned_data["people"]
        names = [name.strip() for name in value.replace("，", ",").split(",") if name.strip()]
        known = set(get_user_model().objects.filter(username__in=names, is_active=True).values_list("username", flat=True))
        unknown = [name for name in names if name not in known]
        if unknown:
            raise forms.ValidationError(_("No active person: %(names)s.") % {"names": ", ".join(unknown)})
        return value


class ReasonForm(ServiceForm):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class UploadForm(ServiceForm):
    file = forms.FileField(label=_("File"))


class RegisterForm(ServiceForm):
    """A paper or outside-system document registered by hand."""

    doc_type = forms.ChoiceField(label=_("Document type"), choices=DocType.choices, initial=DocType.NOTICE)
    title = forms.CharField(label=_("Title"), max_length=300)
    sender_name = forms.CharField(label=_("From (来文单位)"), max_length=200)
    number = forms.CharField(label=_("Their document number"), max_length=60, required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, required=False)
    classification = forms.TypedChoiceField(label=_("Data classification"), coerce=int, choices=(), initial=0, required=False,
                                            empty_value=0)  # type: ignore[arg-type]
    body = forms.CharField(label=_("Summary or text"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    scan = forms.FileField(label=_("Scan (PDF or image)"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["classification"].choices = _levels(user)  # type: ignore[attr-defined]

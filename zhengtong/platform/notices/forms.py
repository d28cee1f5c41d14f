from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhengtong.forms import Form
from zhengtong.platform.notices import categories
from zhengtong.platform.notices.models import Notice


class ComposeForm(Form):
    to = forms.CharField(label=_("To"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                         help_text=_("One audience per line or separated by commas: user:wang, dept:12, dept+:12 (with "
                                     "subdepartments), post:7, group:3, role:staff."))
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 6}))
    link = forms.CharField(label=_("Link"), max_length=500, required=False,
                           help_text=_("A path inside the platform, e.g. /apps/bulletins/3/."))
    category = forms.ChoiceField(label=_("Category"), choices=())
    priority = forms.ChoiceField(label=_("Priority"), choices=Notice.Priority.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = categories.choices()  # type: ignore[attr-defined]

    def clean_to(self) -> list[str]:
        return [entry.strip() for line in self.cleaned_data["to"].splitlines() for entry in line.split(",") if entry.strip()]


class PreferencesForm(Form):
    quiet_from = forms.TimeField(label=_("Quiet from"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    quiet_until = forms.TimeField(label=_("Quiet until"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    muted_categories = forms.MultipleChoiceField(label=_("No e-mail or SMS for"), required=False, choices=(),
                                                 widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["muted_categories"].choices = categories.choices()  # type: ignore[attr-defined]


class AuditFilterForm(Form):
    sender = forms.CharField(label=_("Sender (username)"), max_length=150, required=False)
    recipient = forms.CharField(label=_("Recipient (username)"), max_length=150, required=False)
    category = forms.ChoiceField(label=_("Category"), required=False, choices=())
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", "—"), ("email", _("E-mail")), ("sms", _("SMS"))])
    since = forms.DateTimeField(label=_("Sent from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateTimeField(label=_("Sent before"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—"), *categories.choices()]  # type: ignore[attr-defined]


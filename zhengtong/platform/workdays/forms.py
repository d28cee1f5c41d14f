from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhengtong.forms import Form
from zhengtong.platform.workdays import importing
from zhengtong.platform.workdays.models import DayKind, Origin


class DayForm(Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=DayKind.choices)
    name = forms.CharField(label=_("Name"), max_length=importing.NAME_LENGTH, required=False,
                           help_text=_("e.g. 春节, 国庆节, or the local occasion"))
    origin = forms.ChoiceField(label=_("Origin"), choices=[(Origin.NOTICE, Origin.NOTICE.label), (Origin.LOCAL, Origin.LOCAL.label)])
    source = forms.CharField(label=_("Source"), max_length=importing.SOURCE_LENGTH, required=False,
                             help_text=_("The notice's number and date, e.g. 国办发明电〔2025〕7号 2025-11-04"))


class RemoveDayForm(Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))


class ImportForm(Form):
    file = forms.FileField(label=_("File (CSV or JSON)"), required=False)
    text = forms.CharField(label=_("…or paste the lines"), required=False, widget=forms.Textarea(attrs={"rows": 8}))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Choose a file or paste the lines."))
        return data

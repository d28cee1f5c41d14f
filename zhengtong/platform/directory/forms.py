from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from zhengtong.forms import Form
from zhengtong.platform.directory.models import Department, FieldRestriction, Group


class GroupForm(Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Group.Kind.choices, initial=Group.Kind.PROJECT)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Department.objects.filter(kind=Department.Kind.UNIT, is_active=True),
                                  required=False)
    description = forms.CharField(label=_("Description"), max_length=300, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))


class GroupMemberForm(Form):
    person = forms.CharField(label=_("Username"), max_length=150,
                             help_text=_("The person's username, as shown on their card."))
    is_leader = forms.BooleanField(label=_("Leads the group"), required=False)

    def clean_person(self) -> Any:
        username = self.cleaned_data["person"].strip()
        person = get_user_model().objects.filter(username=username, is_active=True).first()
        if person is None:
            raise forms.ValidationError(_("No active person has this username."))
        return person


class FieldRestrictionForm(Form):
    field = forms.ChoiceField(label=_("Field"), choices=FieldRestriction.Field.choices)
    subjects = forms.ChoiceField(label=_("Applies to"), choices=FieldRestriction.Subjects.choices)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.filter(is_active=True).order_by("path"),
                                        required=False, help_text=_("Only when it applies to the people of one department."))
    audience = forms.ChoiceField(label=_("Visible to"), choices=FieldRestriction.Audience.choices)


class ConfidentialForm(Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.filter(is_active=True).order_by("path"))
    confidential = forms.TypedChoiceField(coerce=lambda value: value == "1", choices=(("1", _("Confidential")), ("0", _("Visible"))),
                                          initial="1", widget=forms.HiddenInput)

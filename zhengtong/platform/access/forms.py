from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhengtong.forms import Form
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.models import ClassificationLevel, Role


class RoleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.label)


class AssignRoleForm(Form):
    role = RoleChoiceField(label=_("Role"), queryset=Role.objects.none(), to_field_name="code", empty_label=None)

    def __init__(self, *args: Any, held: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = Role.objects.exclude(code__in=held)  # type: ignore[attr-defined]


class ClearanceForm(Form):
    rank = forms.TypedChoiceField(label=_("Clearance"), coerce=int)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rank"].choices = [(level.rank, level.name) for level in ClassificationLevel.objects.all()]  # type: ignore[attr-defined]


class LevelForm(Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


def _grantable_permissions() -> list[tuple[str, str]]:
    return [(code, f"{label} ({code})") for code, label in perms.catalogue().items() if code not in perms.ADMIN_PERMISSIONS]


class RoleForm(Form):
    code = forms.SlugField(label=_("Code"), max_length=50,
                           help_text=_("Letters, digits, hyphens and underscores; cannot be changed later."))
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    permissions = forms.MultipleChoiceField(label=_("Permissions"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["permissions"].choices = _grantable_permissions()  # type: ignore[attr-defined]
        if editing:
            del self.fields["code"]

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from zhengtong.forms import Form
from zhengtong.platform.access import permissions as perms


def colleagues(user: Any) -> Any:
    """Active people holding the staff permission, except ``user``: who can be chatted with."""
    from zhengtong.platform.access.models import Role

    codes = [role.code for role in Role.objects.all() if perms.USE_BUSINESS_APPS in (role.permissions or [])]
    return (get_user_model().objects.filter(is_active=True, role_assignments__role__code__in=codes)
            .exclude(pk=user.pk).distinct().order_by("display_name", "pk"))


class GroupForm(Form):
    title = forms.CharField(label=_("Group name"), max_length=100)
    members = forms.ModelMultipleChoiceField(label=_("Members"), queryset=get_user_model().objects.none(),
                                             widget=forms.CheckboxSelectMultiple)
    history_from_join = forms.BooleanField(label=_("New members see only what is sent after they join"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["members"]
        field.queryset = colleagues(user)  # type: ignore[attr-defined]
        field.label_from_instance = lambda person: person.get_full_name()  # type: ignore[attr-defined]


class MessageForm(Form):
    text = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    client_msg_id = forms.CharField(max_length=64, widget=forms.HiddenInput)
    quote = forms.IntegerField(required=False, widget=forms.HiddenInput)


class FileForm(Form):
    file = forms.FileField(label=_("File"))
    client_msg_id = forms.CharField(max_length=64, widget=forms.HiddenInput)


# --- groups: the member management page's forms ---------------------------------------------------


class AddMembersForm(Form):
    members = forms.ModelMultipleChoiceField(label=_("Add people"), queryset=get_user_model().objects.none(),
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, user: Any, current: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["members"]
        field.queryset = colleagues(user).exclude(pk__in=list(current))  # type: ignore[attr-defined]
        field.label_from_instance = lambda person: person.get_full_name()  # type: ignore[attr-defined]


class RenameForm(Form):
    title = forms.CharField(label=_("Group name"), max_length=100)


class MuteForm(Form):
    muted = forms.BooleanField(label=_("Mute (免打扰)"), required=False)


class RoleForm(Form):
    admin = forms.BooleanField(required=False)


class PersonForm(Form):
    person = forms.IntegerField(min_value=1)


class BotForm(Form):
    system = forms.IntegerField(label=_("Integrated application"), min_value=1)


class SubjectForm(Form):
    subject = forms.CharField(max_length=100)


class DepartmentForm(Form):
    department = forms.IntegerField(min_value=1)

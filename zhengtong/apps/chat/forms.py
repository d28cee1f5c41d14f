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


class SearchForm(Form):
    q = forms.CharField(label=_("Search messages"), max_length=100, strip=True)


class AuditForm(Form):
    """The message audit's filter (the page's; the API takes ``oversight.MessageFilter`` directly)."""

    person = forms.CharField(label=_("Sender (username)"), max_length=150, required=False)
    conversation = forms.IntegerField(label=_("Conversation (number)"), min_value=1, required=False)
    since = forms.DateField(label=_("Sent from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Sent until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label=_("Text contains"), max_length=100, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data


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


class DepartmentOffForm(Form):
    """Turning a department group off: the member who owns it from then on, or nobody."""

    owner = forms.IntegerField(label=_("New owner"), min_value=1, required=False)


class StarredForm(Form):
    """The starred list's page: the cursor of the next, older page (a bad one shows the first)."""

    cursor = forms.IntegerField(min_value=1, required=False)
